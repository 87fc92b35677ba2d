import type { Json } from '../../core/types.ts';
import { OFF_LAST_OFFSET_DELTA, OFF_LEADER_EPOCH, OFF_RECORDS_COUNT, batchBaseOffset, readInt32 } from '../records.ts';
import type { StoredBatch } from './log-types.ts';

// The last batches of a partition's log, for its inspect() view (`log: { from, batches }`,
// docs/inspect-views.md). The view is deep-frozen and rebuilt only when the batches change, so a
// traced run (world.traceState after every handler) finds an unchanged log by identity instead of
// comparing every batch of every partition (sim/world/view-diff.ts).

const RECENT_BATCHES = 8;

export class RecentBatches {
  private list: StoredBatch[] = [];
  /** Bumped by every change of `list`. */
  private version = 0;
  private summary: { readonly version: number; readonly from: number; readonly view: Json } | null = null;

  /** Records the batch at b[p, p + size). */
  note(b: Uint8Array, p: number, size: number): void {
    const base = batchBaseOffset(b, p);
    this.list.push({
      baseOffset: base,
      lastOffset: base + readInt32(b, p + OFF_LAST_OFFSET_DELTA),
      leaderEpoch: readInt32(b, p + OFF_LEADER_EPOCH),
      records: readInt32(b, p + OFF_RECORDS_COUNT),
      sizeInBytes: size,
    });
    if (this.list.length > RECENT_BATCHES) this.list.shift();
    this.version++;
  }

  clear(): void {
    this.list = [];
    this.version++;
  }

  /** The log was truncated: batches at or past its new end are gone. */
  truncateTo(logEndOffset: number): void {
    this.list = this.list.filter((b) => b.lastOffset < logEndOffset);
    this.version++;
  }

  /** `{ from, batches: [[baseOffset, epoch, records], ...] }`, frozen; `from` is the LEO when there are none. */
  view(logEndOffset: number): Json {
    const list = this.list;
    const from = list.length > 0 ? list[0]!.baseOffset : logEndOffset;
    const s = this.summary;
    if (s !== null && s.version === this.version && s.from === from) return s.view;
    const view = Object.freeze({ from, batches: Object.freeze(list.map((b) => Object.freeze([b.baseOffset, b.leaderEpoch, b.records]))) });
    this.summary = { version: this.version, from, view };
    return view;
  }
}
