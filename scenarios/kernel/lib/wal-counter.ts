import type { Actor, Context } from '../../../sim/core/actor.ts';
import type { Checker } from '../../../sim/world/checker.ts';
import type { ConfigSchema } from '../../../sim/core/config.ts';
import { crc32 } from '../../../sim/core/crc32.ts';
import type { Json, ProcessId } from '../../../sim/core/types.ts';
import { MS } from '../../../sim/core/types.ts';
import type { World } from '../../../sim/world/world.ts';

declare module '../../../sim/core/observation.ts' {
  interface Observations {
    /** The counter acknowledged an increment; the value it acknowledged. */
    'counter-acked': { readonly value: number };
    /** The counter replayed its log after a restart; the value it recovered. */
    'counter-recovered': { readonly value: number };
  }
}

// A durable counter: the kernel's worked example of the disk model. Every increment is appended to
// a write-ahead log as a checksummed record and acknowledged after the log is fsynced (group commit:
// increments that arrive during an fsync wait for the next one). On restart the log is replayed up
// to the first torn or corrupt record, which is truncated away. With `wal.fsync=false` the counter
// acknowledges as soon as the record is in the page cache: a process crash loses nothing (the page
// cache belongs to the host) but a power loss loses the unsynced tail.

export const walSchema: ConfigSchema = {
  'wal.fsync': { type: 'boolean', default: true, doc: 'fsync the log before acknowledging an increment' },
  'wal.clients': { type: 'int', default: 2, min: 1, max: 20, doc: 'number of clients' },
  'wal.clientIntervalMs': { type: 'int', default: 5, min: 1, doc: 'think time between increments' },
  'wal.clientTimeoutMs': { type: 'int', default: 1000, min: 1, doc: 'client gives up on an increment after this long' },
};

type WalMsg =
  | { readonly type: 'Incr'; readonly op: number }
  | { readonly type: 'IncrOk'; readonly op: number; readonly value: number };

const LOG = 'wal.log';
/** Record: [payload length u32][crc32 of payload u32][payload: counter value as f64]. */
const RECORD_BYTES = 16;

export function encodeRecord(value: number): Uint8Array {
  const b = new Uint8Array(RECORD_BYTES);
  const v = new DataView(b.buffer);
  v.setUint32(0, 8);
  v.setFloat64(8, value);
  v.setUint32(4, crc32(b, 8, 16));
  return b;
}

/** Replays a log: the values of every valid record, and the length of the valid prefix. */
export function replay(log: Uint8Array): { values: number[]; validBytes: number } {
  const values: number[] = [];
  const v = new DataView(log.buffer, log.byteOffset, log.byteLength);
  let off = 0;
  while (off + RECORD_BYTES <= log.length) {
    if (v.getUint32(off) !== 8 || v.getUint32(off + 4) !== crc32(log, off + 8, off + 16)) break;
    values.push(v.getFloat64(off + 8));
    off += RECORD_BYTES;
  }
  return { values, validBytes: off };
}

export class WalCounter implements Actor<WalMsg, never> {
  private value = 0;
  private syncing = false;
  private waiting: { client: ProcessId; op: number; value: number }[] = [];
  private inSync: { client: ProcessId; op: number; value: number }[] = [];
  private readonly fsync: boolean;

  constructor(private readonly ctx: Context) {
    this.fsync = ctx.config.bool('wal.fsync');
    const log = ctx.disk.readAll(LOG);
    if (log === 'ENOENT') {
      ctx.disk.create(LOG);
    } else {
      const { values, validBytes } = replay(log);
      if (validBytes < log.length) {
        ctx.annotate(`recovery: dropped ${log.length - validBytes} bytes of torn or corrupt log tail`);
        ctx.disk.truncate(LOG, validBytes);
      }
      this.value = values.length > 0 ? values[values.length - 1]! : 0;
    }
    ctx.observe('counter-recovered', { value: this.value });
  }

  onMessage(from: ProcessId, m: WalMsg): void {
    if (m.type !== 'Incr') return;
    this.value++;
    const err = this.ctx.disk.append(LOG, encodeRecord(this.value));
    if (err !== null) return; // disk full or I/O error: the client times out
    if (!this.fsync) {
      this.ctx.send(from, { type: 'IncrOk', op: m.op, value: this.value }, 32);
      return;
    }
    this.waiting.push({ client: from, op: m.op, value: this.value });
    this.maybeSync();
  }

  private maybeSync(): void {
    if (this.syncing || this.waiting.length === 0) return;
    this.syncing = true;
    this.inSync = this.waiting;
    this.waiting = [];
    this.ctx.disk.fsync(LOG, 'fsync');
  }

  onDiskDone(_tag: unknown, error: string | null): void {
    this.syncing = false;
    if (error === null) for (const w of this.inSync) this.ctx.send(w.client, { type: 'IncrOk', op: w.op, value: w.value }, 32);
    this.inSync = [];
    this.maybeSync();
  }

  onTimer(): void {}

  inspect(): Json {
    return { role: 'server', value: this.value, logBytes: this.ctx.disk.size(LOG), syncing: this.syncing, waiting: this.waiting.length };
  }
}

export class WalClient implements Actor<WalMsg, 'next' | 'timeout'> {
  private readonly server: ProcessId;
  private outstanding = -1;
  private timeout = -1;
  private acked = 0;

  constructor(private readonly ctx: Context) {
    this.server = ctx.lookup('counter');
    ctx.setTimer(ctx.rng.int(0, 1000), 'next');
  }

  onMessage(_from: ProcessId, m: WalMsg): void {
    if (m.type !== 'IncrOk' || m.op !== this.outstanding) return;
    this.ctx.complete(m.op, 'ok', m.value);
    this.ctx.observe('counter-acked', { value: m.value });
    this.acked++;
    this.next();
  }

  private next(): void {
    this.ctx.cancelTimer(this.timeout);
    this.outstanding = -1;
    this.ctx.setTimer(this.ctx.config.int('wal.clientIntervalMs') * MS, 'next');
  }

  onTimer(tag: 'next' | 'timeout'): void {
    if (tag === 'timeout') {
      if (this.outstanding >= 0) this.ctx.complete(this.outstanding, 'info', undefined, 'timeout');
      this.next();
      return;
    }
    if (this.outstanding >= 0) return;
    this.outstanding = this.ctx.invoke('incr', 'counter', null);
    this.ctx.send(this.server, { type: 'Incr', op: this.outstanding }, 32);
    this.timeout = this.ctx.setTimer(this.ctx.config.int('wal.clientTimeoutMs') * MS, 'timeout');
  }

  onDisconnect(): void {
    if (this.outstanding >= 0) this.ctx.complete(this.outstanding, 'info', undefined, 'connection closed');
    this.next();
  }

  inspect(): Json {
    return { role: 'client', acked: this.acked, outstanding: this.outstanding >= 0 };
  }
}

/** Every acknowledged increment survives: a recovered counter is never below a value already acknowledged. */
export function ackedDurableChecker(): Checker {
  let maxAcked = 0;
  return {
    name: 'acked-durable',
    kind: 'safety',
    description: 'a restarted counter holds every increment it acknowledged before',
    attach(world: World) {
      world.onObserve('counter-acked', (_p, d) => {
        const v = d.value;
        if (v > maxAcked) maxAcked = v;
      });
      world.onObserve('counter-recovered', (_p, d) => {
        const v = d.value;
        if (v < maxAcked) {
          world.reportViolation('acked-durable', `acknowledged increments lost: the counter had acknowledged ${maxAcked} but recovered ${v} (${maxAcked - v} increments gone)`);
          maxAcked = v;
        }
      });
    },
  };
}
