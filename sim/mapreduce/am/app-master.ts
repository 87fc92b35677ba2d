import { invariant } from '../../core/invariant.ts';
import type { Json, ProcessId } from '../../core/types.ts';
import { SEC } from '../../core/types.ts';
import { ExitStatus, type AllocateResponse, type ContainerGrant, type YarnMessage } from '../../yarn/messages.ts';
import { ANY, type ResourceRequest } from '../../yarn/scheduler/types.ts';
import { mrSettings, type MrSettings } from '../config.ts';
import { HdfsOps } from '../hdfs-ops.ts';
import type { MrHost } from '../host.ts';
import type { AmSpec, TaskSpec, ToMrAm } from '../messages.ts';
import { JobCommitter } from './committer.ts';
import { Job, type Attempt } from './job.ts';
import { Speculator } from './speculator.ts';

// The MRAppMaster of one job, running in its AM container: MRAppMaster (start, recovery, unregister),
// RMContainerAllocator (asks by priority and locality, slow start of reduces, assignment of granted
// containers, completed containers: ABORTED and PREEMPTED exits kill the attempt, other exits fail
// it), ContainerLauncherImpl (StartContainers / StopContainers), TaskAttemptListenerImpl (the
// umbilical: status updates with fetch failures, canCommit, done), JobImpl's fetch-failure rule,
// the DefaultSpeculator (speculator.ts) and the CommitterEventHandler (committer.ts).

/** RMContainerAllocator's priorities (lower is served first). */
export const PRIORITY_FAST_FAIL_MAP = 5;
export const PRIORITY_REDUCE = 10;
export const PRIORITY_MAP = 20;
/** yarn.app.mapreduce.am.scheduler.heartbeat.interval-ms default. */
const HEARTBEAT_US = 1 * SEC;
const RESEND_AFTER_HEARTBEATS = 10;

export interface AppMasterOptions {
  readonly containerId: string;
  readonly yarnAttempt: string;
  readonly appId: string;
  readonly spec: AmSpec;
}

type AmState = 'REGISTERING' | 'INITING' | 'RUNNING' | 'COMMITTING' | 'UNREGISTERING' | 'DONE';

export class MrAppMaster {
  state: AmState = 'REGISTERING';
  readonly settings: MrSettings;
  readonly jobId: string;
  readonly appAttempt: number;
  readonly yarnAttempt: string;
  job: Job;
  readonly fs: HdfsOps;
  readonly committer: JobCommitter;
  private readonly speculator: Speculator;
  private responseId = 0;
  private awaiting = false;
  private awaitingSinceUs = 0;
  private lastAsk: ResourceRequest[] = [];
  private lastRelease: string[] = [];
  private release: string[] = [];
  private readonly sent = new Map<string, number>();
  private timer: number | null = null;
  private finalStatus: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED';
  diagnostics = '';
  stopped = false;

  constructor(readonly host: MrHost, readonly o: AppMasterOptions) {
    this.settings = mrSettings(host.ctx.config);
    this.yarnAttempt = o.yarnAttempt;
    this.jobId = o.appId.replace(/^application_/, 'job_');
    this.appAttempt = Number(o.yarnAttempt.slice(o.yarnAttempt.lastIndexOf('_') + 1));
    this.job = new Job(this.jobId, this.appAttempt);
    this.fs = new HdfsOps(host);
    this.committer = new JobCommitter(this);
    this.speculator = new Speculator(this);
  }

  get nowUs(): number {
    return this.host.ctx.nowUs();
  }

  start(): void {
    this.register();
  }

  private every(delayUs: number, fn: () => void): void {
    if (this.timer !== null) this.host.cancel(this.timer);
    this.timer = this.host.later(delayUs, fn);
  }

  private register(): void {
    if (this.state !== 'REGISTERING' || this.stopped) return;
    this.host.send('rm', { type: 'RegisterApplicationMaster', attemptId: this.yarnAttempt }, 128);
    this.every(HEARTBEAT_US * 5, () => this.register());
  }

  // ------------------------------------------------------------------ YARN protocol

  onYarn(m: YarnMessage): void {
    if (this.stopped) return;
    switch (m.type) {
      case 'RegisterApplicationMasterResponse':
        if (this.state !== 'REGISTERING') return;
        if (!m.ok) return this.exit(ExitStatus.FAILED, m.error);
        this.state = 'INITING';
        this.heartbeat();
        // JobImpl's InitTransition (splits) after recovery of what earlier attempts finished.
        this.committer.init((err) => {
          if (err !== null) return this.failJob(err);
          if (this.state === 'INITING') this.state = 'RUNNING';
          this.schedule();
        });
        return;
      case 'AllocateResponse':
        return this.allocated(m);
      case 'StartContainersResponse': {
        const a = this.job.byContainer.get(m.containerId);
        if (a === undefined || m.ok) return;
        // TA_CONTAINER_LAUNCH_FAILED: the attempt fails.
        this.endAttempt(a, 'FAILED', `Container launch failed for ${m.containerId} : ${m.error}`, null);
        this.release.push(m.containerId);
        return;
      }
      case 'FinishApplicationMasterResponse':
        if (this.state !== 'UNREGISTERING') return;
        this.state = 'DONE';
        return this.exit(m.unregistered ? ExitStatus.SUCCESS : ExitStatus.FAILED, m.unregistered ? `unregistered ${this.finalStatus}` : 'unregister refused');
      default:
        return;
    }
  }

  private heartbeat(): void {
    if (this.stopped || this.state === 'DONE') return;
    this.every(HEARTBEAT_US, () => this.heartbeat());
    if (this.state === 'UNREGISTERING') return this.unregister();
    if (this.awaiting && this.nowUs - this.awaitingSinceUs < HEARTBEAT_US * RESEND_AFTER_HEARTBEATS) return;
    const ask = this.awaiting ? this.lastAsk : this.asks();
    const release = this.awaiting ? this.lastRelease : this.release;
    if (!this.awaiting) this.release = [];
    this.lastAsk = ask;
    this.lastRelease = release;
    this.awaiting = true;
    this.awaitingSinceUs = this.nowUs;
    const tasks = this.job.tasks;
    const progress = tasks.length === 0 ? 0 : tasks.filter((t) => t.state === 'SUCCEEDED').length / tasks.length;
    this.host.send('rm', { type: 'Allocate', attemptId: this.yarnAttempt, responseId: this.responseId, ask, release, progress }, 64 + 40 * ask.length + 24 * release.length);
    if (this.state === 'RUNNING') this.speculator.tick();
  }

  /** The asks: each waiting attempt counts at its priority on `*`, and a map also on its split's hosts and racks. */
  private asks(): ResourceRequest[] {
    const want = new Map<string, ResourceRequest>();
    const add = (priority: number, name: string, cap: { memoryMb: number; vcores: number }): void => {
      const key = `${priority}|${name}`;
      const prev = want.get(key);
      want.set(key, { priority, resourceName: name, capability: cap, numContainers: (prev?.numContainers ?? 0) + 1, relaxLocality: true });
    };
    for (const a of this.waiting()) {
      const pr = this.priorityOf(a);
      const cap = a.task.kind === 'map' ? this.settings.map : this.settings.reduce;
      add(pr, ANY, cap);
      if (a.task.kind === 'map' && pr === PRIORITY_MAP && a.task.split !== null) {
        for (const h of a.task.split.hosts) add(pr, h, cap);
        for (const r of new Set(a.task.split.racks)) add(pr, r, cap);
      }
    }
    const out: ResourceRequest[] = [];
    for (const [key, r] of want) {
      if (this.sent.get(key) !== r.numContainers) {
        out.push(r);
        this.sent.set(key, r.numContainers);
      }
    }
    for (const [key, n] of this.sent) {
      if (n === 0 || want.has(key)) continue;
      const p = Number(key.slice(0, key.indexOf('|')));
      out.push({ priority: p, resourceName: key.slice(key.indexOf('|') + 1), capability: p === PRIORITY_REDUCE ? this.settings.reduce : this.settings.map, numContainers: 0, relaxLocality: true });
      this.sent.set(key, 0);
    }
    return out;
  }

  private priorityOf(a: Attempt): number {
    if (a.task.kind === 'reduce') return PRIORITY_REDUCE;
    return a.rescheduled ? PRIORITY_FAST_FAIL_MAP : PRIORITY_MAP;
  }

  /** Attempts waiting for a container: maps always, reduces once slow start allows them. */
  private waiting(): Attempt[] {
    const out: Attempt[] = [];
    const reducesOk = this.reducesMayStart();
    for (const t of this.job.tasks) {
      if (t.kind === 'reduce' && !reducesOk) continue;
      for (const a of t.attempts) if (a.state === 'UNASSIGNED') out.push(a);
    }
    return out;
  }

  /** mapreduce.job.reduce.slowstart.completedmaps of the maps done. */
  reducesMayStart(): boolean {
    const maps = this.job.maps.length;
    return maps === 0 || this.job.completedMaps() >= Math.ceil(this.settings.slowstart * maps);
  }

  private allocated(m: AllocateResponse): void {
    if (m.amCommand === 'AM_SHUTDOWN' || m.amCommand === 'AM_RESYNC') return this.exit(ExitStatus.FAILED, `RM asked ${m.amCommand}`);
    if (!this.awaiting || m.responseId !== this.responseId + 1) return;
    this.awaiting = false;
    this.responseId = m.responseId;
    for (const c of m.completed) {
      const a = this.job.byContainer.get(c.containerId);
      if (a === undefined) continue;
      this.job.byContainer.delete(c.containerId);
      if (a.state === 'SUCCEEDED' || a.state === 'FAILED' || a.state === 'KILLED') continue;
      // RMContainerAllocator.createContainerFinishedEvent: ABORTED and PREEMPTED are the framework's kills.
      const st = this.completedContainerEnds(c.exitStatus);
      this.endAttempt(a, st, st === 'KILLED' ? `Container ${c.containerId} exited ${c.exitStatus === ExitStatus.ABORTED ? 'ABORTED' : 'PREEMPTED'}` : `Container ${c.containerId} completed with exit status ${c.exitStatus} before the task was done`, c.exitStatus);
    }
    for (const g of m.allocated) this.assign(g);
    this.checkDone();
  }

  /** RMContainerAllocator.createContainerFinishedEvent: ABORTED and PREEMPTED exits are TA_KILL, others TA_CONTAINER_COMPLETED (a failure). */
  protected completedContainerEnds(exitStatus: number): 'FAILED' | 'KILLED' {
    return exitStatus === ExitStatus.ABORTED || exitStatus === ExitStatus.PREEMPTED ? 'KILLED' : 'FAILED';
  }

  /** RMContainerAllocator.ScheduledRequests.assign: fast-fail maps, reduces, then maps by locality. */
  private assign(g: ContainerGrant): void {
    if (this.state !== 'RUNNING') return void this.release.push(g.id);
    const waiting = this.waiting().filter((a) => this.priorityOf(a) === g.priority);
    let pick: Attempt | undefined;
    let locality: Attempt['locality'] = null;
    if (g.priority === PRIORITY_MAP) {
      const rack = this.rackOf(g.nodeId);
      pick = waiting.find((a) => a.task.split?.hosts.includes(g.nodeId) === true);
      locality = 'DATA_LOCAL';
      if (pick === undefined) {
        pick = waiting.find((a) => a.task.split?.racks.includes(rack) === true);
        locality = 'RACK_LOCAL';
      }
      if (pick === undefined) {
        pick = waiting[0];
        locality = 'OTHER_LOCAL';
      }
    } else pick = waiting[0];
    if (pick === undefined) return void this.release.push(g.id);
    this.launch(pick, g, pick.task.kind === 'map' ? locality : null);
  }

  /** The rack of a node, from the split locations the job knows (the RM's topology in Hadoop). */
  private rackOf(node: string): string {
    for (const t of this.job.maps) {
      const s = t.split;
      if (s === null) continue;
      const i = s.hosts.indexOf(node);
      if (i >= 0) return s.racks[i]!;
    }
    return '';
  }

  private launch(a: Attempt, g: ContainerGrant, locality: Attempt['locality']): void {
    const t = a.task;
    a.state = 'ASSIGNED';
    a.containerId = g.id;
    a.nm = g.nm;
    a.node = g.nodeId;
    a.startUs = this.nowUs;
    a.locality = locality;
    this.job.byContainer.set(g.id, a);
    if (t.state === 'SCHEDULED') t.state = 'RUNNING';
    const c = this.job.counters;
    if (t.kind === 'map') {
      c.launchedMaps++;
      if (locality === 'DATA_LOCAL') c.dataLocal++;
      else if (locality === 'RACK_LOCAL') c.rackLocal++;
      else c.otherLocal++;
    } else c.launchedReduces++;
    const spec = this.o.spec;
    const slow = g.nodeId === spec.slowHost ? spec.slowFactor : 1;
    const args: TaskSpec = {
      role: 'task', kind: t.kind, jobId: this.jobId, taskId: t.id, attemptId: a.id, index: t.index, amAttempt: this.yarnAttempt, amNm: this.host.nmName,
      appAttempt: this.appAttempt, maps: this.job.maps.length, reduces: this.job.reduces.length, split: t.split === null ? null : { path: t.split.path, start: t.split.start, length: t.split.length },
      outputDir: this.settings.outputDir, committerVersion: this.settings.committerVersion, computeMs: Math.round((t.kind === 'map' ? spec.mapMs : spec.reduceMs) * slow),
    };
    this.host.send(g.nm, { type: 'StartContainers', from: this.yarnAttempt, attemptId: this.yarnAttempt, container: g, launch: { kind: 'aux', service: 'mapreduce_shuffle', appId: this.o.appId, args } }, 512);
    a.state = 'RUNNING';
  }

  /** ContainerLauncher's kill: StopContainers to the attempt's NodeManager. */
  kill(a: Attempt, why: string): void {
    if (a.containerId !== null && a.nm !== null && (a.state === 'RUNNING' || a.state === 'ASSIGNED')) {
      this.host.send(a.nm, { type: 'StopContainers', containerIds: [a.containerId], exitStatus: ExitStatus.KILLED_BY_APPMASTER }, 64);
    }
    this.endAttempt(a, 'KILLED', why, null);
  }

  /** An attempt ended FAILED or KILLED: observe, and give the task a new attempt when it needs one. */
  endAttempt(a: Attempt, state: 'FAILED' | 'KILLED', cause: string, exitStatus: number | null): void {
    if (a.state === 'FAILED' || a.state === 'KILLED') return;
    const t = a.task;
    const again = this.job.end(a, state, this.nowUs);
    this.host.ctx.observe('mr-attempt', { job: this.jobId, am: this.yarnAttempt, task: t.id, attempt: a.id, state, cause, exitStatus, speculative: a.speculative });
    if (this.host.ctx.tracing) this.host.annotate(`${a.id} ${state}: ${cause}`);
    if (t.state === 'FAILED') {
      this.host.ctx.observe('mr-task', { job: this.jobId, am: this.yarnAttempt, task: t.id, state: 'FAILED', failedAttempts: t.failed, maxAttempts: t.maxAttempts });
      return this.failJob(`Task failed ${t.id}\nJob failed as tasks failed. failedMaps:${this.job.maps.filter((x) => x.state === 'FAILED').length} failedReduces:${this.job.reduces.filter((x) => x.state === 'FAILED').length}`);
    }
    if (again) this.job.newAttempt(t, this.nowUs, false, t.kind === 'map' && state === 'FAILED');
  }

  // ------------------------------------------------------------------ umbilical

  onUmbilical(from: ProcessId, m: ToMrAm): void {
    if (this.stopped) return;
    const a = this.job.byAttempt.get(m.attemptId);
    const reply = (msg: Parameters<MrHost['send']>[1], bytes: number): void => this.host.ctx.send(from, msg, bytes);
    switch (m.type) {
      case 'MrGetMapEvents': {
        const alive = a !== undefined && a.state === 'RUNNING';
        reply({ type: 'MrMapEvents', attemptId: m.attemptId, fromIndex: m.fromIndex, events: alive ? this.job.events.slice(m.fromIndex) : [], shouldDie: !alive }, 64 + 48 * Math.max(0, this.job.events.length - m.fromIndex));
        return;
      }
      case 'MrStatusUpdate':
        if (a === undefined || a.state !== 'RUNNING') return;
        a.phase = m.phase;
        for (const mapAttempt of m.fetchFailedMaps) this.fetchFailure(mapAttempt);
        return;
      case 'MrCanCommit': {
        if (a === undefined || a.state !== 'RUNNING') return reply({ type: 'MrCanCommitAnswer', attemptId: m.attemptId, ok: false }, 48);
        const t = a.task;
        if (t.commitAttempt === null && t.state !== 'SUCCEEDED') t.commitAttempt = a.id;
        reply({ type: 'MrCanCommitAnswer', attemptId: m.attemptId, ok: t.commitAttempt === a.id }, 48);
        return;
      }
      case 'MrDone':
        reply({ type: 'MrDoneAck', attemptId: m.attemptId }, 48);
        if (a === undefined || a.state !== 'RUNNING') return;
        return this.attemptDone(a, this.host.ctx.nameOf(from));
      case 'MrFatal':
        if (a !== undefined && a.state === 'RUNNING') this.endAttempt(a, 'FAILED', m.error, null);
        return;
    }
  }

  private attemptDone(a: Attempt, nm: string): void {
    const t = a.task;
    if (t.state === 'SUCCEEDED') return this.kill(a, 'another attempt of the task succeeded first');
    if (t.kind === 'reduce') invariant(t.commitAttempt === a.id, `${a.id} done without being the task's commit attempt`);
    a.nm = nm;
    this.job.succeed(a, this.nowUs);
    this.host.ctx.observe('mr-attempt', { job: this.jobId, am: this.yarnAttempt, task: t.id, attempt: a.id, state: 'SUCCEEDED', cause: 'done', exitStatus: null, speculative: a.speculative });
    this.host.ctx.observe('mr-task', { job: this.jobId, am: this.yarnAttempt, task: t.id, state: 'SUCCEEDED', failedAttempts: t.failed, maxAttempts: t.maxAttempts });
    this.speculator.finished(a);
    for (const other of this.job.live(t)) this.kill(other, `Speculation: ${a.id} succeeded first`);
    this.committer.recordTask(t, a);
    this.checkDone();
  }

  /** JobImpl.TaskAttemptFetchFailureTransition. */
  private fetchFailure(mapAttempt: string): void {
    const m = this.job.byAttempt.get(mapAttempt);
    if (m === undefined || m.state !== 'SUCCEEDED' || m.task.successful !== m) return;
    m.fetchFailures++;
    const shuffling = this.job.shufflingReduces();
    const rate = shuffling === 0 ? 1 : m.fetchFailures / shuffling;
    if (m.fetchFailures >= this.settings.fetchFailuresNotifications && rate >= this.settings.fetchFailuresFraction) {
      this.job.counters.fetchFailureReruns++;
      this.endAttempt(m, 'FAILED', `Too many fetch failures. Failing the attempt. Last failure reported by a reduce of ${this.jobId}`, null);
    }
  }

  // ------------------------------------------------------------------ job end

  private schedule(): void {
    for (const t of this.job.tasks) if (t.state === 'SCHEDULED' && t.attempts.length === 0) this.job.newAttempt(t, this.nowUs, false, false);
    this.checkDone();
  }

  private checkDone(): void {
    if (this.state !== 'RUNNING') return;
    if (!this.job.tasks.every((t) => t.state === 'SUCCEEDED')) return;
    this.state = 'COMMITTING';
    this.committer.commitJob((err) => {
      if (err !== null) return this.failJob(err);
      this.finish('SUCCEEDED', '');
    });
  }

  failJob(why: string): void {
    if (this.state === 'UNREGISTERING' || this.state === 'DONE') return;
    for (const t of this.job.tasks) for (const a of this.job.live(t)) this.kill(a, 'the job failed');
    this.committer.abortJob(() => this.finish('FAILED', why));
    this.state = 'UNREGISTERING';
  }

  finish(status: 'SUCCEEDED' | 'FAILED', why: string): void {
    this.finalStatus = status;
    this.diagnostics = why;
    const c = this.job.counters;
    this.host.ctx.observe('mr-job', { job: this.jobId, amAttempt: this.yarnAttempt, state: status, outputDir: this.settings.outputDir, diagnostics: why, counters: { ...c, maps: this.job.maps.length, reduces: this.job.reduces.length } });
    this.state = 'UNREGISTERING';
    this.unregister();
  }

  private unregister(): void {
    this.host.send('rm', { type: 'FinishApplicationMaster', attemptId: this.yarnAttempt, finalStatus: this.finalStatus, diagnostics: this.diagnostics }, 96);
    this.every(HEARTBEAT_US * 5, () => this.unregister());
  }

  private exit(status: number, why: string): void {
    this.stop();
    this.host.exit(this.o.containerId, status, why);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.host.cancel(this.timer);
    this.timer = null;
    this.speculator.stop();
  }

  view(): Json {
    const by = (kind: 'map' | 'reduce', st: string) => this.job.tasks.filter((t) => t.kind === kind && t.state === st).length;
    return {
      role: 'mrappmaster', job: this.jobId, attempt: this.yarnAttempt, state: this.state,
      maps: { total: this.job.maps.length, succeeded: by('map', 'SUCCEEDED'), running: by('map', 'RUNNING') + by('map', 'SCHEDULED') },
      reduces: { total: this.job.reduces.length, succeeded: by('reduce', 'SUCCEEDED') },
      counters: { ...this.job.counters },
    };
  }
}

