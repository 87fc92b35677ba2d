import type { DiskView } from '../../core/actor.ts';
import type { DiskError } from '../../env/disk.ts';

// What the log layer needs from its process: the disk, the local wall clock, and fsync with a
// completion callback. The broker (or a test actor) owns an FsyncRouter and forwards its
// Actor.onDiskDone to it; everything else in the log layer is synchronous, as in Kafka, except that
// an fsync completes later (simulated disks take time to write back).

export interface LogIO {
  readonly disk: DiskView;
  /** Wall-clock milliseconds of the host (Kafka's time.milliseconds): timestamps, roll, retention, flush.ms. */
  nowMs(): number;
  /** fsync(path); `done` runs when the data written so far is on the media. */
  fsync(path: string, done: (err: DiskError | null) => void): void;
  /** Trace narration (no-op when not tracing). */
  annotate(text: string): void;
  readonly tracing: boolean;
}

/** The tag dsim's Kafka code passes to DiskView.fsync. */
export interface KafkaFsyncTag {
  readonly kafkaFsync: number;
}

export function isKafkaFsyncTag(tag: unknown): tag is KafkaFsyncTag {
  return typeof tag === 'object' && tag !== null && typeof (tag as { kafkaFsync?: unknown }).kafkaFsync === 'number';
}

/** Turns DiskView.fsync(path, tag) + Actor.onDiskDone(tag) into fsync(path, callback). */
export class FsyncRouter {
  private nextId = 1;
  private readonly waiting = new Map<number, (err: DiskError | null) => void>();

  constructor(private readonly disk: DiskView) {}

  fsync(path: string, done: (err: DiskError | null) => void): void {
    const id = this.nextId++;
    this.waiting.set(id, done);
    const tag: KafkaFsyncTag = { kafkaFsync: id };
    this.disk.fsync(path, tag);
  }

  /** Forward Actor.onDiskDone here; returns false if the tag is not ours. */
  onDiskDone(tag: unknown, err: DiskError | null): boolean {
    if (!isKafkaFsyncTag(tag)) return false;
    const cb = this.waiting.get(tag.kafkaFsync);
    if (cb === undefined) return true;
    this.waiting.delete(tag.kafkaFsync);
    cb(err);
    return true;
  }

  get pending(): number {
    return this.waiting.size;
  }
}

/**
 * A disk operation failed (EIO, ENOSPC). Kafka turns an IOException in the log layer into
 * KafkaStorageException and takes the log directory offline (LogDirFailureChannel); a broker whose
 * only log directory fails halts. The log layer marks its directory offline and throws this to
 * abort the operation; the broker catches it at the top of its handler and stops.
 */
export class KafkaStorageError extends Error {
  override readonly name = 'KafkaStorageException';
  constructor(message: string, readonly diskError: DiskError | 'CORRUPT') {
    super(message);
  }
}

/** Throws KafkaStorageError if a disk call returned an error. */
export function check(err: DiskError | null, what: string): void {
  if (err !== null) throw new KafkaStorageError(`${what}: ${err}`, err);
}
