import type { DiskView } from '../../core/actor.ts';
import { ByteReader, ByteWriter, ShortRead } from '../../core/data-io.ts';
import { scanSegment } from '../namenode/edit-segment.ts';
import { finalizedEditsName, inProgressEditsName, padTxId } from '../namenode/storage-files.ts';
import type { TxId } from '../types.ts';
import type { NamespaceInfo, SegmentState } from './qjournal-protocol.ts';

// JNStorage and FileJournalManager on a JournalNode: the files of one journal under
// `<journalId>/current/`, how to name, list and scan them. The segment files have the NameNode's
// names and format (header, op records: namenode/edit-segment.ts), as in Hadoop where the
// JournalNode's FileJournalManager is the NameNode's.
//
//   VERSION                       namespaceID / clusterID / layoutVersion (text)
//   last-promised-epoch           PersistentLongFile (text), written tmp + fsync + rename
//   last-writer-epoch             PersistentLongFile
//   committed-txid                BestEffortLongFile: 8 bytes, never fsynced
//   edits_inprogress_<s>, edits_<s>-<e>
//   paxos/<s>                     PersistedRecoveryPaxosData (acceptedInEpoch, segment state)
//   edits.sync/edits_<s>.epoch=<e>  a segment downloaded by acceptRecovery, before it moves into place

/** Layouts a JournalNode scans (it stores what the NameNode sends; 2.7's -63 and 3.x's -64). */
export const JN_LAYOUTS: readonly number[] = [-63, -64];

export class JournalFiles {
  readonly dir: string;
  constructor(readonly journalId: string) {
    this.dir = `${journalId}/current/`;
  }
  get version(): string {
    return `${this.dir}VERSION`;
  }
  get lastPromised(): string {
    return `${this.dir}last-promised-epoch`;
  }
  get lastWriter(): string {
    return `${this.dir}last-writer-epoch`;
  }
  get committedTxId(): string {
    return `${this.dir}committed-txid`;
  }
  inProgress(start: number): string {
    return this.dir + inProgressEditsName(start).replace(/^current\//, '');
  }
  finalized(start: number, end: number): string {
    return this.dir + finalizedEditsName(start, end).replace(/^current\//, '');
  }
  paxos(segmentTxId: number): string {
    return `${this.dir}paxos/${segmentTxId}`;
  }
  syncTemp(segmentTxId: number, epoch: number): string {
    return `${this.dir}edits.sync/edits_${padTxId(segmentTxId)}.epoch=${epoch}`;
  }
}

/** An edit-log file of the journal (FileJournalManager.EditLogFile). */
export interface EditLogFile {
  readonly path: string;
  readonly firstTxId: number;
  /** The end txid of a finalized file; null for an in-progress one until scanned. */
  readonly lastTxId: number | null;
  readonly inProgress: boolean;
}

const IN_PROGRESS = /^edits_inprogress_(\d{19})$/;
const FINALIZED = /^edits_(\d{19})-(\d{19})$/;

/** The segment files of the journal, by start txid (files moved aside, .empty / .corrupt, are skipped). */
export function listEditLogs(disk: DiskView, files: JournalFiles): EditLogFile[] {
  const out: EditLogFile[] = [];
  for (const path of disk.list(files.dir)) {
    const name = path.slice(files.dir.length);
    const ip = IN_PROGRESS.exec(name);
    if (ip !== null) {
      out.push({ path, firstTxId: Number(ip[1]), lastTxId: null, inProgress: true });
      continue;
    }
    const f = FINALIZED.exec(name);
    if (f !== null) out.push({ path, firstTxId: Number(f[1]), lastTxId: Number(f[2]), inProgress: false });
  }
  return out.sort((a, b) => a.firstTxId - b.firstTxId);
}

/** FileJournalManager.getLogFile(startTxId). */
export function getLogFile(disk: DiskView, files: JournalFiles, startTxId: number): EditLogFile | null {
  return listEditLogs(disk, files).find((f) => f.firstTxId === startTxId) ?? null;
}

export interface ScannedLog {
  readonly lastTxId: number | null;
  /** Byte offset after the last valid op (or after the header). */
  readonly validBytes: number;
  /** The record bytes of each valid op, in txid order. */
  readonly recordEnds: readonly number[];
}

/** EditLogFile.scanLog: the last valid txid of a segment file (a torn or corrupt tail ends it). */
export function scanLog(disk: DiskView, path: string, endTxId: number | null = null): ScannedLog {
  const bytes = disk.readAll(path);
  if (bytes === 'ENOENT') return { lastTxId: null, validBytes: 0, recordEnds: [] };
  const scan = scanSegment(bytes, JN_LAYOUTS, endTxId as TxId | null);
  const ends: number[] = [];
  // scanSegment gives the ops; their ends are found again by re-walking the lengths.
  let pos = 8;
  for (let i = 0; i < scan.ops.length; i++) {
    const len = new DataView(bytes.buffer, bytes.byteOffset + pos + 1, 4).getInt32(0);
    pos += 5 + len;
    ends.push(pos);
  }
  return { lastTxId: scan.lastTxId, validBytes: scan.validBytes, recordEnds: ends };
}

export function segmentStateOf(f: EditLogFile, lastTxId: number): SegmentState {
  return { startTxId: f.firstTxId, endTxId: lastTxId, isInProgress: f.inProgress };
}

/** PersistentLongFile.readFile: the number in the file, or `dflt` when there is none. */
export function readLong(disk: DiskView, path: string, dflt: number): number {
  const b = disk.readAll(path);
  if (b === 'ENOENT' || b.length === 0) return dflt;
  const n = Number(new TextDecoder().decode(b).trim());
  return Number.isFinite(n) ? n : dflt;
}

export function longBytes(n: number): Uint8Array {
  return new TextEncoder().encode(`${n}\n`);
}

/** PersistedRecoveryPaxosData. */
export interface PaxosData {
  readonly acceptedInEpoch: number;
  readonly segment: SegmentState;
}

export function encodePaxos(d: PaxosData): Uint8Array {
  const w = new ByteWriter(64);
  w.i64(d.acceptedInEpoch).i64(d.segment.startTxId).i64(d.segment.endTxId).bool(d.segment.isInProgress);
  return w.finish().slice();
}

export function decodePaxos(b: Uint8Array): PaxosData | null {
  try {
    const r = new ByteReader(b);
    const acceptedInEpoch = r.i64();
    const startTxId = r.i64();
    const endTxId = r.i64();
    const isInProgress = r.bool();
    return { acceptedInEpoch, segment: { startTxId, endTxId, isInProgress } };
  } catch (e) {
    if (e instanceof ShortRead) return null;
    throw e;
  }
}

export function encodeVersion(ns: NamespaceInfo): Uint8Array {
  return new TextEncoder().encode(`namespaceID=${ns.namespaceId}\nclusterID=${ns.clusterId}\nlayoutVersion=${ns.layoutVersion}\nstorageType=JOURNAL_NODE\n`);
}

export function decodeVersion(b: Uint8Array): NamespaceInfo | null {
  const kv = new Map<string, string>();
  for (const line of new TextDecoder().decode(b).split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1));
  }
  const ns = Number(kv.get('namespaceID'));
  const lv = Number(kv.get('layoutVersion'));
  const cid = kv.get('clusterID');
  if (!Number.isFinite(ns) || !Number.isFinite(lv) || cid === undefined) return null;
  return { namespaceId: ns, clusterId: cid, layoutVersion: lv };
}
