import { invariant } from '../core/invariant.ts';
import { ExitStatus, NOT_COUNTED_EXITS, type AllocateResponse, type ContainerGrant, type FinishApplicationMasterResponse, type RegisterApplicationMasterResponse, type StartContainersResponse, type YarnMessage } from './messages.ts';
import type { YarnObservations } from './observations.ts';
import { ANY, type ResourceRequest } from './scheduler/types.ts';
import type { AppSpec, TaskGroup } from './workload.ts';

// A synthetic ApplicationMaster (SLS's AMSimulator / MRAMSimulator): registers with the RM,
// heartbeats allocate() every interval with its outstanding asks (one table per priority: the
// hosts and racks its tasks prefer and '*'; only changed entries are sent, since each replaces the
// previous one at the RM), launches each granted container on its NodeManager for the task's
// duration, asks again for tasks whose containers were lost (preempted, aborted, killed) or
// failed, moves to the next phase (reduces after maps) when a phase is done, and unregisters with
// finishApplicationMaster once every task succeeded. A task failing mapreduce's 4 attempts fails
// the application. It runs inside the NodeManager that launched its AM container (AmHost).

export interface AmHost {
  nowUs(): number;
  send(to: string, msg: YarnMessage, bytes: number): void;
  /** Sets or replaces the AM's single heartbeat timer. */
  heartbeatIn(delayUs: number): void;
  /** The AM process ends with this exit status (its container completes). */
  exit(exitStatus: number, why: string): void;
  observeAm(data: YarnObservations['yarn-am']): void;
}

const NO_ASKS: readonly ResourceRequest[] = Object.freeze([]);

/** Heartbeats without an answer before an allocate() is sent again. */
const RESEND_AFTER_HEARTBEATS = 10;

/** mapreduce.map.maxattempts / mapreduce.reduce.maxattempts default. */
const TASK_ATTEMPTS_MAX = 4;

interface GroupState {
  readonly g: TaskGroup;
  /** Tasks waiting for a container. */
  pending: number;
  running: number;
  done: number;
  failures: number;
}

export class AppMaster {
  state: 'REGISTERING' | 'RUNNING' | 'UNREGISTERING' | 'DONE' = 'REGISTERING';
  private readonly groups: GroupState[];
  private phase = 0;
  private readonly maxPhase: number;
  private responseId = 0;
  private awaiting = false;
  private awaitingSinceUs = 0;
  /** Last count sent per "priority|resourceName". */
  private readonly sent = new Map<string, number>();
  private readonly running = new Map<string, GroupState>();
  private release: string[] = [];
  private lastAsk: readonly ResourceRequest[] = [];
  /** A group's pending count, the phase or the sent table changed since asks() last ran. */
  private asksDirty = true;
  private lastRelease: string[] = [];
  private finalStatus: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED';
  containersLaunched = 0;
  /** startContainers not answered yet: when first sent, and what to resend. */
  private readonly launching = new Map<string, { readonly sinceUs: number; lastUs: number; readonly msg: YarnMessage; readonly nm: string }>();

  constructor(
    private readonly host: AmHost, readonly attemptId: string, readonly appId: string, readonly spec: AppSpec, private readonly heartbeatUs: number,
    private readonly nmConnect: { readonly retryUs: number; readonly maxWaitUs: number },
  ) {
    this.groups = spec.tasks.map((g) => ({ g, pending: g.phase === 0 ? g.count : 0, running: 0, done: 0, failures: 0 }));
    this.maxPhase = spec.tasks.reduce((m, g) => Math.max(m, g.phase), 0);
    this.register();
  }

  private register(): void {
    this.host.send('rm', { type: 'RegisterApplicationMaster', attemptId: this.attemptId }, 128);
    this.host.heartbeatIn(this.heartbeatUs * 5);
  }

  onTimer(): void {
    if (this.state === 'REGISTERING') return this.register();
    if (this.state === 'RUNNING') this.heartbeat();
    else if (this.state === 'UNREGISTERING') this.unregister();
  }

  private asks(): readonly ResourceRequest[] {
    // Nothing pending or sent changed since the last call, which left every entry as sent: no delta.
    if (!this.asksDirty) return NO_ASKS;
    this.asksDirty = false;
    const want = new Map<string, ResourceRequest>();
    const addTo = (priority: number, name: string, g: TaskGroup, n: number): void => {
      const key = `${priority}|${name}`;
      const prev = want.get(key);
      want.set(key, { priority, resourceName: name, capability: { memoryMb: g.memoryMb, vcores: g.vcores }, numContainers: (prev?.numContainers ?? 0) + n, relaxLocality: true });
    };
    for (const s of this.groups) {
      if (s.g.phase !== this.phase) continue;
      addTo(s.g.priority, ANY, s.g, s.pending);
      if (s.g.host !== null) addTo(s.g.priority, s.g.host, s.g, s.pending);
      if (s.g.rack !== null) addTo(s.g.priority, s.g.rack, s.g, s.pending);
    }
    const out: ResourceRequest[] = [];
    for (const [key, r] of want) {
      if (this.sent.get(key) !== r.numContainers) {
        out.push(r);
        this.sent.set(key, r.numContainers);
      }
    }
    for (const [key, n] of this.sent) {
      if (n !== 0 && !want.has(key)) {
        const [p, name] = [Number(key.slice(0, key.indexOf('|'))), key.slice(key.indexOf('|') + 1)];
        const g = this.groups.find((s) => s.g.priority === p)?.g;
        if (g !== undefined) out.push({ priority: p, resourceName: name, capability: { memoryMb: g.memoryMb, vcores: g.vcores }, numContainers: 0, relaxLocality: true });
        this.sent.set(key, 0);
      }
    }
    return out;
  }

  private heartbeat(): void {
    this.host.heartbeatIn(this.heartbeatUs);
    if (this.launching.size > 0) this.retryLaunches();
    // One allocate() in flight at a time, as AMRMClient does; a lost answer is asked for again with
    // the same responseId (the RM answers a repeat with its cached last response).
    if (this.awaiting && this.host.nowUs() - this.awaitingSinceUs < this.heartbeatUs * RESEND_AFTER_HEARTBEATS) return;
    const ask = this.awaiting ? this.lastAsk : this.asks();
    const release = this.awaiting ? this.lastRelease : this.release;
    if (!this.awaiting) this.release = [];
    this.lastAsk = ask;
    this.lastRelease = release;
    this.awaitingSinceUs = this.host.nowUs();
    const total = this.groups.reduce((s, g) => s + g.g.count, 0);
    const done = this.groups.reduce((s, g) => s + g.done, 0);
    this.awaiting = true;
    this.host.send('rm', { type: 'Allocate', attemptId: this.attemptId, responseId: this.responseId, ask, release, progress: total === 0 ? 1 : done / total }, 64 + 40 * ask.length + 24 * release.length);
  }

  onMessage(m: YarnMessage): void {
    switch (m.type) {
      case 'RegisterApplicationMasterResponse':
        return this.registered(m);
      case 'AllocateResponse':
        return this.allocated(m);
      case 'StartContainersResponse':
        return this.launchAnswered(m);
      case 'FinishApplicationMasterResponse':
        return this.finished(m);
      default:
        return;
    }
  }

  private registered(m: RegisterApplicationMasterResponse): void {
    if (this.state !== 'REGISTERING') return;
    if (!m.ok) return this.host.exit(ExitStatus.FAILED, m.error);
    this.state = 'RUNNING';
    this.host.observeAm({ app: this.appId, attempt: this.attemptId, state: 'REGISTERED' });
    this.heartbeat();
  }

  private allocated(m: AllocateResponse): void {
    if (this.state !== 'RUNNING' && this.state !== 'UNREGISTERING') return;
    if (m.amCommand === 'AM_SHUTDOWN' || m.amCommand === 'AM_RESYNC') return this.host.exit(ExitStatus.FAILED, `RM asked ${m.amCommand}`);
    if (!this.awaiting || m.responseId !== this.responseId + 1) return; // a stale or repeated answer
    this.awaiting = false;
    this.responseId = m.responseId;
    for (const c of m.completed) {
      const s = this.running.get(c.containerId);
      if (s === undefined) continue;
      this.running.delete(c.containerId);
      this.launching.delete(c.containerId);
      s.running--;
      if (c.exitStatus === ExitStatus.SUCCESS) s.done++;
      else {
        // Killed, preempted and aborted attempts do not count (TaskAttemptImpl); failures do.
        if (!NOT_COUNTED_EXITS.has(c.exitStatus) && c.exitStatus !== ExitStatus.KILLED_BY_APPMASTER) s.failures++;
        if (s.failures >= TASK_ATTEMPTS_MAX) this.finalStatus = 'FAILED';
        else {
          s.pending++;
          this.asksDirty = true;
        }
      }
    }
    for (const g of m.allocated) this.assign(g);
    this.advance();
  }

  /** Gives a granted container to a waiting task of its priority, preferring one that wants its node. */
  private assign(g: ContainerGrant): void {
    let best: GroupState | null = null;
    for (const s of this.groups) {
      if (s.g.phase !== this.phase || s.pending <= 0 || s.g.priority !== g.priority) continue;
      if (best === null || (s.g.host === g.nodeId && best.g.host !== g.nodeId)) best = s;
    }
    if (best === null || this.state !== 'RUNNING') {
      this.release.push(g.id);
      return;
    }
    best.pending--;
    this.asksDirty = true;
    best.running++;
    // AMRMClientImpl.removeContainerRequest: the matched request leaves the client's table at each
    // of its locations, as the RM's AppSchedulingInfo decremented them when it allocated. Without
    // this, a loss reported in the same response as a grant would leave the table's count equal to
    // what was last sent, and the re-run would never be asked for.
    this.matched(best.g);
    this.running.set(g.id, best);
    this.containersLaunched++;
    const msg: YarnMessage = { type: 'StartContainers', from: this.attemptId, attemptId: this.attemptId, container: g, launch: { kind: 'task', durationMs: best.g.durationMs, exitStatus: best.g.exitStatus } };
    this.launching.set(g.id, { sinceUs: this.host.nowUs(), lastUs: this.host.nowUs(), msg, nm: g.nm });
    this.host.send(g.nm, msg, 256);
  }

  private matched(g: TaskGroup): void {
    for (const name of [ANY, g.host, g.rack]) {
      if (name === null) continue;
      const key = `${g.priority}|${name}`;
      const n = this.sent.get(key);
      if (n !== undefined && n > 0) this.sent.set(key, n - 1);
    }
  }

  /** NMClient's retry policy: resend every retry interval; give up after max-wait (the launch failed). */
  private retryLaunches(): void {
    const now = this.host.nowUs();
    for (const [id, l] of [...this.launching]) {
      if (now - l.sinceUs >= this.nmConnect.maxWaitUs) {
        this.launchAnswered({ type: 'StartContainersResponse', attemptId: this.attemptId, containerId: id, ok: false, error: 'NodeManager unreachable' });
      } else if (now - l.lastUs >= this.nmConnect.retryUs) {
        l.lastUs = now;
        this.host.send(l.nm, l.msg, 256);
      }
    }
  }

  private launchAnswered(m: StartContainersResponse): void {
    if (!this.launching.delete(m.containerId)) return;
    if (m.ok) return;
    const s = this.running.get(m.containerId);
    if (s === undefined) return;
    this.running.delete(m.containerId);
    s.running--;
    s.pending++;
    this.asksDirty = true;
    this.release.push(m.containerId);
  }

  private advance(): void {
    if (this.state !== 'RUNNING') return;
    if (this.finalStatus === 'FAILED') return this.startUnregister();
    for (;;) {
      for (const s of this.groups) if (s.g.phase === this.phase && s.done !== s.g.count) return;
      if (this.phase >= this.maxPhase) return this.startUnregister();
      this.phase++;
      this.asksDirty = true;
      for (const s of this.groups) if (s.g.phase === this.phase) s.pending = s.g.count;
    }
  }

  private startUnregister(): void {
    this.state = 'UNREGISTERING';
    this.unregister();
  }

  private unregister(): void {
    this.host.heartbeatIn(this.heartbeatUs * 5);
    this.host.send('rm', { type: 'FinishApplicationMaster', attemptId: this.attemptId, finalStatus: this.finalStatus, diagnostics: this.finalStatus === 'FAILED' ? `a task failed ${TASK_ATTEMPTS_MAX} times` : '' }, 96);
  }

  private finished(m: FinishApplicationMasterResponse): void {
    if (this.state !== 'UNREGISTERING') return;
    invariant(m.attemptId === this.attemptId, 'finish response for another attempt');
    this.state = 'DONE';
    if (!m.unregistered) return this.host.exit(ExitStatus.FAILED, 'unregister refused');
    this.host.exit(ExitStatus.SUCCESS, `unregistered ${this.finalStatus}`);
  }
}
