import type { DiskView } from '../../core/actor.ts';
import { md5Hex } from '../../core/md5.ts';
import type { TxId } from '../types.ts';
import { scanSegment } from './edit-segment.ts';
import { deserializeImage, serializeImage } from './fsimage.ts';
import { Namespace } from './namespace.ts';
import {
  finalizedEditsName, imageCkptName, imageName, listStorage, md5Line, md5Name, parseMd5Line, SEEN_TXID, VERSION_FILE,
  type StorageFile,
} from './storage-files.ts';

// NNStorage and the startup path of FSImage (recoverTransitionRead, loadFSImage) with one storage
// directory: format, recovery of unfinalized segments (FileJournalManager.recoverUnfinalizedSegments),
// loading the newest valid image (MD5FileUtils.verifySavedMD5) and replaying the edits after it
// (FSEditLogLoader.loadFSEdits), saving images (FSImage.saveFSImage: fsimage.ckpt_<txid>, its .md5,
// rename), and retention (NNStorageRetentionManager.purgeOldStorage).

const enc = new TextEncoder();
const dec = new TextDecoder();

export interface StorageIO {
  fsync(path: string, done: (err: string | null) => void): void;
}

export interface RetentionConf {
  /** dfs.namenode.num.checkpoints.retained */
  readonly numCheckpointsRetained: number;
  /** dfs.namenode.num.extra.edits.retained */
  readonly numExtraEditsRetained: number;
  /** dfs.namenode.max.extra.edits.segments.retained */
  readonly maxExtraEditsSegmentsRetained: number;
}

export interface Loaded {
  readonly ns: Namespace;
  readonly namespaceId: number;
  readonly imageTxId: TxId;
  /** Finalized segments replayed (start-end). */
  readonly segments: readonly { start: TxId; end: TxId }[];
  readonly notes: readonly string[];
}

export class NNStorage {
  constructor(private readonly disk: DiskView, private readonly io: StorageIO, private readonly knownLayouts: readonly number[]) {}

  files(): StorageFile[] {
    return listStorage(this.disk.list('current/'));
  }

  isFormatted(): boolean {
    return this.disk.exists(VERSION_FILE);
  }

  /** namespaceID from current/VERSION (written by format). */
  namespaceId(): number {
    const b = this.disk.readAll(VERSION_FILE);
    if (b === 'ENOENT') return 0;
    const m = /namespaceID=(\d+)/.exec(dec.decode(b));
    return m === null ? 0 : Number(m[1]);
  }

  readSeenTxId(): TxId {
    const b = this.disk.readAll(SEEN_TXID);
    if (b === 'ENOENT') return 0 as TxId;
    const n = Number(dec.decode(b).trim());
    return (Number.isSafeInteger(n) ? n : 0) as TxId;
  }

  /** NameNode.format: VERSION, the empty namespace as fsimage_0 with its md5, seen_txid 0. */
  format(namespaceId: number, layoutVersion: number, done: (err: string | null) => void): void {
    const text = `namespaceID=${namespaceId}\nclusterID=CID-dsim\nstorageType=NAME_NODE\nlayoutVersion=${layoutVersion}\n`;
    this.writeSynced(VERSION_FILE, enc.encode(text), (err) => {
      if (err !== null) return done(err);
      this.writeSynced(SEEN_TXID, enc.encode('0\n'), (err2) => {
        if (err2 !== null) return done(err2);
        this.saveImage(new Namespace(), namespaceId, layoutVersion, done);
      });
    });
  }

  /** FSImage.saveFSImage: write fsimage.ckpt_<txid>, sync, write the .md5, sync, rename into place. */
  saveImage(ns: Namespace, namespaceId: number, layoutVersion: number, done: (err: string | null, txid: TxId, md5: string) => void): void {
    const bytes = serializeImage(ns, { layoutVersion, namespaceId });
    this.storeImage(ns.lastAppliedTxId, bytes, md5Hex(bytes), done);
  }

  /** Stores image bytes received from a checkpointer (TransferFsImage / ImageServlet PUT), after checking the MD5. */
  storeImage(txid: TxId, bytes: Uint8Array, md5: string, done: (err: string | null, txid: TxId, md5: string) => void): void {
    const actual = md5Hex(bytes);
    if (actual !== md5) {
      done(`File ${imageCkptName(txid)} computed digest ${actual} does not match advertised digest ${md5}`, txid, actual);
      return;
    }
    const ckpt = imageCkptName(txid);
    const final = imageName(txid);
    this.writeSynced(ckpt, bytes, (err) => {
      if (err !== null) return done(err, txid, md5);
      this.writeSynced(md5Name(final), enc.encode(md5Line(md5, final)), (err2) => {
        if (err2 !== null) return done(err2, txid, md5);
        const e3 = this.disk.rename(ckpt, final);
        done(e3, txid, md5);
      });
    });
  }

  private writeSynced(path: string, bytes: Uint8Array, done: (err: string | null) => void): void {
    if (this.disk.exists(path)) this.disk.delete(path);
    const err = this.disk.append(path, bytes);
    if (err !== null) {
      done(err);
      return;
    }
    this.io.fsync(path, done);
  }

  /**
   * FileJournalManager.recoverUnfinalizedSegments: each edits_inprogress_<s> is scanned; with valid
   * ops it is finalized as edits_<s>-<last valid txid>; with none it is moved aside (.empty, or
   * .corrupt when its header is unreadable).
   */
  recoverUnfinalizedSegments(): string[] {
    const notes: string[] = [];
    for (const f of this.files()) {
      if (f.kind !== 'inprogress') continue;
      const bytes = this.disk.readAll(f.path);
      const scan = scanSegment(bytes === 'ENOENT' ? new Uint8Array(0) : bytes, this.knownLayouts);
      if (scan.lastTxId === null) {
        const aside = `${f.path}.${scan.headerCorrupt ? 'corrupt' : 'empty'}`;
        this.disk.rename(f.path, aside);
        notes.push(`moved aside ${f.path} with no valid transactions to ${aside}`);
        continue;
      }
      const to = finalizedEditsName(f.start, scan.lastTxId);
      this.disk.rename(f.path, to);
      notes.push(scan.damage === null
        ? `finalized ${f.path} as ${to}`
        : `finalized ${f.path} as ${to}; ignored a damaged tail after txid ${scan.lastTxId} (${scan.damage}, ${(bytes === 'ENOENT' ? 0 : bytes.length) - scan.validBytes} bytes)`);
    }
    return notes;
  }

  /** FSImage.loadFSImage: the newest image whose MD5 matches, then every finalized segment after it. */
  load(): Loaded | { fatal: string } {
    const notes: string[] = [];
    const images = this.files().filter((f) => f.kind === 'image').sort((a, b) => b.txid - a.txid);
    let ns: Namespace | null = null;
    let namespaceId = 0;
    for (const img of images) {
      const bytes = this.disk.readAll(img.path);
      const md5 = this.disk.readAll(md5Name(img.path));
      if (bytes === 'ENOENT') continue;
      if (md5 === 'ENOENT') {
        notes.push(`${img.path}: no .md5 file; trying an older image`);
        continue;
      }
      const stored = parseMd5Line(dec.decode(md5), img.path);
      const actual = md5Hex(bytes);
      if (stored !== actual) {
        // MD5FileUtils.verifySavedMD5: "Image file ... is corrupt with MD5 checksum of ... but expecting ..."
        notes.push(`Image file ${img.path} is corrupt with MD5 checksum of ${actual} but expecting ${stored ?? '(unreadable .md5)'}; trying an older image`);
        continue;
      }
      const r = deserializeImage(bytes);
      if (typeof r === 'string') {
        notes.push(`${img.path}: ${r}; trying an older image`);
        continue;
      }
      ns = r.ns;
      namespaceId = r.info.namespaceId;
      break;
    }
    if (ns === null) return { fatal: 'Failed to load an FSImage file!' };
    const imageTxId = ns.lastAppliedTxId;
    const segments: { start: TxId; end: TxId }[] = [];
    const finalized = this.files().filter((f) => f.kind === 'finalized').sort((a, b) => a.start - b.start);
    for (const seg of finalized) {
      if (seg.end <= ns.lastAppliedTxId) continue;
      if (seg.start > ns.lastAppliedTxId + 1) {
        return { fatal: `There appears to be a gap in the edit log. We expected txid ${ns.lastAppliedTxId + 1}, but got txid ${seg.start}.` };
      }
      const bytes = this.disk.readAll(seg.path);
      const scan = scanSegment(bytes === 'ENOENT' ? new Uint8Array(0) : bytes, this.knownLayouts, seg.end);
      for (const op of scan.ops) {
        if (op.txid <= ns.lastAppliedTxId) continue;
        ns.apply(op);
      }
      if (ns.lastAppliedTxId < seg.end) {
        return { fatal: `Error replaying edit log at offset ${scan.validBytes} of ${seg.path}: expected transactions up to ${seg.end}, read up to ${ns.lastAppliedTxId}${scan.damage === null ? '' : ` (${scan.damage})`}` };
      }
      segments.push({ start: seg.start, end: seg.end });
    }
    const seen = this.readSeenTxId();
    if (ns.lastAppliedTxId < seen) {
      // FSEditLog.checkForGaps with toAtLeastTxId = NNStorage.getMaxSeenTxId: edits this NameNode
      // once wrote are missing. (As in Hadoop, this also stops a NameNode that lost power after
      // writing seen_txid for a new segment and before that segment's first op was synced.)
      return { fatal: `Gap in transactions. Expected to be able to read up until at least txid ${seen} but unable to find any edit logs containing txid ${ns.lastAppliedTxId + 1}` };
    }
    return { ns, namespaceId, imageTxId, segments, notes };
  }

  /** NNStorage.getMostRecentCheckpointTxId: the newest image's txid. */
  mostRecentCheckpointTxId(): TxId {
    let best = 0;
    for (const f of this.files()) if (f.kind === 'image' && f.txid > best) best = f.txid;
    return best as TxId;
  }

  /** Finalized segments with txids >= sinceTxId (FileJournalManager.getRemoteEditLogs). */
  finalizedSince(sinceTxId: TxId): { start: TxId; end: TxId }[] {
    return this.files()
      .filter((f): f is Extract<StorageFile, { kind: 'finalized' }> => f.kind === 'finalized' && f.end >= sinceTxId)
      .sort((a, b) => a.start - b.start)
      .map((f) => ({ start: f.start, end: f.end }));
  }

  /**
   * NNStorageRetentionManager.purgeOldStorage: keep the newest numCheckpointsRetained images; delete
   * older images, and edit segments ending before (oldest kept image + 1 - numExtraEditsRetained),
   * keeping at most maxExtraEditsSegmentsRetained segments that end before the oldest kept image.
   */
  purgeOldStorage(conf: RetentionConf): string[] {
    const purged: string[] = [];
    const images = this.files().filter((f) => f.kind === 'image').sort((a, b) => b.txid - a.txid);
    const kept = images.slice(0, conf.numCheckpointsRetained);
    const minImageTxId = kept.length === 0 ? 0 : kept[kept.length - 1]!.txid;
    for (const img of images.slice(conf.numCheckpointsRetained)) {
      this.disk.delete(img.path);
      this.disk.delete(md5Name(img.path));
      purged.push(img.path);
    }
    const minimumRequiredTxId = minImageTxId + 1;
    const purgeLogsFrom = Math.max(0, minimumRequiredTxId - conf.numExtraEditsRetained);
    const segs = this.files().filter((f): f is Extract<StorageFile, { kind: 'finalized' }> => f.kind === 'finalized').sort((a, b) => a.start - b.start);
    let extra = segs.filter((s) => s.end < minimumRequiredTxId && s.end >= purgeLogsFrom);
    for (const s of segs) {
      if (s.end < purgeLogsFrom) {
        this.disk.delete(s.path);
        purged.push(s.path);
      }
    }
    while (extra.length > conf.maxExtraEditsSegmentsRetained) {
      this.disk.delete(extra[0]!.path);
      purged.push(extra[0]!.path);
      extra = extra.slice(1);
    }
    return purged;
  }

  readImage(txid: TxId): { bytes: Uint8Array; md5: string } | null {
    const bytes = this.disk.readAll(imageName(txid));
    const md5 = this.disk.readAll(md5Name(imageName(txid)));
    if (bytes === 'ENOENT' || md5 === 'ENOENT') return null;
    const hex = parseMd5Line(dec.decode(md5), imageName(txid));
    return hex === null ? null : { bytes, md5: hex };
  }

  readSegment(start: TxId, end: TxId): Uint8Array | null {
    const b = this.disk.readAll(finalizedEditsName(start, end));
    return b === 'ENOENT' ? null : b;
  }
}
