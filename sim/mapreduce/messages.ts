// MapReduce's own messages: the task umbilical (TaskUmbilicalProtocol: task -> MRAppMaster), map
// completion events for reduces (getMapCompletionEvents), and the shuffle (Fetcher ->
// ShuffleHandler). AM <-> RM and AM -> NM traffic is YARN's (sim/yarn/messages.ts); HDFS traffic is
// HDFS's. Task and AM programs live in NodeManagers, so every message goes to an NM's pid and the
// NM's MapReduce service routes it: `amAttempt` names the MRAppMaster (its YARN attempt id),
// `attemptId` a task attempt.

/** A task container's launch arguments (the launch context's environment in Hadoop). Plain JSON. */
export type TaskSpec = {
  readonly role: 'task';
  readonly kind: 'map' | 'reduce';
  readonly jobId: string;
  readonly taskId: string;
  readonly attemptId: string;
  readonly index: number;
  /** The AM's YARN attempt id and the NodeManager process it runs in. */
  readonly amAttempt: string;
  readonly amNm: string;
  /** Application attempt number (FileOutputCommitter's appAttemptId for the _temporary paths). */
  readonly appAttempt: number;
  readonly maps: number;
  readonly reduces: number;
  /** The split of a map: its file and byte range. */
  readonly split: { readonly path: string; readonly start: number; readonly length: number } | null;
  readonly outputDir: string;
  readonly committerVersion: 1 | 2;
  /** The task's modelled run time (ms) before its I/O. */
  readonly computeMs: number;
};

/** The AM container's launch arguments. */
export type AmSpec = {
  readonly role: 'am';
  readonly user: string;
  readonly queue: string;
  readonly mapMs: number;
  readonly reduceMs: number;
  /** Maps whose attempts run `slowFactor` times longer on this host (a slow node, for speculation). */
  readonly slowHost: string;
  readonly slowFactor: number;
};

export interface MrStatusUpdate {
  readonly type: 'MrStatusUpdate';
  readonly amAttempt: string;
  readonly attemptId: string;
  readonly phase: 'MAP' | 'SHUFFLE' | 'REDUCE' | 'COMMIT';
  readonly progress: number;
  /** Map attempts this reduce could not fetch from since its last update (TaskStatus.fetchFailedMaps). */
  readonly fetchFailedMaps: readonly string[];
}

export interface MrDone {
  readonly type: 'MrDone';
  readonly amAttempt: string;
  readonly attemptId: string;
  /** The NM process serving a map's output. */
  readonly nm: string;
}

export interface MrDoneAck {
  readonly type: 'MrDoneAck';
  readonly attemptId: string;
}

export interface MrCanCommit {
  readonly type: 'MrCanCommit';
  readonly amAttempt: string;
  readonly attemptId: string;
}

export interface MrCanCommitAnswer {
  readonly type: 'MrCanCommitAnswer';
  readonly attemptId: string;
  readonly ok: boolean;
}

export interface MrFatal {
  readonly type: 'MrFatal';
  readonly amAttempt: string;
  readonly attemptId: string;
  readonly error: string;
}

export interface MapEvent {
  readonly map: number;
  readonly attemptId: string;
  readonly nm: string;
  readonly status: 'SUCCEEDED' | 'OBSOLETE';
}

export interface MrGetMapEvents {
  readonly type: 'MrGetMapEvents';
  readonly amAttempt: string;
  readonly attemptId: string;
  readonly fromIndex: number;
}

export interface MrMapEvents {
  readonly type: 'MrMapEvents';
  readonly attemptId: string;
  readonly fromIndex: number;
  readonly events: readonly MapEvent[];
  /** The AM does not know this attempt (a later AM attempt, or it was killed): the task should end. */
  readonly shouldDie: boolean;
}

export interface ShuffleFetch {
  readonly type: 'ShuffleFetch';
  readonly jobId: string;
  readonly mapAttempt: string;
  readonly reduce: number;
  readonly reduceAttempt: string;
  readonly xid: number;
}

export interface ShuffleData {
  readonly type: 'ShuffleData';
  readonly reduceAttempt: string;
  readonly xid: number;
  readonly mapAttempt: string;
  /** The partition's records, or the ShuffleHandler's error. */
  readonly records: readonly (readonly [string, number])[] | null;
  readonly error: string;
}

export type ToMrAm = MrStatusUpdate | MrDone | MrCanCommit | MrFatal | MrGetMapEvents;
export type ToMrTask = MrDoneAck | MrCanCommitAnswer | MrMapEvents | ShuffleData;
export type MrMessage = ToMrAm | ToMrTask | ShuffleFetch;

export const MR_TO_AM: ReadonlySet<string> = new Set<ToMrAm['type']>(['MrStatusUpdate', 'MrDone', 'MrCanCommit', 'MrFatal', 'MrGetMapEvents']);
export const MR_TO_TASK: ReadonlySet<string> = new Set<ToMrTask['type']>(['MrDoneAck', 'MrCanCommitAnswer', 'MrMapEvents', 'ShuffleData']);
