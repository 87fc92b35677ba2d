import type { Config } from './config.ts';
import type { Rng } from './rng.ts';
import type { DiskError, Json, Message, ProcessId } from './types.ts';
import type { ObservationData, ObservationKind } from './observation.ts';

// The seam. Protocol code is an Actor: a sans-I/O state machine driven by the world through four
// handlers (start is the factory call itself). It acts only through its Context. Handlers are
// synchronous and run to completion; nothing here may read the wall clock, global randomness or timers.

export type TimerId = number;

export interface Actor<M extends Message = Message, T = unknown> {
  /** A message arrived from another process. */
  onMessage(from: ProcessId, msg: M): void;
  /** A timer set with ctx.setTimer fired. */
  onTimer(tag: T): void;
  /** An asynchronous disk operation (fsync, readAsync) completed. */
  onDiskDone?(tag: unknown, error: DiskError | null, data?: Uint8Array): void;
  /** The stream connection to `peer` closed (peer process died with its host up, reset, or timed out). */
  onDisconnect?(peer: ProcessId): void;
  /**
   * An orderly stop was requested (SIGTERM: kafka-server-stop.sh, systemctl stop). The actor does
   * what its real counterpart does on shutdown and then calls ctx.exit(). Without this handler the
   * process is killed at once.
   */
  onShutdown?(): void;
  /** A JSON view of observable state: role, epochs, offsets... Checkers, the summary and the visualizer read it. */
  inspect(): Json;
}

/**
 * Builds a fresh actor on every (re)start: whatever the previous incarnation held in memory is gone.
 * Recovery from disk happens here, through ctx.disk.
 */
export type ActorFactory = (ctx: Context) => Actor;
// Handlers are declared as methods, so an Actor<KafkaMessage, KafkaTimer> is assignable to Actor.

/** A process's view of its host's disk, rooted at a directory of its own. */
export interface DiskView {
  exists(path: string): boolean;
  size(path: string): number;
  list(prefix?: string): string[];
  create(path: string): DiskError | null;
  append(path: string, data: Uint8Array): DiskError | null;
  write(path: string, offset: number, data: Uint8Array): DiskError | null;
  read(path: string, offset: number, length: number): Uint8Array | 'ENOENT';
  /**
   * Like read, without a copy: a view of the page cache that later writes do not change. The caller
   * must never write to it. Optional (an in-memory test disk may only have read).
   */
  readView?(path: string, offset: number, length: number): Uint8Array | 'ENOENT';
  /**
   * Bits flipped in this host's page cache so far (disk corruption faults). Code that remembers
   * where things lie in a file can tell that bytes changed under it. Optional, like readView.
   */
  readonly cacheFlips?: number;
  /** Bytes used and the capacity of this host's disk (a disk-full fault caps it at what is used). Optional, like readView. */
  usage?(): { readonly usedBytes: number; readonly capacityBytes: number };
  readAll(path: string): Uint8Array | 'ENOENT';
  truncate(path: string, size: number): DiskError | null;
  rename(from: string, to: string): DiskError | null;
  delete(path: string): DiskError | null;
  /** Completes through Actor.onDiskDone(tag, error). */
  fsync(path: string, tag: unknown): void;
  /** Completes through Actor.onDiskDone(tag, error, data), paced by the disk's read bandwidth. */
  readAsync(path: string, offset: number, length: number, tag: unknown): void;
}

export interface Context {
  readonly pid: ProcessId;
  readonly name: string;
  readonly hostName: string;
  readonly system: string;
  /** Starts at 1 and grows with every restart. */
  readonly incarnation: number;
  /** This process's random stream (forked from the run seed by process name). */
  readonly rng: Rng;
  readonly config: Config;
  readonly disk: DiskView;
  /** True when a trace is being written: build annotation strings only then. */
  readonly tracing: boolean;
  /** Simulated time in microseconds. */
  nowUs(): number;
  /** The host's local clock in microseconds (offset and drift applied): for leases and sessions. */
  localTimeUs(): number;
  lookup(name: string): ProcessId;
  nameOf(pid: ProcessId): string;
  /** Sends on the TCP-like stream to `to`: FIFO, no loss or duplication while the connection lives. */
  send<M extends Message>(to: ProcessId, msg: M, bytes: number): void;
  /** Sends a datagram: may be lost, duplicated or reordered by link faults. */
  sendDatagram<M extends Message>(to: ProcessId, msg: M, bytes: number): void;
  /** Closes the stream connections with `peer` (both directions); the peer learns of it if reachable. */
  disconnect(peer: ProcessId): void;
  /** Fires Actor.onTimer(tag) after delayUs of local clock time. */
  setTimer(delayUs: number, tag: unknown): TimerId;
  cancelTimer(id: TimerId): void;
  /** A human-readable reason for what just happened (trace narration). No-op when not tracing. */
  annotate(text: string): void;
  /** Reports a protocol-level observation to checkers; kinds and their data are declared per system (core/observation.ts). */
  observe<K extends ObservationKind>(kind: K, data: ObservationData<K>): void;
  /** Client history: records an operation's invocation and returns its id. */
  invoke(f: string, key: string | null, value: unknown): number;
  complete(opId: number, type: 'ok' | 'fail' | 'info', value: unknown, error?: string): void;
  /** The process stops itself (a fatal error, System.exit): same as a crash. */
  exit(reason: string): void;
}
