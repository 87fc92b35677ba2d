import { invariant } from '../../core/invariant.ts';
import { CheckpointWriter, formatEpochCheckpoint, parseEpochCheckpoint, readCheckpointText, type EpochEntry } from './checkpoint.ts';
import { KafkaStorageError, type LogIO } from './io.ts';

// The leader-epoch cache (kafka.server.epoch.LeaderEpochFileCache, KIP-101): for each leader epoch
// the offset of its first record, persisted in leader-epoch-checkpoint after every change.
//
// Two generations of semantics, selected by Features.epochCache21:
// - KIP-101 (0.11 to 2.0): assign(epoch, offset) appends only if epoch > latest epoch and offset >=
//   latest start offset, otherwise ignores it. endOffsetFor(e) of an epoch below the first cached
//   epoch, or with no later epoch, is UNDEFINED (the follower then falls back to its HW).
// - KAFKA-7415 (2.1 on): assign appends whenever the epoch differs from the latest (or the offset is
//   lower), first removing entries that would break monotonicity (epoch >= e or startOffset >=
//   offset); a new leader assigns (epoch, LEO) at election. endOffsetFor(e) below the first cached
//   epoch answers (e, first start offset).
// Both answer endOffsetFor(latest epoch) with the LEO and otherwise (largest epoch <= e, start of
// the next larger epoch), which is KIP-279's response; before 2.0 the follower uses only the offset
// (OffsetsForLeaderEpoch v0 has no epoch), which the fetcher decides, not the cache.
// UNDEFINED_EPOCH is -1 and UNDEFINED_EPOCH_OFFSET is -1, as in Kafka.

export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

export type EpochCacheFlavour = 'kip101' | 'kafka7415';

export class LeaderEpochFileCache {
  private epochs: EpochEntry[] = [];
  private readonly writer: CheckpointWriter;

  /**
   * Loads the cache from its checkpoint file (or starts empty). A malformed file is a storage error,
   * as Kafka's checkpoint read fails with KafkaStorageException.
   */
  constructor(
    io: LogIO,
    readonly path: string,
    readonly flavour: EpochCacheFlavour,
    private readonly logEndOffset: () => number,
    onError: (e: KafkaStorageError) => void,
  ) {
    this.writer = new CheckpointWriter(io, path, onError);
    const text = readCheckpointText(io, path);
    if (text === null) return;
    const parsed = parseEpochCheckpoint(text, path);
    if (!Array.isArray(parsed)) throw new KafkaStorageError(parsed.error, 'CORRUPT');
    if (flavour === 'kafka7415') for (const e of parsed) this.assignEntry(e.epoch, e.startOffset);
    else this.epochs = parsed.slice();
  }

  /** [epoch, startOffset] pairs for inspect(), deep-frozen and rebuilt only after a change. */
  private frozenView: readonly (readonly [number, number])[] | null = null;

  /** The entries as [epoch, startOffset] pairs (inspect views): one frozen array until the cache changes. */
  view(): readonly (readonly [number, number])[] {
    this.frozenView ??= Object.freeze(this.epochs.map((e) => Object.freeze([e.epoch, e.startOffset] as const)));
    return this.frozenView;
  }

  /** The entries, oldest first (a copy). */
  entries(): EpochEntry[] {
    return this.epochs.slice();
  }

  get nonEmpty(): boolean {
    return this.epochs.length > 0;
  }

  latestEpoch(): number {
    return this.epochs.length === 0 ? UNDEFINED_EPOCH : this.epochs[this.epochs.length - 1]!.epoch;
  }

  private latestOffset(): number {
    return this.epochs.length === 0 ? -1 : this.epochs[this.epochs.length - 1]!.startOffset;
  }

  private earliestOffset(): number {
    return this.epochs.length === 0 ? -1 : this.epochs[0]!.startOffset;
  }

  /** Records that `epoch` starts at `startOffset` (persisting the cache if it changed). */
  assign(epoch: number, startOffset: number): void {
    if (!this.assignEntry(epoch, startOffset)) return;
    // The cache stays monotonic: epochs strictly increase, and so do their start offsets (2.1+; the
    // KIP-101 flavour allows equal start offsets).
    const n = this.epochs.length;
    if (n >= 2) {
      const a = this.epochs[n - 2]!;
      const b = this.epochs[n - 1]!;
      invariant(a.epoch < b.epoch && (this.flavour === 'kip101' ? a.startOffset <= b.startOffset : a.startOffset < b.startOffset),
        () => `${this.path}: leader epoch cache not monotonic: (${a.epoch}, ${a.startOffset}) before (${b.epoch}, ${b.startOffset})`);
    }
    this.flush();
  }

  private assignEntry(epoch: number, startOffset: number): boolean {
    if (this.flavour === 'kip101') {
      if (epoch >= 0 && epoch > this.latestEpoch() && startOffset >= this.latestOffset()) {
        this.epochs.push({ epoch, startOffset });
        return true;
      }
      return false;
    }
    invariant(epoch >= 0 && startOffset >= 0, () => `Received invalid partition leader epoch entry EpochEntry(epoch=${epoch}, startOffset=${startOffset})`);
    const last = this.epochs[this.epochs.length - 1];
    if (last !== undefined && last.epoch === epoch && startOffset >= last.startOffset) return false;
    // Remove entries that would break monotonicity, from the end.
    while (this.epochs.length > 0) {
      const e = this.epochs[this.epochs.length - 1]!;
      if (e.epoch >= epoch || e.startOffset >= startOffset) this.epochs.pop();
      else break;
    }
    this.epochs.push({ epoch, startOffset });
    return true;
  }

  /**
   * The answer to OffsetsForLeaderEpoch(requestedEpoch): the largest epoch <= requestedEpoch and its
   * end offset (the start offset of the next larger epoch, or the LEO for the latest epoch).
   */
  endOffsetFor(requestedEpoch: number): EpochEndOffset {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedAnswer;
    if (this.epochs.length > 0 && requestedEpoch === this.latestEpoch()) return { epoch: requestedEpoch, endOffset: this.logEndOffset() };
    let higher: EpochEntry | undefined;
    let floor: EpochEntry | undefined;
    for (const e of this.epochs) {
      if (e.epoch > requestedEpoch) {
        higher = e;
        break;
      }
      floor = e;
    }
    if (higher === undefined) return undefinedAnswer;
    if (floor === undefined) {
      // Requested epoch below every cached epoch.
      return this.flavour === 'kip101' ? undefinedAnswer : { epoch: requestedEpoch, endOffset: higher.startOffset };
    }
    return { epoch: floor.epoch, endOffset: higher.startOffset };
  }

  /** Removes entries starting at or after endOffset (log truncated to endOffset). */
  truncateFromEnd(endOffset: number): void {
    if (endOffset < 0 || this.epochs.length === 0 || this.latestOffset() < endOffset) return;
    this.epochs = this.epochs.filter((e) => e.startOffset < endOffset);
    this.flush();
  }

  /** Drops entries before startOffset, keeping the epoch that covers it with startOffset as its start (log start moved). */
  truncateFromStart(startOffset: number): void {
    if (startOffset < 0 || this.epochs.length === 0) return;
    if (this.flavour === 'kip101' && !(this.earliestOffset() < startOffset)) return;
    const previous = this.epochs.filter((e) => e.startOffset <= startOffset);
    if (previous.length === 0) return;
    const subsequent = this.epochs.filter((e) => e.startOffset > startOffset);
    this.epochs = [{ epoch: previous[previous.length - 1]!.epoch, startOffset }, ...subsequent];
    this.flush();
  }

  clearAndFlush(): void {
    this.epochs = [];
    this.flush();
  }

  private flush(): void {
    this.frozenView = null;
    this.writer.write(formatEpochCheckpoint(this.epochs));
  }

  /** Whether a checkpoint write is in progress (tests). */
  get flushing(): boolean {
    return this.writer.busy;
  }

  get writes(): number {
    return this.writer.written;
  }
}
