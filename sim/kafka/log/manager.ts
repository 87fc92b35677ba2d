import type { Context } from '../../core/actor.ts';
import type { Json } from '../../core/types.ts';
import type { DiskError } from '../../env/disk.ts';
import { logConfigFor, type BrokerSettings, type LogConfig } from '../config.ts';
import {
  CheckpointWriter, formatOffsetCheckpoint, parseOffsetCheckpoint, readCheckpointText, type OffsetEntry,
} from './checkpoint.ts';
import {
  CLEAN_SHUTDOWN_FILE, DEFAULT_DATA_DIR, HW_CHECKPOINT, RECOVERY_POINT_CHECKPOINT, parseTopicPartitionName, tpKey, type TopicPartition,
} from './files.ts';
import { FsyncRouter, KafkaStorageError, check, type LogIO } from './io.ts';
import { Log, type RecoveryReport } from './log.ts';

// One data directory of a broker (kafka.log.LogManager, plus ReplicaManager's high-watermark
// checkpoint, which lives in the same directory):
// - startup(): reads the clean-shutdown marker and the recovery-point and high-watermark
//   checkpoints, loads (and recovers) every partition directory it finds, then removes the marker.
//   A broker calls this when it starts; there is no other way to get a Log.
// - periodic tasks with Kafka's schedule (first run 30 s after start, InitialTaskDelayMs): retention
//   every log.retention.check.interval.ms, the flusher every log.flush.scheduler.interval.ms, the
//   recovery-point checkpoint every log.flush.offset.checkpoint.interval.ms, and the HW checkpoint
//   every replica.high.watermark.checkpoint.interval.ms (from start).
// - truncation through the manager checkpoints the recovery points at once, as LogManager.truncateTo does.
// - shutdown(): flush every log, write the recovery points, then the clean-shutdown marker.
// - storage errors take the directory offline and call the broker's handler (Kafka halts a broker
//   whose only log directory fails).

export const INITIAL_TASK_DELAY_MS = 30_000;
/** Periods at or above this are Kafka's Long.MaxValue "never": the task runs once and is not rescheduled. */
export const NEVER_MS = 2 ** 52;

export type LogTaskName = 'kafka-log-retention' | 'kafka-log-flusher' | 'kafka-recovery-point-checkpoint' | 'highwatermark-checkpoint';

export interface PeriodicTask {
  readonly name: LogTaskName;
  readonly initialDelayMs: number;
  /** null: run once. */
  readonly periodMs: number | null;
}

export interface StartupReport {
  readonly hadCleanShutdown: boolean;
  readonly logs: { readonly [tp: string]: RecoveryReport };
}

/** A LogIO built from a process Context, with the router its actor must forward onDiskDone to. */
export function contextLogIO(ctx: Context): { io: LogIO; router: FsyncRouter } {
  const router = new FsyncRouter(ctx.disk);
  const io: LogIO = {
    disk: ctx.disk,
    nowMs: () => Math.floor(ctx.localTimeUs() / 1000),
    fsync: (path, done) => router.fsync(path, done),
    annotate: (text) => ctx.annotate(text),
    tracing: ctx.tracing,
  };
  return { io, router };
}

export class LogManager {
  private readonly logs = new Map<string, Log>();
  private readonly recoveryPointWriter: CheckpointWriter;
  private readonly hwWriter: CheckpointWriter;
  private hadCleanShutdown = false;
  private hwCheckpoint = new Map<string, number>();
  private recoveryPoints = new Map<string, number>();
  offline: KafkaStorageError | null = null;

  constructor(
    private readonly io: LogIO,
    private readonly settings: BrokerSettings,
    private readonly onOffline: (e: KafkaStorageError) => void,
    readonly dataDir: string = DEFAULT_DATA_DIR,
  ) {
    const fail = (e: KafkaStorageError): void => this.fail(e);
    this.recoveryPointWriter = new CheckpointWriter(io, `${dataDir}/${RECOVERY_POINT_CHECKPOINT}`, fail);
    this.hwWriter = new CheckpointWriter(io, `${dataDir}/${HW_CHECKPOINT}`, fail);
  }

  private fail(e: KafkaStorageError): void {
    if (this.offline !== null) return;
    this.offline = e;
    this.onOffline(e);
  }

  private readOffsets(name: string): Map<string, number> {
    const path = `${this.dataDir}/${name}`;
    const text = readCheckpointText(this.io, path);
    const out = new Map<string, number>();
    if (text === null) return out;
    const parsed = parseOffsetCheckpoint(text, path);
    if (!Array.isArray(parsed)) throw new KafkaStorageError(parsed.error, 'CORRUPT');
    for (const e of parsed) out.set(tpKey(e), e.offset);
    return out;
  }

  /**
   * Loads every log in the data directory through Kafka's recovery path. Throws KafkaStorageError
   * if the directory cannot be read (a malformed checkpoint, a failing disk): the broker must stop.
   */
  startup(): StartupReport {
    const disk = this.io.disk;
    const marker = `${this.dataDir}/${CLEAN_SHUTDOWN_FILE}`;
    this.hadCleanShutdown = disk.exists(marker);
    this.recoveryPoints = this.readOffsets(RECOVERY_POINT_CHECKPOINT);
    this.hwCheckpoint = this.readOffsets(HW_CHECKPOINT);
    const prefix = `${this.dataDir}/`;
    const dirs = new Set<string>();
    for (const p of disk.list(prefix)) {
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash > 0) dirs.add(rest.slice(0, slash));
    }
    const reports: { [tp: string]: RecoveryReport } = {};
    for (const name of [...dirs].sort()) {
      const tp = parseTopicPartitionName(name);
      if (tp === null) continue;
      const { log, report } = this.loadLog(tp, logConfigFor(this.settings));
      reports[log.name] = report;
      if (this.io.tracing && (report.truncatedBytes > 0 || report.deleted.length > 0)) {
        this.io.annotate(`${log.name}: recovery truncated ${report.truncatedBytes} bytes; ${report.messages.join(' ')}`);
      }
    }
    if (this.hadCleanShutdown) check(disk.delete(marker), `delete ${marker}`);
    return { hadCleanShutdown: this.hadCleanShutdown, logs: reports };
  }

  private loadLog(tp: TopicPartition, config: LogConfig): { log: Log; report: RecoveryReport } {
    const key = tpKey(tp);
    const loaded = Log.load({
      io: this.io,
      dir: `${this.dataDir}/${key}`,
      tp,
      config,
      features: this.settings.features,
      recoveryPoint: this.recoveryPoints.get(key) ?? 0,
      hadCleanShutdown: this.hadCleanShutdown,
      onStorageError: (e) => this.fail(e),
    });
    // The HW starts from the checkpoint, clamped to the log (Partition.createLogIfNotExists).
    loaded.log.updateHighWatermark(this.hwCheckpoint.get(key) ?? 0);
    this.logs.set(key, loaded.log);
    return loaded;
  }

  getLog(tp: TopicPartition | string): Log | undefined {
    return this.logs.get(typeof tp === 'string' ? tp : tpKey(tp));
  }

  /** The partition's log, created empty if this broker has none yet (LogManager.getOrCreateLog). */
  getOrCreateLog(tp: TopicPartition, config: LogConfig = logConfigFor(this.settings)): Log {
    const existing = this.logs.get(tpKey(tp));
    if (existing !== undefined) return existing;
    return this.loadLog(tp, config).log;
  }

  allLogs(): Log[] {
    return [...this.logs.values()];
  }

  /** The HW read from replication-offset-checkpoint at startup (what a restarted 0.10.2 follower truncates to). */
  checkpointedHighWatermark(tp: TopicPartition): number | undefined {
    return this.hwCheckpoint.get(tpKey(tp));
  }

  // ---------------------------------------------------------------- truncation through the manager

  /** Truncates logs; if any changed, writes the recovery points at once (LogManager.truncateTo). */
  truncateTo(offsets: ReadonlyMap<string, number>): void {
    let changed = false;
    for (const [key, offset] of offsets) {
      const log = this.logs.get(key);
      if (log !== undefined && log.truncateTo(offset)) changed = true;
    }
    if (changed) this.checkpointRecoveryPoints();
  }

  truncateFullyAndStartAt(tp: TopicPartition, newOffset: number): void {
    const log = this.logs.get(tpKey(tp));
    if (log === undefined) return;
    log.truncateFullyAndStartAt(newOffset);
    this.checkpointRecoveryPoints();
  }

  // ---------------------------------------------------------------- periodic work

  periodicTasks(): PeriodicTask[] {
    const p = (ms: number): number | null => (ms >= NEVER_MS ? null : ms);
    return [
      { name: 'kafka-log-retention', initialDelayMs: INITIAL_TASK_DELAY_MS, periodMs: p(this.settings.logRetentionCheckIntervalMs) },
      { name: 'kafka-log-flusher', initialDelayMs: INITIAL_TASK_DELAY_MS, periodMs: p(this.settings.logFlushSchedulerIntervalMs) },
      { name: 'kafka-recovery-point-checkpoint', initialDelayMs: INITIAL_TASK_DELAY_MS, periodMs: p(this.settings.logFlushOffsetCheckpointIntervalMs) },
      { name: 'highwatermark-checkpoint', initialDelayMs: 0, periodMs: p(this.settings.replicaHighWatermarkCheckpointIntervalMs) },
    ];
  }

  runTask(name: LogTaskName): void {
    if (this.offline !== null) return;
    try {
      switch (name) {
        case 'kafka-log-retention':
          this.cleanupLogs();
          return;
        case 'kafka-log-flusher':
          this.flushDirtyLogs();
          return;
        case 'kafka-recovery-point-checkpoint':
          this.checkpointRecoveryPoints();
          return;
        case 'highwatermark-checkpoint':
          this.checkpointHighWatermarks();
          return;
      }
    } catch (e) {
      if (e instanceof KafkaStorageError) return this.fail(e);
      throw e;
    }
  }

  /** Retention over every log; returns the number of segments deleted. */
  cleanupLogs(): number {
    let n = 0;
    const now = this.io.nowMs();
    for (const log of this.logs.values()) n += log.deleteOldSegments(now);
    return n;
  }

  /** LogManager.flushDirtyLogs: flush every log whose last flush is log.flush.interval.ms old. */
  flushDirtyLogs(): void {
    const now = this.io.nowMs();
    for (const log of this.logs.values()) {
      if (now - log.lastFlushedMs >= log.config.flushMs) log.flush();
    }
  }

  private entries(value: (log: Log) => number): OffsetEntry[] {
    return [...this.logs.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((log) => ({ topic: log.tp.topic, partition: log.tp.partition, offset: value(log) }));
  }

  checkpointRecoveryPoints(done?: () => void): void {
    this.recoveryPointWriter.write(formatOffsetCheckpoint(this.entries((l) => l.recoveryPoint)), done);
  }

  /** ReplicaManager.checkpointHighWatermarks: every local log's HW. */
  checkpointHighWatermarks(done?: () => void): void {
    this.hwWriter.write(formatOffsetCheckpoint(this.entries((l) => l.highWatermark)), done);
  }

  /** Clean shutdown: flush all logs, checkpoint recovery points and HWs, then write the marker. */
  shutdown(done: () => void): void {
    const logs = [...this.logs.values()];
    let left = logs.length;
    const afterFlush = (): void => {
      let writes = 2;
      const afterCheckpoints = (): void => {
        if (--writes > 0) return;
        const marker = `${this.dataDir}/${CLEAN_SHUTDOWN_FILE}`;
        const err: DiskError | null = this.io.disk.exists(marker) ? null : this.io.disk.create(marker);
        if (err !== null) return this.fail(new KafkaStorageError(`create ${marker}: ${err}`, err));
        this.io.fsync(marker, () => done());
      };
      this.checkpointRecoveryPoints(afterCheckpoints);
      this.checkpointHighWatermarks(afterCheckpoints);
    };
    if (left === 0) return afterFlush();
    for (const log of logs) log.flush(log.logEndOffset, () => {
      if (--left === 0) afterFlush();
    });
  }

  inspect(): Json {
    const out: { [tp: string]: Json } = {};
    for (const [k, log] of [...this.logs].sort()) out[k] = log.inspect();
    return { dataDir: this.dataDir, offline: this.offline === null ? null : this.offline.message, logs: out };
  }
}
