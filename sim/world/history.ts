// Client operation history, as Jepsen records it: every operation is an `invoke` followed by at
// most one completion: `ok` (it happened), `fail` (it certainly did not happen) or `info` (unknown:
// it may or may not have happened, e.g. a timeout). Checkers read the history after the run.

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** One history entry. `opId` ties an invoke to its completion. Times are simulated microseconds. */
export interface HistoryEntry {
  readonly opId: number;
  readonly type: OpType;
  /** The client process that issued the operation (its name, e.g. "client-1"). */
  readonly process: string;
  /** Operation function: "read", "write", "cas", "append", "produce", "create", ... */
  readonly f: string;
  /** Key or partition the operation addresses; null for single-register models. */
  readonly key: string | null;
  /** Invoke: the argument. ok: the result (a read's value, a produce's offset). */
  readonly value: unknown;
  readonly timeUs: number;
  /** Event seq in the run at which this entry was recorded. */
  readonly seq: number;
  /** Optional error or detail text on fail/info. */
  readonly error?: string;
}

/** A completed operation: invoke paired with its completion (or none, treated as info). */
export interface Operation {
  readonly opId: number;
  readonly process: string;
  readonly f: string;
  readonly key: string | null;
  readonly input: unknown;
  readonly output: unknown;
  readonly status: 'ok' | 'fail' | 'info';
  readonly invokeUs: number;
  /** Completion time; Infinity for info/pending operations (they may take effect any time later). */
  readonly completeUs: number;
  readonly error?: string;
}

export class History {
  private readonly entries: HistoryEntry[] = [];
  private nextOpId = 1;
  /** Invokes not yet completed, by opId (ids are dense: an array, not a Map that rehashes as it shrinks). */
  private readonly open: (HistoryEntry | undefined)[] = [];

  private readonly completionListeners: ((e: HistoryEntry) => void)[] = [];

  constructor(private readonly seqOf: () => number, private readonly nowUs: () => number) {}

  /** Calls `cb` with every completion as it is recorded (a checker that judges an operation when it completes). */
  onComplete(cb: (e: HistoryEntry) => void): void {
    this.completionListeners.push(cb);
  }

  invoke(process: string, f: string, key: string | null, value: unknown): number {
    const opId = this.nextOpId++;
    const e: HistoryEntry = { opId, type: 'invoke', process, f, key, value, timeUs: this.nowUs(), seq: this.seqOf() };
    this.entries.push(e);
    this.open[opId] = e;
    return opId;
  }

  complete(opId: number, type: 'ok' | 'fail' | 'info', value: unknown, error?: string): void {
    const inv = this.open[opId];
    if (inv === undefined) throw new Error(`history: completion of unknown or already completed op ${opId}`);
    this.open[opId] = undefined;
    const e: HistoryEntry = {
      opId, type, process: inv.process, f: inv.f, key: inv.key, value,
      timeUs: this.nowUs(), seq: this.seqOf(), ...(error !== undefined ? { error } : {}),
    };
    this.entries.push(e);
    for (const cb of this.completionListeners) cb(e);
  }

  /** True while the operation has been invoked but not completed. */
  isOpen(opId: number): boolean {
    return this.open[opId] !== undefined;
  }

  all(): readonly HistoryEntry[] {
    return this.entries;
  }

  /**
   * Pairs invokes with completions; ops never completed are reported as info (unknown). Several
   * checkers read it at the end of a run: the pairing is kept until the history grows.
   */
  operations(): readonly Operation[] {
    if (this.paired === null || this.pairedEntries !== this.entries.length) {
      this.paired = pairOperations(this.entries);
      this.pairedEntries = this.entries.length;
    }
    return this.paired;
  }

  private paired: readonly Operation[] | null = null;
  private pairedEntries = 0;
}

export function pairOperations(entries: readonly HistoryEntry[]): Operation[] {
  const invokes = new Map<number, HistoryEntry>();
  const ops: Operation[] = [];
  const done = new Set<number>();
  for (const e of entries) {
    if (e.type === 'invoke') {
      invokes.set(e.opId, e);
      continue;
    }
    const inv = invokes.get(e.opId);
    if (inv === undefined) throw new Error(`history: completion without invoke for op ${e.opId}`);
    done.add(e.opId);
    ops.push({
      opId: e.opId, process: inv.process, f: inv.f, key: inv.key, input: inv.value,
      output: e.type === 'ok' ? e.value : undefined, status: e.type,
      invokeUs: inv.timeUs, completeUs: e.type === 'info' ? Infinity : e.timeUs,
      ...(e.error !== undefined ? { error: e.error } : {}),
    });
  }
  for (const inv of invokes.values()) {
    if (done.has(inv.opId)) continue;
    ops.push({
      opId: inv.opId, process: inv.process, f: inv.f, key: inv.key, input: inv.value,
      output: undefined, status: 'info', invokeUs: inv.timeUs, completeUs: Infinity,
    });
  }
  ops.sort((a, b) => a.invokeUs - b.invokeUs || a.opId - b.opId);
  return ops;
}
