import { invariant } from '../../core/invariant.ts';
import type { MapEvent } from '../messages.ts';

// JobImpl / TaskImpl / TaskAttemptImpl state, reduced to what the MRAppMaster decides with: tasks
// with their attempts, the failure count of each task (FAILED attempts only: killed ones do not
// count), the map completion events reduces read, and fetch-failure accounting
// (JobImpl.TaskAttemptFetchFailureTransition).

export type AttemptState = 'UNASSIGNED' | 'ASSIGNED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'KILLED';
export type TaskState = 'SCHEDULED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
export type Locality = 'DATA_LOCAL' | 'RACK_LOCAL' | 'OTHER_LOCAL' | null;

export interface Split {
  readonly path: string;
  readonly start: number;
  readonly length: number;
  readonly hosts: readonly string[];
  readonly racks: readonly string[];
}

export interface Attempt {
  readonly id: string;
  readonly task: Task;
  state: AttemptState;
  containerId: string | null;
  /** NodeManager process and node of its container. */
  nm: string | null;
  node: string | null;
  startUs: number;
  endUs: number;
  readonly speculative: boolean;
  /** A map's output failed to fetch so many times (notifications from reduces). */
  fetchFailures: number;
  /** A failed map's new attempt is asked for at PRIORITY_FAST_FAIL_MAP. */
  readonly rescheduled: boolean;
  locality: Locality;
  /** The reduce's phase from its last status update. */
  phase: string;
}

export interface Task {
  readonly id: string;
  readonly kind: 'map' | 'reduce';
  readonly index: number;
  readonly split: Split | null;
  readonly attempts: Attempt[];
  state: TaskState;
  /** FAILED attempts (TaskImpl.failedAttempts). */
  failed: number;
  readonly maxAttempts: number;
  successful: Attempt | null;
  /** The attempt allowed to commit (TaskImpl.commitAttempt). */
  commitAttempt: string | null;
  recovered: boolean;
  speculated: boolean;
}

export function taskId(jobId: string, kind: 'map' | 'reduce', index: number): string {
  return `task_${jobId.slice(4)}_${kind === 'map' ? 'm' : 'r'}_${String(index).padStart(6, '0')}`;
}

export class Job {
  readonly maps: Task[] = [];
  readonly reduces: Task[] = [];
  readonly byAttempt = new Map<string, Attempt>();
  readonly byContainer = new Map<string, Attempt>();
  readonly events: MapEvent[] = [];
  /** Attempt numbers of this AM attempt start here, so ids never repeat across AM attempts. */
  private readonly attemptBase: number;
  readonly counters = { launchedMaps: 0, launchedReduces: 0, dataLocal: 0, rackLocal: 0, otherLocal: 0, failedMaps: 0, failedReduces: 0, killedMaps: 0, killedReduces: 0, speculative: 0, recovered: 0, fetchFailureReruns: 0 };

  constructor(readonly jobId: string, amAttempt: number) {
    this.attemptBase = 1000 * (amAttempt - 1);
  }

  addTask(kind: 'map' | 'reduce', index: number, split: Split | null, maxAttempts: number): Task {
    const t: Task = { id: taskId(this.jobId, kind, index), kind, index, split, attempts: [], state: 'SCHEDULED', failed: 0, maxAttempts, successful: null, commitAttempt: null, recovered: false, speculated: false };
    (kind === 'map' ? this.maps : this.reduces).push(t);
    return t;
  }

  get tasks(): Task[] {
    return [...this.maps, ...this.reduces];
  }

  newAttempt(t: Task, nowUs: number, speculative: boolean, rescheduled: boolean): Attempt {
    const n = this.attemptBase + t.attempts.length;
    const a: Attempt = {
      id: `attempt_${t.id.slice(5)}_${n}`, task: t, state: 'UNASSIGNED', containerId: null, nm: null, node: null, startUs: nowUs, endUs: 0,
      speculative, fetchFailures: 0, rescheduled, locality: null, phase: '',
    };
    t.attempts.push(a);
    this.byAttempt.set(a.id, a);
    if (speculative) this.counters.speculative++;
    return a;
  }

  live(t: Task): Attempt[] {
    return t.attempts.filter((a) => a.state === 'UNASSIGNED' || a.state === 'ASSIGNED' || a.state === 'RUNNING');
  }

  completedMaps(): number {
    return this.maps.filter((t) => t.state === 'SUCCEEDED').length;
  }

  /** Reduces in their shuffle (JobImpl's shufflingReduceTasks). */
  shufflingReduces(): number {
    let n = 0;
    for (const t of this.reduces) for (const a of this.live(t)) if (a.state === 'RUNNING' && a.phase === 'SHUFFLE') n++;
    return n;
  }

  /** An attempt ended; returns whether its task needs another attempt. */
  end(a: Attempt, state: 'FAILED' | 'KILLED', nowUs: number): boolean {
    invariant(a.state !== 'SUCCEEDED' || a.task.kind === 'map', `${a.id}: a succeeded reduce attempt cannot end again`);
    const wasSucceeded = a.state === 'SUCCEEDED';
    a.state = state;
    a.endUs = nowUs;
    const t = a.task;
    if (state === 'FAILED') {
      t.failed++;
      if (t.kind === 'map') this.counters.failedMaps++;
      else this.counters.failedReduces++;
    } else if (t.kind === 'map') this.counters.killedMaps++;
    else this.counters.killedReduces++;
    if (t.commitAttempt === a.id) t.commitAttempt = null;
    if (wasSucceeded) {
      // A completed map lost its output: the task runs again and reduces learn the old output is obsolete.
      t.successful = null;
      t.state = 'SCHEDULED';
      this.events.push({ map: t.index, attemptId: a.id, nm: a.nm ?? '', status: 'OBSOLETE' });
    }
    if (t.state === 'SUCCEEDED' || t.state === 'FAILED') return false;
    if (t.failed >= t.maxAttempts) {
      t.state = 'FAILED';
      return false;
    }
    return this.live(t).length === 0;
  }

  succeed(a: Attempt, nowUs: number): void {
    const t = a.task;
    invariant(t.state !== 'SUCCEEDED', `${t.id} succeeded twice`);
    a.state = 'SUCCEEDED';
    a.endUs = nowUs;
    t.state = 'SUCCEEDED';
    t.successful = a;
    if (t.kind === 'map') this.events.push({ map: t.index, attemptId: a.id, nm: a.nm!, status: 'SUCCEEDED' });
  }
}
