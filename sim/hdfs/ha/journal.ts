import type { DiskView } from '../../core/actor.ts';
import { crc32 } from '../../core/crc32.ts';
import { invariant } from '../../core/invariant.ts';
import { writeSegmentHeader } from '../namenode/edit-segment.ts';
import {
  decodePaxos, decodeVersion, encodePaxos, encodeVersion, getLogFile, JournalFiles, listEditLogs, longBytes, readLong, scanLog,
  segmentStateOf, type EditLogFile, type PaxosData,
} from './journal-storage.ts';
import type { NamespaceInfo, QJournalRequest, QJournalResponse, RequestInfo, SegmentState } from './qjournal-protocol.ts';

// The Journal of a JournalNode (org.apache.hadoop.hdfs.qjournal.server.Journal, Hadoop 3.3): the
// promised and writer epochs, the open segment, segment recovery. Its methods are `synchronized` in
// Hadoop and fsync under the lock, so a JournalNode answers one request at a time, after the fsyncs
// it needed. Here each request runs to an Outcome: an answer, or "fsync these files, then continue",
// or "download this segment from that JournalNode, then continue"; the actor (journalnode.ts) runs
// the steps and holds the next request back until the answer has gone.
//
// The fence is checkRequest (Journal.checkRequest, the "Invariant 25 from ZAB" comment): no request
// from an epoch below the promise; newEpoch only above it. Tests plant a broken fence by overriding
// `epochBelowPromiseRefused`.

/** A request that failed, as the Java exception the JournalNode throws. */
export class JournalError extends Error {
  constructor(readonly className: string, message: string) {
    super(message);
  }
}

type Reply = QJournalResponse extends infer R ? (R extends { readonly callId: number } ? Omit<R, 'callId'> : never) : never;

export type Outcome =
  | { readonly kind: 'reply'; readonly reply: Reply }
  | { readonly kind: 'sync'; readonly paths: readonly string[]; readonly then: () => Outcome }
  | { readonly kind: 'fetch'; readonly from: string; readonly segmentTxId: number; readonly endTxId: number; readonly then: (bytes: Uint8Array | null) => Outcome };

/** What the Journal tells the checkers (hdfs-one-writer), through the actor's ctx.observe. */
export interface JournalEvents {
  promise(promised: number, writer: number): void;
  /** Records of txids [firstTxId, ...] were made durable (or, lagging, written) under `epoch`. */
  write(what: 'journal' | 'startLogSegment' | 'acceptRecovery', epoch: number, segmentTxId: number, firstTxId: number, crcs: readonly number[]): void;
  note(text: string): void;
}

const reply = (r: Reply): Outcome => ({ kind: 'reply', reply: r });

export class Journal {
  readonly files: JournalFiles;
  nsInfo: NamespaceInfo | null;
  lastPromisedEpoch: number;
  lastWriterEpoch: number;
  committedTxId: number | null;
  private currentEpochIpcSerial = -1;
  curSegmentTxId: number | null = null;
  private curSegmentLayout = 0;
  nextTxId = 0;
  highestWrittenTxId = 0;

  constructor(private readonly disk: DiskView, journalId: string, private readonly events: JournalEvents) {
    this.files = new JournalFiles(journalId);
    const v = disk.readAll(this.files.version);
    this.nsInfo = v === 'ENOENT' ? null : decodeVersion(v);
    this.lastPromisedEpoch = readLong(disk, this.files.lastPromised, 0);
    this.lastWriterEpoch = readLong(disk, this.files.lastWriter, 0);
    const c = disk.readAll(this.files.committedTxId);
    this.committedTxId = c === 'ENOENT' || c.length < 8 ? null : Number(new DataView(c.buffer, c.byteOffset).getBigInt64(0));
    // Journal.refreshCachedData / scanStorageForLatestEdits: the highest txid on disk.
    const latest = listEditLogs(disk, this.files).at(-1);
    if (latest !== undefined) this.highestWrittenTxId = latest.inProgress ? (scanLog(disk, latest.path).lastTxId ?? latest.firstTxId - 1) : latest.lastTxId!;
  }

  /** The fence; a test overrides it to plant a JournalNode that accepts requests from an older epoch. */
  protected epochBelowPromiseRefused(): boolean {
    return true;
  }

  handle(req: QJournalRequest): Outcome {
    switch (req.type) {
      case 'qjmFormat':
        return this.format(req.nsInfo);
      case 'qjmGetJournalState':
        this.checkFormatted();
        return reply({ type: 'qjmGetJournalStateResponse', lastPromisedEpoch: this.lastPromisedEpoch, isFormatted: true });
      case 'qjmNewEpoch':
        return this.newEpoch(req.nsInfo, req.epoch);
      case 'qjmStartLogSegment':
        return this.startLogSegment(req.reqInfo, req.txid, req.layoutVersion);
      case 'qjmJournal':
        return this.journal(req.reqInfo, req.segmentTxId, req.firstTxnId, req.numTxns, req.records);
      case 'qjmFinalizeLogSegment':
        return this.finalizeLogSegment(req.reqInfo, req.startTxId, req.endTxId);
      case 'qjmHeartbeat':
        this.checkFormatted();
        return this.afterCheck(req.reqInfo, () => reply({ type: 'qjmHeartbeatResponse' }));
      case 'qjmPrepareRecovery':
        return this.prepareRecovery(req.reqInfo, req.segmentTxId);
      case 'qjmAcceptRecovery':
        return this.acceptRecovery(req.reqInfo, req.segment, req.fromJournalNode);
      case 'qjmGetEditLogManifest':
        return this.getEditLogManifest(req.sinceTxId, req.inProgressOk);
      case 'qjmGetEditSegment':
        return reply({ type: 'qjmGetEditSegmentResponse', bytes: this.segmentBytes(req.segmentTxId, req.endTxId) });
    }
  }

  // --- format, epochs -------------------------------------------------------------------------

  private format(ns: NamespaceInfo): Outcome {
    if (ns.namespaceId === 0) throw new JournalError('IllegalArgumentException', 'can\'t format with uninitialized namespace info');
    // JNStorage.format: the directory is cleared, VERSION written.
    for (const p of this.disk.list(this.files.journalId + '/')) this.disk.delete(p);
    this.io(this.disk.append(this.files.version, encodeVersion(ns)), 'write VERSION');
    this.nsInfo = ns;
    this.lastPromisedEpoch = 0;
    this.lastWriterEpoch = 0;
    this.committedTxId = null;
    this.curSegmentTxId = null;
    this.highestWrittenTxId = 0;
    return { kind: 'sync', paths: [this.files.version], then: () => reply({ type: 'qjmFormatResponse' }) };
  }

  private checkFormatted(): void {
    if (this.nsInfo === null) throw new JournalError('JournalNotFormattedException', `Journal Storage Directory ${this.files.dir} not formatted ; journal id: ${this.files.journalId}`);
  }

  private checkConsistentNamespace(ns: NamespaceInfo): void {
    if (this.nsInfo !== null && ns.namespaceId !== this.nsInfo.namespaceId) {
      throw new JournalError('IOException', `Incompatible namespaceID for journal Storage Directory ${this.files.dir}: NameNode has nsId ${ns.namespaceId} but storage has nsId ${this.nsInfo.namespaceId}`);
    }
  }

  /** PersistentLongFile.writeFile: tmp file, fsync, rename; the value is used once it is durable. */
  private persistLong(path: string, n: number, then: () => Outcome): Outcome {
    const tmp = `${path}.tmp`;
    if (this.disk.exists(tmp)) this.disk.delete(tmp);
    this.io(this.disk.append(tmp, longBytes(n)), `write ${path}`);
    return {
      kind: 'sync', paths: [tmp], then: () => {
        this.io(this.disk.rename(tmp, path), `rename ${tmp}`);
        return then();
      },
    };
  }

  private newEpoch(ns: NamespaceInfo, epoch: number): Outcome {
    this.checkFormatted();
    this.checkConsistentNamespace(ns);
    if (epoch <= this.lastPromisedEpoch) {
      throw new JournalError('IOException', `Proposed epoch ${epoch} <= last promise ${this.lastPromisedEpoch} ; journal id: ${this.files.journalId}`);
    }
    return this.updateLastPromisedEpoch(epoch, () => {
      this.abortCurSegment();
      const latest = this.scanStorageForLatestEdits();
      return reply({ type: 'qjmNewEpochResponse', lastSegmentTxId: latest?.firstTxId ?? null });
    });
  }

  private updateLastPromisedEpoch(epoch: number, then: () => Outcome): Outcome {
    this.events.note(`lastPromisedEpoch ${this.lastPromisedEpoch} -> ${epoch}`);
    this.lastPromisedEpoch = epoch;
    // A new writer: its ipc serial numbers start again.
    this.currentEpochIpcSerial = -1;
    return this.persistLong(this.files.lastPromised, epoch, () => {
      this.events.promise(this.lastPromisedEpoch, this.lastWriterEpoch);
      return then();
    });
  }

  /** Journal.checkRequest: the fence, ipc order, committed txid. */
  private afterCheck(ri: RequestInfo, then: () => Outcome): Outcome {
    if (ri.epoch < this.lastPromisedEpoch && this.epochBelowPromiseRefused()) {
      throw new JournalError('IOException', `IPC's epoch ${ri.epoch} is less than the last promised epoch ${this.lastPromisedEpoch} ; journal id: ${this.files.journalId}`);
    }
    const go = (): Outcome => {
      if (ri.ipcSerialNumber <= this.currentEpochIpcSerial) {
        throw new JournalError('JournalOutOfSyncException', `IPC serial ${ri.ipcSerialNumber} from client was not higher than prior highest IPC serial ${this.currentEpochIpcSerial} ; journal id: ${this.files.journalId}`);
      }
      this.currentEpochIpcSerial = ri.ipcSerialNumber;
      if (ri.committedTxId !== null) {
        if (this.committedTxId !== null && ri.committedTxId < this.committedTxId) {
          throw new JournalError('IllegalArgumentException', `Client trying to move committed txid backward from ${this.committedTxId} to ${ri.committedTxId} ; journal id: ${this.files.journalId}`);
        }
        if (ri.committedTxId !== this.committedTxId) {
          this.committedTxId = ri.committedTxId;
          // BestEffortLongFile.set: written, never fsynced.
          const b = new Uint8Array(8);
          new DataView(b.buffer).setBigInt64(0, BigInt(ri.committedTxId));
          this.io(this.disk.write(this.files.committedTxId, 0, b), 'write committed-txid');
        }
      }
      return then();
    };
    if (ri.epoch > this.lastPromisedEpoch) return this.updateLastPromisedEpoch(ri.epoch, go);
    return go();
  }

  private checkWriteRequest(ri: RequestInfo, then: () => Outcome): Outcome {
    return this.afterCheck(ri, () => {
      if (ri.epoch !== this.lastWriterEpoch && this.epochBelowPromiseRefused()) {
        throw new JournalError('IOException', `IPC's epoch ${ri.epoch} is not the current writer epoch  ${this.lastWriterEpoch} ; journal id: ${this.files.journalId}`);
      }
      return then();
    });
  }

  private abortCurSegment(): void {
    this.curSegmentTxId = null;
    this.curSegmentLayout = 0;
  }

  /** Journal.scanStorageForLatestEdits: the newest segment (an empty in-progress one is moved aside). */
  private scanStorageForLatestEdits(): EditLogFile | null {
    const logs = listEditLogs(this.disk, this.files);
    while (logs.length > 0) {
      const latest = logs.pop()!;
      if (!latest.inProgress) return latest;
      const scan = scanLog(this.disk, latest.path);
      if (scan.lastTxId !== null) return latest;
      this.disk.rename(latest.path, `${latest.path}.empty`);
    }
    return null;
  }

  // --- writing ----------------------------------------------------------------------------------

  private startLogSegment(ri: RequestInfo, txid: number, layoutVersion: number): Outcome {
    this.checkFormatted();
    return this.afterCheck(ri, () => {
      if (this.curSegmentTxId !== null) {
        this.events.note(`new segment ${txid} requested while writing ${this.curSegmentTxId}: aborting the open one`);
        this.abortCurSegment();
      }
      const existing = getLogFile(this.disk, this.files, txid);
      if (existing !== null) {
        if (!existing.inProgress) throw new JournalError('IllegalStateException', `Already have a finalized segment ${existing.path} beginning at ${txid} ; journal id: ${this.files.journalId}`);
        const scan = scanLog(this.disk, existing.path);
        if (scan.lastTxId !== null && scan.lastTxId !== existing.firstTxId) {
          throw new JournalError('IllegalStateException', `The log file ${existing.path} seems to contain valid transactions ; journal id: ${this.files.journalId}`);
        }
      }
      const open = (): Outcome => {
        this.purgePaxosDecision(txid);
        const path = this.files.inProgress(txid);
        if (this.disk.exists(path)) this.disk.delete(path);
        this.io(this.disk.append(path, writeSegmentHeader(layoutVersion)), `create ${path}`);
        this.curSegmentTxId = txid;
        this.curSegmentLayout = layoutVersion;
        this.nextTxId = txid;
        return {
          kind: 'sync', paths: [path], then: () => {
            this.events.write('startLogSegment', ri.epoch, txid, txid, []);
            return reply({ type: 'qjmStartLogSegmentResponse' });
          },
        };
      };
      if (this.lastWriterEpoch !== ri.epoch) {
        this.events.note(`lastWriterEpoch ${this.lastWriterEpoch} -> ${ri.epoch}`);
        this.lastWriterEpoch = ri.epoch;
        return this.persistLong(this.files.lastWriter, ri.epoch, () => {
          this.events.promise(this.lastPromisedEpoch, this.lastWriterEpoch);
          return open();
        });
      }
      return open();
    });
  }

  private journal(ri: RequestInfo, segmentTxId: number, firstTxnId: number, numTxns: number, records: Uint8Array): Outcome {
    this.checkFormatted();
    return this.checkWriteRequest(ri, () => {
      if (numTxns === 0) return reply({ type: 'qjmJournalResponse' });
      if (this.curSegmentTxId === null) throw new JournalError('JournalOutOfSyncException', `Can't write, no segment open ; journal id: ${this.files.journalId}`);
      if (this.curSegmentTxId !== segmentTxId) {
        const cur = this.curSegmentTxId;
        this.abortCurSegment();
        throw new JournalError('JournalOutOfSyncException', `Writer out of sync: it thinks it is writing segment ${segmentTxId} but current segment is ${cur} ; journal id: ${this.files.journalId}`);
      }
      if (this.nextTxId !== firstTxnId) {
        throw new JournalError('JournalOutOfSyncException', `Can't write txid ${firstTxnId} expecting nextTxId=${this.nextTxId} ; journal id: ${this.files.journalId}`);
      }
      const lastTxnId = firstTxnId + numTxns - 1;
      // Already committed on a quorum: this node is catching up, no fsync (Journal.journal's isLagging).
      const lagging = this.committedTxId !== null && lastTxnId <= this.committedTxId;
      const path = this.files.inProgress(segmentTxId);
      this.io(this.disk.append(path, records), `write ${path}`);
      const crcs = recordCrcs(records);
      invariant(crcs.length === numTxns, () => `journal: ${numTxns} txns announced, ${crcs.length} records sent`);
      const done = (): Outcome => {
        this.highestWrittenTxId = Math.max(this.highestWrittenTxId, lastTxnId);
        this.nextTxId = lastTxnId + 1;
        this.events.write('journal', ri.epoch, segmentTxId, firstTxnId, crcs);
        return reply({ type: 'qjmJournalResponse' });
      };
      return lagging ? done() : { kind: 'sync', paths: [path], then: done };
    });
  }

  private finalizeLogSegment(ri: RequestInfo, startTxId: number, endTxId: number): Outcome {
    this.checkFormatted();
    return this.afterCheck(ri, () => {
      let needsValidation = true;
      if (startTxId === this.curSegmentTxId) {
        this.abortCurSegment();
        if (this.nextTxId !== endTxId + 1) {
          throw new JournalError('JournalOutOfSyncException', `Trying to finalize in-progress log segment ${startTxId} to end at txid ${endTxId} but only written up to txid ${this.nextTxId - 1} ; journal id: ${this.files.journalId}`);
        }
        needsValidation = false;
      }
      const elf = getLogFile(this.disk, this.files, startTxId);
      if (elf === null) throw new JournalError('JournalOutOfSyncException', `No log file to finalize at transaction ID ${startTxId} ; journal id: ${this.files.journalId}`);
      if (elf.inProgress) {
        if (needsValidation) {
          const last = scanLog(this.disk, elf.path).lastTxId;
          if (last !== endTxId) {
            throw new JournalError('JournalOutOfSyncException', `Trying to finalize in-progress log segment ${startTxId} to end at txid ${endTxId} but log ${elf.path} on disk only contains up to txid ${last} ; journal id: ${this.files.journalId}`);
          }
        }
        this.io(this.disk.rename(elf.path, this.files.finalized(startTxId, endTxId)), `finalize ${elf.path}`);
      } else if (elf.lastTxId !== endTxId) {
        throw new JournalError('IllegalArgumentException', `Trying to re-finalize already finalized log ${elf.path} with different endTxId ${endTxId} ; journal id: ${this.files.journalId}`);
      }
      this.purgePaxosDecision(startTxId);
      return reply({ type: 'qjmFinalizeLogSegmentResponse' });
    });
  }

  private purgePaxosDecision(segmentTxId: number): void {
    const p = this.files.paxos(segmentTxId);
    if (this.disk.exists(p)) this.io(this.disk.delete(p), `delete ${p}`);
  }

  // --- segment recovery ---------------------------------------------------------------------------

  /** Journal.getSegmentInfo: the segment's state, scanning an in-progress file; an empty one is moved aside. */
  private getSegmentInfo(segmentTxId: number): SegmentState | null {
    const elf = getLogFile(this.disk, this.files, segmentTxId);
    if (elf === null) return null;
    const last = elf.inProgress ? scanLog(this.disk, elf.path).lastTxId : elf.lastTxId;
    if (last === null) {
      this.events.note(`edit log file ${elf.path} appears to be empty; moving it aside`);
      this.disk.rename(elf.path, `${elf.path}.empty`);
      return null;
    }
    return segmentStateOf(elf, last);
  }

  private getPersistedPaxosData(segmentTxId: number): PaxosData | null {
    const b = this.disk.readAll(this.files.paxos(segmentTxId));
    if (b === 'ENOENT') return null;
    const d = decodePaxos(b);
    invariant(d !== null && d.segment.startTxId === segmentTxId, () => `Bad persisted data for segment ${segmentTxId}`);
    return d;
  }

  /** Journal.completeHalfDoneAcceptRecovery: a download whose paxos decision was persisted moves into place. */
  private completeHalfDoneAcceptRecovery(d: PaxosData | null): void {
    if (d === null) return;
    const tmp = this.files.syncTemp(d.segment.startTxId, d.acceptedInEpoch);
    if (this.disk.exists(tmp)) {
      this.events.note(`rolling forward previously half-completed synchronization: ${tmp}`);
      this.io(this.disk.rename(tmp, this.files.inProgress(d.segment.startTxId)), `rename ${tmp}`);
    }
  }

  private prepareRecovery(ri: RequestInfo, segmentTxId: number): Outcome {
    this.checkFormatted();
    return this.afterCheck(ri, () => {
      this.abortCurSegment();
      const accepted = this.getPersistedPaxosData(segmentTxId);
      this.completeHalfDoneAcceptRecovery(accepted);
      const seg = this.getSegmentInfo(segmentTxId);
      const hasFinalized = seg !== null && !seg.isInProgress;
      let segmentState = seg;
      let acceptedInEpoch: number | null = null;
      if (accepted !== null && !hasFinalized) {
        invariant(seg !== null && accepted.segment.endTxId === seg.endTxId, () => `prepareRecovery: accepted ${JSON.stringify(accepted)} but on disk ${JSON.stringify(seg)}`);
        acceptedInEpoch = accepted.acceptedInEpoch;
        segmentState = accepted.segment;
      }
      return reply({ type: 'qjmPrepareRecoveryResponse', segmentState, acceptedInEpoch, lastWriterEpoch: this.lastWriterEpoch, lastCommittedTxId: this.committedTxId });
    });
  }

  private acceptRecovery(ri: RequestInfo, segment: SegmentState, from: string): Outcome {
    this.checkFormatted();
    return this.afterCheck(ri, () => {
      this.abortCurSegment();
      const s = segment.startTxId;
      if (!(segment.endTxId > 0 && segment.endTxId >= s)) throw new JournalError('IllegalArgumentException', `bad recovery state for segment ${s}: ${JSON.stringify(segment)} ; journal id: ${this.files.journalId}`);
      const oldData = this.getPersistedPaxosData(s);
      const newData: PaxosData = { acceptedInEpoch: ri.epoch, segment };
      invariant(oldData === null || oldData.acceptedInEpoch <= ri.epoch, () => `Bad paxos transition, out-of-order epochs. Old: ${JSON.stringify(oldData)} New: ${JSON.stringify(newData)}`);
      const current = this.getSegmentInfo(s);
      const persist = (synced: string | null, crcs: readonly number[] | null): Outcome => {
        const p = this.files.paxos(s);
        const tmp = `${p}.tmp`;
        if (this.disk.exists(tmp)) this.disk.delete(tmp);
        this.io(this.disk.append(tmp, encodePaxos(newData)), `write ${p}`);
        return {
          kind: 'sync', paths: [tmp], then: () => {
            this.io(this.disk.rename(tmp, p), `rename ${tmp}`);
            if (synced !== null) this.io(this.disk.rename(synced, this.files.inProgress(s)), `rename ${synced}`);
            if (crcs !== null) this.events.write('acceptRecovery', ri.epoch, s, s, crcs);
            this.events.note(`accepted recovery for segment ${s}: ${segment.startTxId}-${segment.endTxId} in epoch ${ri.epoch}`);
            return reply({ type: 'qjmAcceptRecoveryResponse' });
          },
        };
      };
      if (current !== null && current.endTxId === segment.endTxId) return persist(null, null);
      if (current !== null) {
        const c = this.committedTxId;
        if (c !== null && c >= current.startTxId && c <= current.endTxId && !(c >= segment.startTxId && c <= segment.endTxId)) {
          throw new JournalError('AssertionError', `Cannot replace segment ${current.startTxId}-${current.endTxId} with new segment ${segment.startTxId}-${segment.endTxId}: would discard already-committed txn ${c} ; journal id: ${this.files.journalId}`);
        }
        invariant(current.isInProgress, 'Should never be asked to synchronize a different log on top of an already-finalized segment');
        if (this.highestWrittenTxId >= current.startTxId && this.highestWrittenTxId <= current.endTxId) this.highestWrittenTxId = segment.endTxId;
      } else {
        this.highestWrittenTxId = Math.max(segment.endTxId, this.highestWrittenTxId);
      }
      // Journal.syncLog: download into edits.sync/, fsync, then the paxos decision commits it.
      return {
        kind: 'fetch', from, segmentTxId: s, endTxId: segment.endTxId, then: (bytes) => {
          if (bytes === null) throw new JournalError('IOException', `Unable to download segment ${s}-${segment.endTxId} from ${from}`);
          const tmp = this.files.syncTemp(s, ri.epoch);
          if (this.disk.exists(tmp)) this.disk.delete(tmp);
          this.io(this.disk.append(tmp, bytes), `write ${tmp}`);
          return { kind: 'sync', paths: [tmp], then: () => persist(tmp, recordCrcs(bytes.subarray(8))) };
        },
      };
    });
  }

  // --- readers ----------------------------------------------------------------------------------

  private getEditLogManifest(sinceTxId: number, inProgressOk: boolean): Outcome {
    this.checkFormatted();
    const logs = [];
    for (const f of listEditLogs(this.disk, this.files)) {
      if (f.inProgress) {
        if (!inProgressOk || f.firstTxId !== this.curSegmentTxId) continue;
        logs.push({ startTxId: f.firstTxId, endTxId: this.highestWrittenTxId, isInProgress: true });
      } else if (f.lastTxId! >= sinceTxId) {
        logs.push({ startTxId: f.firstTxId, endTxId: f.lastTxId!, isInProgress: false });
      }
    }
    return reply({ type: 'qjmGetEditLogManifestResponse', logs, committedTxId: this.committedTxId });
  }

  /** GetJournalEditServlet: the segment's header and its records up to endTxId (null: no such segment or too short). */
  segmentBytes(segmentTxId: number, endTxId: number): Uint8Array | null {
    const f = getLogFile(this.disk, this.files, segmentTxId);
    if (f === null) return null;
    const scan = scanLog(this.disk, f.path, endTxId);
    if (scan.lastTxId !== endTxId) return null;
    const b = this.disk.readAll(f.path);
    return b === 'ENOENT' ? null : b.slice(0, scan.validBytes);
  }

  private io(err: string | null, what: string): void {
    if (err !== null) throw new JournalError('IOException', `${what}: ${err}`);
  }

  inspect(): { [k: string]: number | string | null | boolean } {
    return {
      journalId: this.files.journalId,
      formatted: this.nsInfo !== null,
      lastPromisedEpoch: this.lastPromisedEpoch,
      lastWriterEpoch: this.lastWriterEpoch,
      committedTxId: this.committedTxId,
      curSegmentTxId: this.curSegmentTxId,
      nextTxId: this.curSegmentTxId === null ? null : this.nextTxId,
      highestWrittenTxId: this.highestWrittenTxId,
      layoutVersion: this.curSegmentLayout,
    };
  }
}

/** CRC32 of each op record in a run of records (the content hash hdfs-one-writer compares). */
export function recordCrcs(records: Uint8Array): number[] {
  const out: number[] = [];
  let pos = 0;
  const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
  while (pos + 5 <= records.length && records[pos] !== 0xff) {
    const len = v.getInt32(pos + 1);
    const end = pos + 5 + len;
    if (len < 12 || end > records.length) break;
    out.push(crc32(records, pos, end));
    pos = end;
  }
  return out;
}
