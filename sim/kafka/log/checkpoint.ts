import type { DiskError } from '../../env/disk.ts';
import { check, KafkaStorageError, type LogIO } from './io.ts';
import { TMP_SUFFIX } from './files.ts';

// Checkpoint files (kafka.server.checkpoints.CheckpointFile): a version line (0), a count line, then
// one entry per line. OffsetCheckpointFile entries are "topic partition offset";
// LeaderEpochCheckpointFile entries are "epoch startOffset".
//
// Kafka writes a checkpoint to "<file>.tmp", fsyncs it, and atomically renames it over the file, so
// the file is always a complete old or new version. The write is synchronous in Kafka; in dsim the
// fsync completes later, so CheckpointWriter keeps the steps in order per file (write temp, fsync,
// rename) and, if a newer version is written meanwhile, writes that one next. Until the rename the
// file on disk holds the previous complete version, which is what a crash in that window leaves in
// Kafka too.

export const CHECKPOINT_VERSION = 0;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function formatCheckpoint(lines: readonly string[]): string {
  return `${CHECKPOINT_VERSION}\n${lines.length}\n${lines.map((l) => `${l}\n`).join('')}`;
}

/** Parses the common frame; returns the entry lines or Kafka's error text. */
export function parseCheckpointFrame(text: string, path: string): string[] | { error: string } {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length < 2) return { error: `Malformed line in checkpoint file (${path}): '${lines[0] ?? ''}'` };
  const version = Number(lines[0]);
  if (!/^-?\d+$/.test(lines[0]!) || version !== CHECKPOINT_VERSION) {
    return { error: `Unrecognized version of the checkpoint file (${path}): ${lines[0]}` };
  }
  if (!/^\d+$/.test(lines[1]!)) return { error: `Malformed line in checkpoint file (${path}): '${lines[1]}'` };
  const expected = Number(lines[1]);
  const entries = lines.slice(2);
  if (entries.length !== expected) return { error: `Expected ${expected} entries in checkpoint file (${path}), but found only ${entries.length}` };
  return entries;
}

export interface OffsetEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export function formatOffsetCheckpoint(entries: readonly OffsetEntry[]): string {
  return formatCheckpoint(entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`));
}

export function parseOffsetCheckpoint(text: string, path: string): OffsetEntry[] | { error: string } {
  const frame = parseCheckpointFrame(text, path);
  if (!Array.isArray(frame)) return frame;
  const out: OffsetEntry[] = [];
  for (const line of frame) {
    const m = /^(\S+) (\d+) (-?\d+)$/.exec(line);
    if (m === null) return { error: `Malformed line in checkpoint file (${path}): '${line}'` };
    out.push({ topic: m[1]!, partition: Number(m[2]), offset: Number(m[3]) });
  }
  return out;
}

export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

export function formatEpochCheckpoint(entries: readonly EpochEntry[]): string {
  return formatCheckpoint(entries.map((e) => `${e.epoch} ${e.startOffset}`));
}

export function parseEpochCheckpoint(text: string, path: string): EpochEntry[] | { error: string } {
  const frame = parseCheckpointFrame(text, path);
  if (!Array.isArray(frame)) return frame;
  const out: EpochEntry[] = [];
  for (const line of frame) {
    const m = /^(-?\d+) (-?\d+)$/.exec(line);
    if (m === null) return { error: `Malformed line in checkpoint file (${path}): '${line}'` };
    out.push({ epoch: Number(m[1]), startOffset: Number(m[2]) });
  }
  return out;
}

/** Reads a checkpoint file's text; null if it does not exist. */
export function readCheckpointText(io: LogIO, path: string): string | null {
  const data = io.disk.readAll(path);
  if (data === 'ENOENT') return null;
  return decoder.decode(data);
}

/** Writes checkpoint files safely (temp, fsync, rename), one write in progress per file. */
export class CheckpointWriter {
  private inProgress = false;
  private queued: string | null = null;
  private readonly waiters: (() => void)[] = [];
  /** Completed renames (for tests and inspect). */
  written = 0;

  constructor(private readonly io: LogIO, readonly path: string, private readonly onError: (e: KafkaStorageError) => void) {}

  /** Schedules the file to become `text`; `done` runs once this version (or a newer one) is in place. */
  write(text: string, done?: () => void): void {
    if (done !== undefined) this.waiters.push(done);
    if (this.inProgress) {
      this.queued = text;
      return;
    }
    this.start(text);
  }

  get busy(): boolean {
    return this.inProgress;
  }

  private start(text: string): void {
    const tmp = this.path + TMP_SUFFIX;
    const disk = this.io.disk;
    try {
      if (disk.exists(tmp)) check(disk.delete(tmp), `delete ${tmp}`);
      check(disk.write(tmp, 0, encoder.encode(text)), `write ${tmp}`);
    } catch (e) {
      if (e instanceof KafkaStorageError) return this.onError(e);
      throw e;
    }
    this.inProgress = true;
    const waiters = this.waiters.splice(0);
    this.io.fsync(tmp, (err: DiskError | null) => this.fsynced(tmp, err, waiters));
  }

  private fsynced(tmp: string, err: DiskError | null, waiters: (() => void)[]): void {
    this.inProgress = false;
    if (err === null) err = this.io.disk.rename(tmp, this.path);
    if (err !== null) return this.onError(new KafkaStorageError(`checkpoint ${this.path}: ${err}`, err));
    this.written++;
    for (const w of waiters) w();
    const next = this.queued;
    if (next !== null) {
      this.queued = null;
      this.start(next);
    }
  }
}
