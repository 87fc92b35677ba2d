import { expectedDigest, seedOfPath } from '../content.ts';
import type { DatanodeSettings } from '../config-datanode.ts';
import { PacketBuilder, type WritePacket } from './packets.ts';
import { errorText, responseOf, type NamenodeRpc } from './rpc.ts';
import { DataStreamer, type StreamerHost } from './streamer.ts';

// DFSOutputStream as the workload uses it: create, write `fileBytes` in application writes of
// `writeBytes` (blocked while the queues hold dfs.client.write.max-packets-in-flight packets),
// hflush / hsync every so many bytes (each waits for its ack), close: the last packets, their
// acks, then complete, retried while the NameNode says the last block is not minimally replicated
// (DFSOutputStream.completeFile: locateFollowingBlock retries, doubling delay from 400 ms).

export interface WriteSpec {
  readonly path: string;
  readonly fileBytes: number;
  readonly writeBytes: number;
  readonly replication: number;
  readonly blockSize: number;
  /** 0: never. */
  readonly hflushEveryBytes: number;
  readonly hsyncEveryBytes: number;
  /** The application's write rate (0: as fast as the pipeline takes it). */
  readonly bytesPerSec?: number;
}

export interface WriterHost extends StreamerHost {
  readonly clientMachine: string;
  readonly rpc: NamenodeRpc;
  readonly settings: DatanodeSettings;
  invoke(f: string, key: string, value: unknown): number;
  complete(op: number, type: 'ok' | 'fail' | 'info', value: unknown, error?: string): void;
  /** Writing resumes after `delayUs` (the client's tick). */
  later(delayUs: number, fn: () => void): void;
  fileOpened(w: FileWriter): void;
  fileClosed(w: FileWriter): void;
}

export class FileWriter {
  readonly seed: number;
  streamer: DataStreamer | null = null;
  private builder: PacketBuilder;
  private op = -1;
  private flushing = false;
  private nextHflush: number;
  private nextHsync: number;
  private closing = false;
  done = false;
  private completeDelayUs: number;
  private completeRetriesLeft: number;

  constructor(private readonly host: WriterHost, readonly spec: WriteSpec, private readonly onDone: () => void) {
    this.seed = seedOfPath(spec.path);
    this.builder = new PacketBuilder(this.seed, spec.blockSize, host.settings.bytesPerChecksum, host.settings.writePacketSize);
    this.nextHflush = spec.hflushEveryBytes > 0 ? spec.hflushEveryBytes : Infinity;
    this.nextHsync = spec.hsyncEveryBytes > 0 ? spec.hsyncEveryBytes : Infinity;
    this.completeDelayUs = host.settings.locateFollowingBlockInitialDelayUs;
    this.completeRetriesLeft = host.settings.locateFollowingBlockRetries;
  }

  start(): void {
    const s = this.spec;
    this.op = this.host.invoke('write', s.path, { seed: this.seed, length: s.fileBytes });
    this.host.rpc.call({
      type: 'create', src: s.path, clientName: this.host.clientName, clientMachine: this.host.clientMachine, flags: ['CREATE'],
      createParent: true, replication: s.replication, blockSize: s.blockSize,
    }, (r) => {
      const ok = responseOf(r, 'createResponse');
      if (ok === undefined) {
        // A RemoteException is a definite refusal; a lost call may or may not have created the file.
        this.end(r === null ? 'info' : 'fail', `create: ${errorText(r)}`);
        return;
      }
      this.streamer = new DataStreamer(this.host, { src: s.path, fileId: ok.status.fileId, replication: s.replication });
      this.streamer.onProgress = () => this.resume();
      this.host.fileOpened(this);
      this.resume();
    });
  }

  private resume(): void {
    const st = this.streamer;
    if (st === null || this.done || this.flushing) return;
    if (st.error !== null) {
      this.end('info', st.error);
      return;
    }
    if (this.closing) {
      this.maybeComplete();
      return;
    }
    const s = this.spec;
    const out: WritePacket[] = [];
    const rate = s.bytesPerSec ?? 0;
    if (rate > 0 && this.builder.written < s.fileBytes && this.host.nowUs() < this.nextWriteUs) return;
    while (st.hasRoom && this.builder.written < s.fileBytes) {
      const limit = Math.min(s.fileBytes, this.nextHflush, this.nextHsync);
      const n = Math.min(s.writeBytes, limit - this.builder.written);
      this.builder.write(n, out);
      for (const p of out.splice(0)) st.enqueue(p);
      if (this.builder.written === this.nextHsync || this.builder.written === this.nextHflush) {
        this.flush(this.builder.written === this.nextHsync);
        return;
      }
      if (rate > 0 && this.builder.written < s.fileBytes) {
        // A paced application: the next write after writeBytes / rate.
        const delayUs = Math.max(1, Math.round((n / rate) * 1e6));
        this.nextWriteUs = this.host.nowUs() + delayUs;
        this.host.later(delayUs, () => this.resume());
        return;
      }
    }
    if (this.builder.written >= s.fileBytes) {
      this.closing = true;
      this.builder.close(out);
      for (const p of out) st.enqueue(p);
      this.maybeComplete();
    }
  }

  /** hflush / hsync: send the partial packet, wait for its ack (DFSOutputStream.flushOrSync). */
  private flush(sync: boolean): void {
    const st = this.streamer!;
    const length = this.builder.written;
    if (sync) this.nextHsync += this.spec.hsyncEveryBytes;
    else this.nextHflush += this.spec.hflushEveryBytes;
    if (this.nextHflush <= length) this.nextHflush += this.spec.hflushEveryBytes;
    st.isHflushed = true;
    const p = this.builder.flush(sync);
    if (p !== null) st.enqueue(p);
    const seqno = this.builder.lastSeqno;
    const op = this.host.invoke(sync ? 'hsync' : 'hflush', this.spec.path, { length });
    this.flushing = true;
    st.waitFor(seqno, (err) => {
      const finish = (): void => {
        this.flushing = false;
        if (err !== null) {
          this.host.complete(op, 'info', null, err);
          this.end('info', err);
          return;
        }
        this.host.complete(op, 'ok', { length, digest: expectedDigest(this.seed, length, this.host.settings.bytesPerChecksum) });
        this.resume();
      };
      // A block allocated since the last flush is persisted at the NameNode (persistBlocks: fsync).
      if (err === null && st.persistBlocks) {
        st.persistBlocks = false;
        this.host.rpc.call({ type: 'fsync', src: this.spec.path, fileId: st.file.fileId, clientName: this.host.clientName, lastBlockLength: -1 }, () => finish());
      } else finish();
    });
  }

  private maybeComplete(): void {
    const st = this.streamer!;
    if (!st.drained || st.lastAckedSeqno < this.builder.lastSeqno || this.completing) return;
    this.completing = true;
    this.callComplete();
  }

  private completing = false;
  private nextWriteUs = 0;

  private callComplete(): void {
    const st = this.streamer!;
    this.host.rpc.call({ type: 'complete', src: this.spec.path, clientName: this.host.clientName, last: st.previous, fileId: st.file.fileId }, (r) => {
      if (this.done) return;
      const ok = responseOf(r, 'completeResponse');
      if (ok !== undefined && ok.result) {
        this.end('ok', null);
        return;
      }
      if ((ok !== undefined || r === null) && this.completeRetriesLeft-- > 0) {
        this.host.annotate(`${this.host.clientName}: Could not complete ${this.spec.path} retrying...`);
        const d = this.completeDelayUs;
        this.completeDelayUs *= 2;
        this.host.later(d, () => this.callComplete());
        return;
      }
      this.end('info', ok !== undefined ? 'Unable to close file because the last block does not have enough number of replicas.' : `complete: ${errorText(r)}`);
    });
  }

  /** How the write ended (null while it runs). */
  outcome: 'ok' | 'fail' | 'info' | null = null;

  private end(type: 'ok' | 'fail' | 'info', error: string | null): void {
    if (this.done) return;
    this.done = true;
    this.outcome = type;
    const len = this.spec.fileBytes;
    if (type === 'ok') this.host.complete(this.op, 'ok', { length: len, digest: expectedDigest(this.seed, len, this.host.settings.bytesPerChecksum) });
    else this.host.complete(this.op, type, null, error ?? undefined);
    if (this.streamer !== null) {
      if (this.streamer.error === null && type !== 'ok') this.streamer.fail(error ?? 'closed');
      this.host.fileClosed(this);
    }
    this.onDone();
  }
}
