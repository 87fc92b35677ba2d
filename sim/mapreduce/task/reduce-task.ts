import { MS, SEC } from '../../core/types.ts';
import { invariant } from '../../core/invariant.ts';
import type { MrHost } from '../host.ts';
import { HdfsOps } from '../hdfs-ops.ts';
import type { MapEvent, MrCanCommitAnswer, MrMapEvents, ShuffleData, TaskSpec } from '../messages.ts';
import { partName, recordsDigest, recordsText, sortedRecords } from '../words.ts';

// ReduceTask: the shuffle (EventFetcher polls the AM's map completion events every second;
// Fetchers copy this reduce's partition of each map's output from the ShuffleHandler of the map's
// NodeManager, at most PARALLEL_COPIES at a time; a fetch that errs, times out
// (mapreduce.reduce.shuffle.read.timeout) or loses its connection is a fetch failure, reported to
// the AM in the next status update and tried again from the next event for that map), then the
// merge and reduce (IntSumReducer), the output written to HDFS under the task attempt's
// FileOutputCommitter work path, then the commit protocol: canCommit until the AM allows it
// (Task.commit), commitTask (v1: rename the attempt dir to the committed task path; v2: rename the
// file into the output dir), done.

/** mapreduce.reduce.shuffle.parallelcopies default. */
const PARALLEL_COPIES = 5;
const EVENT_POLL_US = 1 * SEC;
const encoder = new TextEncoder();

type Phase = 'SHUFFLE' | 'REDUCE' | 'WRITE' | 'COMMIT' | 'DONE';

export class ReduceTask {
  private phase: Phase = 'SHUFFLE';
  private stopped = false;
  private fromIndex = 0;
  /** Latest usable output per map. */
  private readonly outputs = new Map<number, MapEvent>();
  private readonly fetched = new Map<number, readonly (readonly [string, number])[]>();
  private readonly inFlight = new Map<number, { readonly map: number; readonly attempt: string; readonly timer: number; readonly nm: string }>();
  private nextXid = 1;
  private failedMaps: string[] = [];
  private pollTimer: number | null = null;
  private timer: number | null = null;
  private readonly fs: HdfsOps;
  private canCommitAsked = false;

  constructor(private readonly host: MrHost, readonly containerId: string, readonly spec: TaskSpec) {
    this.fs = new HdfsOps(host);
  }

  start(): void {
    this.poll();
  }

  private send(m: Parameters<MrHost['send']>[1], bytes: number): void {
    this.host.send(this.spec.amNm, m, bytes);
  }

  private poll(): void {
    if (this.stopped) return;
    this.pollTimer = this.host.later(EVENT_POLL_US, () => this.poll());
    const s = this.spec;
    if (this.phase === 'SHUFFLE') this.send({ type: 'MrGetMapEvents', amAttempt: s.amAttempt, attemptId: s.attemptId, fromIndex: this.fromIndex }, 64);
    // Status update (with fetch failures since the last one), as Task's reporter thread does.
    this.send({ type: 'MrStatusUpdate', amAttempt: s.amAttempt, attemptId: s.attemptId, phase: this.phase === 'SHUFFLE' ? 'SHUFFLE' : this.phase === 'COMMIT' ? 'COMMIT' : 'REDUCE', progress: this.fetched.size / Math.max(1, s.maps), fetchFailedMaps: this.failedMaps }, 64 + 32 * this.failedMaps.length);
    this.failedMaps = [];
    this.fetchMore();
  }

  onEvents(m: MrMapEvents): void {
    if (this.stopped) return;
    if (m.shouldDie) return this.die('the AM does not know this attempt');
    if (m.fromIndex !== this.fromIndex) return;
    this.fromIndex += m.events.length;
    for (const e of m.events) {
      if (e.status === 'SUCCEEDED') this.outputs.set(e.map, e);
      else if (this.outputs.get(e.map)?.attemptId === e.attemptId) this.outputs.delete(e.map);
    }
    this.fetchMore();
  }

  private fetchMore(): void {
    if (this.phase !== 'SHUFFLE') return;
    for (const [map, e] of this.outputs) {
      if (this.inFlight.size >= PARALLEL_COPIES) break;
      if (this.fetched.has(map) || [...this.inFlight.values()].some((f) => f.map === map)) continue;
      if ((this.penalty.get(map) ?? 0) > this.host.ctx.nowUs()) continue;
      const xid = this.nextXid++;
      const timer = this.host.later(this.readTimeoutUs(), () => this.fetchFailed(xid, 'read timed out'));
      this.inFlight.set(xid, { map, attempt: e.attemptId, timer, nm: e.nm });
      this.host.send(e.nm, { type: 'ShuffleFetch', jobId: this.spec.jobId, mapAttempt: e.attemptId, reduce: this.spec.index, reduceAttempt: this.spec.attemptId, xid }, 160);
    }
    if (this.fetched.size === this.spec.maps) this.reduce();
  }

  private readTimeoutUs(): number {
    return this.host.ctx.config.int('mapreduce.reduce.shuffle.read.timeout') * MS;
  }

  onData(m: ShuffleData): void {
    const f = this.inFlight.get(m.xid);
    if (f === undefined || this.stopped) return;
    if (m.records === null) return this.fetchFailed(m.xid, m.error);
    this.host.cancel(f.timer);
    this.inFlight.delete(m.xid);
    // Output of an attempt the AM has since declared obsolete is dropped (ShuffleSchedulerImpl.obsoleteMapOutput).
    if (this.outputs.get(f.map)?.attemptId === f.attempt) this.fetched.set(f.map, m.records);
    this.fetchMore();
  }

  /** The connection to a NodeManager closed: its fetches fail. */
  onDisconnect(nm: string): void {
    for (const [xid, f] of [...this.inFlight]) if (f.nm === nm) this.fetchFailed(xid, 'connection reset');
  }

  private fetchFailed(xid: number, why: string): void {
    const f = this.inFlight.get(xid);
    if (f === undefined) return;
    this.host.cancel(f.timer);
    this.inFlight.delete(xid);
    if (this.host.ctx.tracing) this.host.annotate(`${this.spec.attemptId}: fetch of ${f.attempt} failed: ${why}`);
    this.failedMaps.push(f.attempt);
    // The map's host waits out a penalty before it is tried again (ShuffleSchedulerImpl's penalty
    // box); an OBSOLETE event from the AM replaces the output meanwhile.
    this.penalty.set(f.map, this.host.ctx.nowUs() + EVENT_POLL_US);
  }

  private readonly penalty = new Map<number, number>();

  private reduce(): void {
    this.phase = 'REDUCE';
    const sum = new Map<string, number>();
    for (const recs of this.fetched.values()) for (const [w, n] of recs) sum.set(w, (sum.get(w) ?? 0) + n);
    const out = sortedRecords(sum);
    this.timer = this.host.later(Math.max(1, Math.round(this.spec.computeMs * MS)), () => this.write(out));
  }

  private workPath(): string {
    const s = this.spec;
    return `${s.outputDir}/_temporary/${s.appAttempt}/_temporary/${s.attemptId}`;
  }

  private write(out: [string, number][]): void {
    this.timer = null;
    if (this.stopped) return;
    this.phase = 'WRITE';
    const s = this.spec;
    const path = `${this.workPath()}/${partName(s.index)}`;
    const bytes = encoder.encode(recordsText(out)).length;
    const cfg = this.host.ctx.config;
    this.host.dfs().writeFile({ path, fileBytes: Math.max(1, bytes), writeBytes: 64 * 1024, replication: cfg.int('hdfs.dfs.replication'), blockSize: cfg.int('hdfs.dfs.blocksize'), hflushEveryBytes: 0, hsyncEveryBytes: 0 }, (ok, fileId) => {
      if (this.stopped) return;
      if (!ok) return this.fail(`could not write ${path}`);
      this.host.ctx.observe('mr-output-file', { job: s.jobId, attempt: s.attemptId, partition: s.index, path, fileId, digest: recordsDigest(out), records: out.length });
      this.phase = 'COMMIT';
      this.askCommit();
    });
  }

  private askCommit(): void {
    if (this.stopped || this.phase !== 'COMMIT') return;
    this.canCommitAsked = true;
    this.send({ type: 'MrCanCommit', amAttempt: this.spec.amAttempt, attemptId: this.spec.attemptId }, 64);
    this.timer = this.host.later(1 * SEC, () => this.askCommit());
  }

  onCanCommit(m: MrCanCommitAnswer): void {
    if (this.stopped || this.phase !== 'COMMIT' || !this.canCommitAsked || !m.ok) return;
    if (this.timer !== null) this.host.cancel(this.timer);
    this.timer = null;
    this.canCommitAsked = false;
    this.phase = 'DONE';
    this.commitTask();
  }

  /** FileOutputCommitter.commitTask. */
  private commitTask(): void {
    const s = this.spec;
    const [src, dst] = s.committerVersion === 1
      ? [this.workPath(), `${s.outputDir}/_temporary/${s.appAttempt}/${s.taskId}`]
      : [`${this.workPath()}/${partName(s.index)}`, `${s.outputDir}/${partName(s.index)}`];
    this.fs.move(src, dst, (r) => {
      if (this.stopped) return;
      if (!r.ok || !r.value) return this.fail(`commitTask: could not rename ${src} to ${dst}${r.ok ? '' : `: ${r.error}`}`);
      this.done();
    });
  }

  private done(): void {
    if (this.stopped) return;
    invariant(this.phase === 'DONE', 'reduce done before its commit');
    this.send({ type: 'MrDone', amAttempt: this.spec.amAttempt, attemptId: this.spec.attemptId, nm: this.host.nmName }, 96);
    this.timer = this.host.later(1 * SEC, () => this.done());
  }

  acked(): void {
    if (this.phase !== 'DONE' || this.stopped) return;
    this.stop();
    this.host.exit(this.containerId, 0, `${this.spec.attemptId} done`);
  }

  private fail(why: string): void {
    this.send({ type: 'MrFatal', amAttempt: this.spec.amAttempt, attemptId: this.spec.attemptId, error: why }, 128);
    this.stop();
    this.host.exit(this.containerId, 1, `${this.spec.attemptId}: ${why}`);
  }

  private die(why: string): void {
    this.stop();
    this.host.exit(this.containerId, 1, `${this.spec.attemptId}: ${why}`);
  }

  stop(): void {
    this.stopped = true;
    for (const t of [this.timer, this.pollTimer]) if (t !== null) this.host.cancel(t);
    for (const f of this.inFlight.values()) this.host.cancel(f.timer);
    this.inFlight.clear();
    this.timer = null;
    this.pollTimer = null;
  }
}
