import { invariant } from '../core/invariant.ts';
import type { Context } from '../core/actor.ts';
import type { ProcessId } from '../core/types.ts';
import {
  ExitStatus, NOT_COUNTED_EXITS, type Allocate, type AllocateResponse, type ContainerGrant, type FinishApplicationMaster,
  type GetApplicationReport, type RegisterApplicationMaster, type SubmitApplication, type YarnMessage,
} from './messages.ts';
import { appId, attemptId, FINAL_APP_STATES, FINAL_ATTEMPT_STATES, type RMApp, type RMAppAttempt, type RMAppAttemptState, type RMContainer, type RMNode } from './rm-state.ts';
import type { Resource } from './resource.ts';
import type { YarnScheduler } from './scheduler/types.ts';

// The application side of the ResourceManager: ClientRMService (getNewApplication,
// submitApplication, getApplicationReport), RMAppImpl and RMAppAttemptImpl transitions, the
// ApplicationMasterLauncher, ApplicationMasterService (registerApplicationMaster, allocate,
// finishApplicationMaster) and AMLivelinessMonitor. At most one attempt of an application is live
// at a time: a new attempt is created only once the previous one reached a final state.

/** What the application side needs from the rest of the RM. */
export interface AppHost {
  readonly ctx: Context;
  readonly scheduler: YarnScheduler;
  readonly clusterTimestamp: number;
  readonly maxAttempts: number;
  readonly maximumCapability: Resource;
  readonly nmConnectRetryUs: number;
  readonly nmConnectMaxWaitUs: number;
  node(id: string): RMNode | undefined;
  container(id: string): RMContainer | undefined;
  numClusterNodes(): number;
  /** Completes a live container (kill, release, expiry) and tells its NM to clean it up. */
  completeContainer(c: RMContainer, exitStatus: number, state: 'COMPLETED' | 'RELEASED' | 'KILLED' | 'EXPIRED', diagnostics: string): void;
  send(to: ProcessId, msg: YarnMessage, bytes: number): void;
}

const EMPTY: readonly never[] = Object.freeze([]);

export class AppManager {
  readonly apps = new Map<string, RMApp>();
  readonly attempts = new Map<string, RMAppAttempt>();
  private nextAppNum = 1;
  /** Live attempts (not final): the AM liveness monitor walks these only. */
  readonly live = new Set<RMAppAttempt>();
  /** AM launches not answered yet. */
  private readonly launches = new Map<string, { readonly sinceUs: number; readonly msg: YarnMessage; readonly nm: ProcessId }>();

  constructor(private readonly h: AppHost) {}

  // ------------------------------------------------------------------ ClientRMService

  newApplication(): string {
    return appId(this.h.clusterTimestamp, this.nextAppNum++);
  }

  submit(from: ProcessId, m: SubmitApplication): string | null {
    const existing = this.apps.get(m.appId);
    if (existing !== undefined) return null; // a resubmission after a lost response: idempotent
    const num = Number(m.appId.slice(m.appId.lastIndexOf('_') + 1));
    invariant(Number.isInteger(num) && num > 0, `bad application id ${m.appId}`);
    const app: RMApp = {
      id: m.appId, num, spec: m.spec, client: from, queue: m.spec.queue, state: 'SUBMITTED', finalStatus: 'UNDEFINED', attempts: [],
      submittedUs: this.h.ctx.nowUs(), launchedUs: 0, finishedUs: 0, diagnostics: '',
    };
    this.apps.set(app.id, app);
    this.h.ctx.observe('yarn-app', { app: app.id, state: 'SUBMITTED', finalStatus: 'UNDEFINED', queue: m.spec.queue, user: m.spec.user });
    const err = this.newAttempt(app);
    if (err !== null) {
      // CapacityScheduler rejects (APP_REJECTED): the application fails with the scheduler's message.
      this.finishApp(app, 'FAILED', 'FAILED', err);
      return err;
    }
    app.state = 'ACCEPTED';
    return null;
  }

  report(m: GetApplicationReport): YarnMessage {
    const app = this.apps.get(m.appId);
    if (app === undefined) return { type: 'ApplicationReport', appId: m.appId, known: false, state: 'NEW', finalStatus: 'UNDEFINED', attempts: 0, diagnostics: `Application with id '${m.appId}' doesn't exist in RM.` };
    return { type: 'ApplicationReport', appId: app.id, known: true, state: app.state, finalStatus: app.finalStatus, attempts: app.attempts.length, diagnostics: app.diagnostics };
  }

  // ------------------------------------------------------------------ RMApp / RMAppAttempt

  /**
   * RMAppImpl: a new attempt, after the previous one reached a final state. (That ordering is what
   * the yarn-one-am-attempt checker watches; a planted bug that breaks it must reach the checker.)
   */
  protected newAttempt(app: RMApp): string | null {
    const now = this.h.ctx.nowUs();
    const a: RMAppAttempt = {
      id: attemptId(app.id, app.attempts.length + 1), appId: app.id, num: app.attempts.length + 1, state: 'NEW', amContainer: null, amNodeId: null,
      lastPingUs: now, responseId: 0, lastResponse: null, newlyAllocated: [], justCompleted: [], preempt: [], finalStatus: 'UNDEFINED', diagnostics: '',
      amExitStatus: null, counts: true, startUs: now, containers: new Set(),
    };
    const err = this.h.scheduler.addApp({ appId: app.id, attemptId: a.id, appNum: app.num, queue: app.spec.queue, user: app.spec.user, amResource: { memoryMb: app.spec.amMemoryMb, vcores: app.spec.amVcores } }, now);
    if (err !== null) return err;
    app.queue = this.h.scheduler.queueOf(a.id) ?? app.spec.queue;
    app.attempts.push(a);
    this.attempts.set(a.id, a);
    this.live.add(a);
    this.setAttemptState(a, 'SCHEDULED');
    return null;
  }

  protected setAttemptState(a: RMAppAttempt, s: RMAppAttemptState): void {
    a.state = s;
    if (FINAL_ATTEMPT_STATES.has(s)) this.live.delete(a);
    this.h.ctx.observe('yarn-attempt', { app: a.appId, attempt: a.id, state: s });
    if (this.h.ctx.tracing) this.h.ctx.annotate(`${a.id} ${s}`);
  }

  protected finishApp(app: RMApp, state: 'FINISHED' | 'FAILED' | 'KILLED', finalStatus: 'SUCCEEDED' | 'FAILED' | 'KILLED' | 'UNDEFINED', diagnostics: string): void {
    invariant(!FINAL_APP_STATES.has(app.state), `${app.id} finished twice`);
    app.state = state;
    app.finalStatus = finalStatus;
    app.finishedUs = this.h.ctx.nowUs();
    app.diagnostics = diagnostics;
    this.h.ctx.observe('yarn-app', { app: app.id, state, finalStatus, queue: app.queue, user: app.spec.user });
  }

  /** The AM container was allocated: ApplicationMasterLauncher starts it on its NodeManager. */
  amAllocated(c: RMContainer): void {
    const a = this.attempts.get(c.attemptId);
    invariant(a !== undefined && a.state === 'SCHEDULED', () => `AM container ${c.id} for attempt ${c.attemptId} in state ${a?.state}`);
    const app = this.apps.get(a.appId)!;
    a.amContainer = c.id;
    a.amNodeId = c.nodeId;
    this.setAttemptState(a, 'ALLOCATED');
    const node = this.h.node(c.nodeId)!;
    const grant: ContainerGrant = { id: c.id, nodeId: c.nodeId, nodePort: c.nodePort, tokenExpiryUs: c.tokenExpiryUs, nm: this.h.ctx.nameOf(node.nm), resource: c.resource, priority: c.priority };
    const msg: YarnMessage = { type: 'StartContainers', from: 'rm', attemptId: a.id, container: grant, launch: app.spec.amProgram === undefined ? { kind: 'am', appId: app.id, spec: app.spec } : { kind: 'aux', service: app.spec.amProgram.service, appId: app.id, args: app.spec.amProgram.args } };
    this.launches.set(a.id, { sinceUs: this.h.ctx.nowUs(), msg, nm: node.nm });
    this.h.send(node.nm, msg, 512);
    this.h.ctx.setTimer(this.h.nmConnectRetryUs, { t: 'am-launch', attemptId: a.id });
  }

  /** AMLauncher's startContainers retry: resend until answered, fail the attempt after max-wait. */
  launchRetry(attemptId: string): void {
    const l = this.launches.get(attemptId);
    const a = this.attempts.get(attemptId);
    if (l === undefined || a === undefined || a.state !== 'ALLOCATED') {
      this.launches.delete(attemptId);
      return;
    }
    if (this.h.ctx.nowUs() - l.sinceUs >= this.h.nmConnectMaxWaitUs) {
      this.launches.delete(attemptId);
      this.attemptFailed(a, `Error launching ${a.id}. Got exception: could not reach ${this.h.ctx.nameOf(l.nm)}`, true);
      return;
    }
    this.h.send(l.nm, l.msg, 512);
    this.h.ctx.setTimer(this.h.nmConnectRetryUs, { t: 'am-launch', attemptId });
  }

  /** The NM answered the AM launch (AMLauncher's startContainers result). */
  amLaunchAnswered(attempt: string, ok: boolean, error: string): void {
    this.launches.delete(attempt);
    const a = this.attempts.get(attempt);
    if (a === undefined || a.state !== 'ALLOCATED') return;
    if (!ok) {
      this.attemptFailed(a, `Error launching ${a.id}. Got exception: ${error}`, true);
      return;
    }
    a.lastPingUs = this.h.ctx.nowUs(); // AMLivelinessMonitor.register on LAUNCHED
    const app = this.apps.get(a.appId)!;
    if (app.launchedUs === 0) app.launchedUs = a.lastPingUs;
    this.setAttemptState(a, 'LAUNCHED');
  }

  /** The AM container completed (exit, kill, lost node, preemption). */
  amContainerDone(c: RMContainer, exitStatus: number, diagnostics: string): void {
    const a = this.attempts.get(c.attemptId);
    if (a === undefined || FINAL_ATTEMPT_STATES.has(a.state)) return;
    a.amExitStatus = exitStatus;
    if (a.state === 'FINISHING') {
      this.attemptFinished(a);
      return;
    }
    const counts = !NOT_COUNTED_EXITS.has(exitStatus);
    this.attemptFailed(a, `AM Container for ${a.id} exited with exitCode: ${exitStatus}${diagnostics === '' ? '' : `. ${diagnostics}`}`, counts);
  }

  /** RMAppAttemptImpl FAILED: its containers go; the application retries or fails. */
  attemptFailed(a: RMAppAttempt, diagnostics: string, counts: boolean): void {
    invariant(!FINAL_ATTEMPT_STATES.has(a.state), `${a.id} failed twice`);
    a.counts = counts;
    a.diagnostics = diagnostics;
    this.setAttemptState(a, 'FAILED');
    this.releaseAttempt(a, ExitStatus.KILLED_BY_RESOURCEMANAGER);
    const app = this.apps.get(a.appId)!;
    const counted = app.attempts.filter((x) => x.state === 'FAILED' && x.counts).length;
    if (counted >= this.h.maxAttempts) {
      this.finishApp(app, 'FAILED', 'FAILED', `Application ${app.id} failed ${this.h.maxAttempts} times due to ${diagnostics}. Failing the application.`);
      return;
    }
    const err = this.newAttempt(app);
    if (err !== null) this.finishApp(app, 'FAILED', 'FAILED', err);
  }

  protected attemptFinished(a: RMAppAttempt): void {
    this.setAttemptState(a, 'FINISHED');
    this.releaseAttempt(a, ExitStatus.KILLED_AFTER_APP_COMPLETION);
    const app = this.apps.get(a.appId)!;
    this.finishApp(app, 'FINISHED', a.finalStatus === 'UNDEFINED' ? 'SUCCEEDED' : a.finalStatus, a.diagnostics);
  }

  /** The attempt is over: the scheduler forgets it and its remaining containers are killed. */
  protected releaseAttempt(a: RMAppAttempt, exitStatus: number): void {
    const scheduled = this.h.scheduler.removeApp(a.id);
    void scheduled;
    for (const id of [...a.containers]) {
      const c = this.h.container(id);
      if (c !== undefined) this.h.completeContainer(c, exitStatus, 'KILLED', `Container of a ${a.state.toLowerCase()} attempt`);
    }
    invariant(a.containers.size === 0, `${a.id}: containers left after release`);
  }

  // ------------------------------------------------------------------ ApplicationMasterService

  register(from: ProcessId, m: RegisterApplicationMaster): void {
    const a = this.attempts.get(m.attemptId);
    const ok = a !== undefined && (a.state === 'LAUNCHED' || a.state === 'RUNNING') && this.amIsOn(a, from);
    if (ok) {
      a.lastPingUs = this.h.ctx.nowUs();
      if (a.state === 'LAUNCHED') {
        this.setAttemptState(a, 'RUNNING');
        const app = this.apps.get(a.appId)!;
        app.state = 'RUNNING';
      }
    }
    this.h.send(from, { type: 'RegisterApplicationMasterResponse', attemptId: m.attemptId, ok, maximumCapability: this.h.maximumCapability, error: ok ? '' : `Application attempt ${m.attemptId} doesn't exist in ApplicationMasterService cache.` }, 128);
  }

  private amIsOn(a: RMAppAttempt, from: ProcessId): boolean {
    const n = a.amNodeId === null ? undefined : this.h.node(a.amNodeId);
    return n !== undefined && n.nm === from;
  }

  allocate(from: ProcessId, m: Allocate): void {
    const a = this.attempts.get(m.attemptId);
    if (a === undefined || (a.state !== 'RUNNING' && a.state !== 'FINISHING') || !this.amIsOn(a, from)) {
      // ApplicationMasterNotRegisteredException / an attempt that is over: the AM shuts down.
      this.h.send(from, { type: 'AllocateResponse', attemptId: m.attemptId, responseId: m.responseId, allocated: EMPTY, completed: EMPTY, preempt: EMPTY, amCommand: 'AM_SHUTDOWN', numClusterNodes: this.h.numClusterNodes() }, 64);
      return;
    }
    a.lastPingUs = this.h.ctx.nowUs();
    if (a.lastResponse !== null && m.responseId + 1 === a.responseId) {
      this.h.send(from, a.lastResponse, 64);
      return;
    }
    if (m.responseId !== a.responseId) {
      // An answer this AM never saw was lost twice over, or the AM is confused: resync it (AM_RESYNC).
      this.h.send(from, { type: 'AllocateResponse', attemptId: m.attemptId, responseId: m.responseId, allocated: EMPTY, completed: EMPTY, preempt: EMPTY, amCommand: 'AM_RESYNC', numClusterNodes: this.h.numClusterNodes() }, 64);
      return;
    }
    if (m.ask.length > 0) this.h.scheduler.updateAsks(a.id, m.ask);
    for (const id of m.release) {
      const c = this.h.container(id);
      if (c !== undefined && c.attemptId === a.id && !c.isAm) this.h.completeContainer(c, ExitStatus.ABORTED, 'RELEASED', 'Container released by application');
    }
    const allocated: ContainerGrant[] = [];
    const now = this.h.ctx.nowUs();
    for (const c of a.newlyAllocated) {
      if (c.state !== 'ALLOCATED') continue;
      c.state = 'ACQUIRED';
      c.expiryFromUs = now;
      const node = this.h.node(c.nodeId)!;
      allocated.push({ id: c.id, nodeId: c.nodeId, nodePort: c.nodePort, tokenExpiryUs: c.tokenExpiryUs, nm: this.h.ctx.nameOf(node.nm), resource: c.resource, priority: c.priority });
    }
    const resp: AllocateResponse = {
      type: 'AllocateResponse', attemptId: a.id, responseId: m.responseId + 1, allocated: allocated.length === 0 ? EMPTY : allocated,
      completed: a.justCompleted.length === 0 ? EMPTY : a.justCompleted, preempt: a.preempt.length === 0 ? EMPTY : a.preempt, amCommand: null,
      numClusterNodes: this.h.numClusterNodes(),
    };
    a.responseId = m.responseId + 1;
    a.lastResponse = resp;
    a.newlyAllocated = [];
    a.justCompleted = [];
    a.preempt = [];
    this.h.send(from, resp, 64 + 48 * (resp.allocated.length + resp.completed.length) + 16 * resp.preempt.length);
  }

  finish(from: ProcessId, m: FinishApplicationMaster): void {
    const a = this.attempts.get(m.attemptId);
    const ok = a !== undefined && (a.state === 'RUNNING' || a.state === 'FINISHING') && this.amIsOn(a, from);
    if (ok && a.state === 'RUNNING') {
      a.finalStatus = m.finalStatus;
      a.diagnostics = m.diagnostics;
      this.setAttemptState(a, 'FINISHING');
      // The AM container's exit completes the attempt; AMLivelinessMonitor still watches it meanwhile.
    }
    this.h.send(from, { type: 'FinishApplicationMasterResponse', attemptId: m.attemptId, unregistered: ok }, 64);
  }

  /** AMLivelinessMonitor: attempts launched or running without a ping for the expiry interval fail. */
  expireAttempts(expiryUs: number): void {
    const now = this.h.ctx.nowUs();
    for (const a of [...this.live]) {
      if (a.state !== 'LAUNCHED' && a.state !== 'RUNNING' && a.state !== 'FINISHING') continue;
      if (now - a.lastPingUs < expiryUs) continue;
      if (a.state === 'FINISHING') {
        this.attemptFinished(a);
        continue;
      }
      this.attemptFailed(a, `ApplicationMaster for attempt ${a.id} timed out`, true);
    }
  }

  /** A container of a live attempt completed: the AM hears of it in its next allocate response. */
  containerDone(c: RMContainer, exitStatus: number, diagnostics: string): void {
    const a = this.attempts.get(c.attemptId);
    if (a === undefined) return;
    a.containers.delete(c.id);
    if (c.isAm) this.amContainerDone(c, exitStatus, diagnostics);
    else if (!FINAL_ATTEMPT_STATES.has(a.state)) a.justCompleted.push({ containerId: c.id, state: 'COMPLETE', exitStatus, diagnostics });
  }

  checkInvariants(): void {
    for (const app of this.apps.values()) {
      const live = app.attempts.filter((x) => !FINAL_ATTEMPT_STATES.has(x.state)).length;
      invariant(live <= 1, `${app.id} has ${live} live attempts`);
    }
  }
}
