import type { Context } from '../core/actor.ts';
import type { Json, Message, ProcessId } from '../core/types.ts';
import { DfsClient } from '../hdfs/client/client.ts';
import type { CallResult, ClientCall } from '../hdfs/client/rpc.ts';
import type { HdfsMessage } from '../hdfs/messages.ts';
import type { NmAuxHost, NmAuxService } from '../yarn/nm.ts';
import type { YarnMessage } from '../yarn/messages.ts';
import { MrAppMaster, type AppMasterOptions } from './am/app-master.ts';
import type { MrHost } from './host.ts';
import { MR_TO_AM, MR_TO_TASK, type AmSpec, type MrMessage, type ShuffleFetch, type TaskSpec } from './messages.ts';
import { cleanMapOutputs, readPartition } from './task/map-output.ts';
import { MapTask } from './task/map-task.ts';
import { ReduceTask } from './task/reduce-task.ts';

// The NodeManager's auxiliary service "mapreduce_shuffle" (ShuffleHandler), which in dsim also
// runs the programs of MapReduce's containers on this node: MRAppMasters and map / reduce tasks
// (see README: they are objects in the NM's process). It routes what the NM hands it: YARN's AM
// protocol answers to the AM of their attempt id, umbilical messages to the AM or task, shuffle
// requests to the ShuffleHandler, HDFS answers to the node's DFSClient. Built with the NM, so a
// restarted NM has none of them, and it deletes the map outputs left on disk (no NM recovery).

export const MAPREDUCE_SHUFFLE = 'mapreduce_shuffle';

type Program = MrAppMaster | MapTask | ReduceTask;

export interface ServiceOptions {
  /** Builds the AM (tests substitute one with a planted bug). */
  readonly am?: (host: MrHost, o: AppMasterOptions) => MrAppMaster;
}

export class MapReduceService implements NmAuxService {
  private readonly programs = new Map<string, Program>();
  private readonly amsByAttempt = new Map<string, MrAppMaster>();
  private readonly tasksByAttempt = new Map<string, MapTask | ReduceTask>();
  private readonly callbacks = new Map<number, () => void>();
  private nextCb = 1;
  private dfsClient: DfsClient | null = null;
  readonly host: MrHost;
  shuffleServed = 0;
  shuffleErrors = 0;

  constructor(private readonly nm: NmAuxHost, private readonly opts: ServiceOptions = {}) {
    const ctx = nm.ctx;
    cleanMapOutputs(ctx.disk);
    const self = this;
    this.host = {
      ctx, nodeId: nm.nodeId, nmName: ctx.name,
      send: (to: string, m: MrMessage | YarnMessage, bytes: number) => ctx.send(ctx.lookup(to), m, bytes),
      later: (d: number, fn: () => void) => {
        const id = self.nextCb++;
        self.callbacks.set(id, fn);
        nm.setTimer(Math.max(1, d), { k: 'cb', id });
        return id;
      },
      cancel: (id: number) => void self.callbacks.delete(id),
      dfs: () => self.dfs(),
      hdfs: (req: ClientCall, done: (r: CallResult) => void) => self.dfs().rpc.call(req, done),
      exit: (cid: string, status: number, why: string) => nm.exit(cid, status, why),
      annotate: (t: string) => {
        if (ctx.tracing) ctx.annotate(t);
      },
    };
  }

  /** The node's DFSClient, with a context whose timers come back here and whose writes are recorded as the tasks' own. */
  private dfs(): DfsClient {
    if (this.dfsClient !== null) return this.dfsClient;
    const ctx = this.nm.ctx;
    const nm = this.nm;
    const wrapped: Context = {
      pid: ctx.pid, name: ctx.name, hostName: ctx.hostName, system: ctx.system, incarnation: ctx.incarnation, rng: ctx.rng, config: ctx.config, disk: ctx.disk,
      get tracing() { return ctx.tracing; },
      nowUs: () => ctx.nowUs(),
      localTimeUs: () => ctx.localTimeUs(),
      lookup: (n) => ctx.lookup(n),
      nameOf: (p) => ctx.nameOf(p),
      send: (to, m, b) => ctx.send(to, m, b),
      sendDatagram: (to, m, b) => ctx.sendDatagram(to, m, b),
      disconnect: (p) => ctx.disconnect(p),
      setTimer: (d, tag) => nm.setTimer(d, { k: 'dfs', tag }),
      cancelTimer: (id) => nm.cancelTimer(id),
      annotate: (t) => ctx.annotate(t),
      observe: (k, d) => ctx.observe(k, d),
      // A task's output file is not the HDFS workload's: hdfs-durability reads back only `write`s.
      invoke: (f, k, v) => ctx.invoke(f === 'write' ? 'mr-task-write' : f, k, v),
      complete: (op, t, v, e) => ctx.complete(op, t, v, e),
      exit: (r) => ctx.exit(r),
    };
    this.dfsClient = new DfsClient(wrapped, { namenode: 'nn', writes: [], pauseUs: 0, reads: [], readEveryUs: 0, verifyAtUs: null });
    return this.dfsClient;
  }

  onTimer(tag: unknown): void {
    const t = tag as { k: 'cb'; id: number } | { k: 'dfs'; tag: unknown };
    if (t.k === 'dfs') {
      this.dfsClient?.onTimer(t.tag as Parameters<DfsClient['onTimer']>[0]);
      return;
    }
    const fn = this.callbacks.get(t.id);
    if (fn === undefined) return;
    this.callbacks.delete(t.id);
    fn();
  }

  onMessage(from: ProcessId, m: Message): void {
    const type = m.type;
    const mm = m as unknown as MrMessage;
    if (MR_TO_AM.has(type) && 'amAttempt' in mm) {
      const am = this.amsByAttempt.get(mm.amAttempt);
      am?.onUmbilical(from, mm as Parameters<MrAppMaster['onUmbilical']>[1]);
      return;
    }
    if (MR_TO_TASK.has(type)) {
      const key = mm.type === 'ShuffleData' ? mm.reduceAttempt : 'attemptId' in mm ? mm.attemptId : '';
      const t = this.tasksByAttempt.get(key);
      if (t === undefined) return;
      if (mm.type === 'MrDoneAck') t.acked();
      else if (t instanceof ReduceTask) {
        if (mm.type === 'MrMapEvents') t.onEvents(mm);
        else if (mm.type === 'ShuffleData') t.onData(mm);
        else if (mm.type === 'MrCanCommitAnswer') t.onCanCommit(mm);
      }
      return;
    }
    if (mm.type === 'ShuffleFetch') return this.serve(from, mm);
    if ('attemptId' in m && typeof m.attemptId === 'string') {
      const am = this.amsByAttempt.get(m.attemptId);
      am?.onYarn(m as YarnMessage);
      return;
    }
    this.dfsClient?.onMessage(from, m as HdfsMessage);
  }

  /** ShuffleHandler: one map output partition from this node's disk, or the error a reduce sees as a fetch failure. */
  private serve(from: ProcessId, m: ShuffleFetch): void {
    const r = readPartition(this.nm.ctx.disk, m.jobId, m.mapAttempt, m.reduce);
    if (typeof r === 'string') {
      this.shuffleErrors++;
      this.nm.ctx.send(from, { type: 'ShuffleData', reduceAttempt: m.reduceAttempt, xid: m.xid, mapAttempt: m.mapAttempt, records: null, error: r }, 128);
      return;
    }
    this.shuffleServed++;
    this.nm.ctx.send(from, { type: 'ShuffleData', reduceAttempt: m.reduceAttempt, xid: m.xid, mapAttempt: m.mapAttempt, records: r.records, error: '' }, 64 + r.bytes);
  }

  onDisconnect(peer: ProcessId): void {
    this.dfsClient?.onDisconnect(peer);
    const name = this.nm.ctx.nameOf(peer);
    for (const t of this.tasksByAttempt.values()) if (t instanceof ReduceTask) t.onDisconnect(name);
  }

  launch(containerId: string, attemptId: string, appId: string, args: Json): void {
    const a = args as AmSpec | TaskSpec;
    if (a.role === 'am') {
      const make = this.opts.am ?? ((h: MrHost, o: AppMasterOptions) => new MrAppMaster(h, o));
      const am = make(this.host, { containerId, yarnAttempt: attemptId, appId, spec: a });
      this.programs.set(containerId, am);
      this.amsByAttempt.set(attemptId, am);
      am.start();
      return;
    }
    const t = a.kind === 'map' ? new MapTask(this.host, containerId, a) : new ReduceTask(this.host, containerId, a);
    this.programs.set(containerId, t);
    this.tasksByAttempt.set(a.attemptId, t);
    t.start();
  }

  stopped(containerId: string): void {
    const p = this.programs.get(containerId);
    if (p === undefined) return;
    this.programs.delete(containerId);
    p.stop();
    if (p instanceof MrAppMaster) this.amsByAttempt.delete(p.yarnAttempt);
    else this.tasksByAttempt.delete(p.spec.attemptId);
  }

  liveAms(): MrAppMaster[] {
    return [...this.amsByAttempt.values()];
  }

  inspect(): Json {
    const ams: Json[] = [];
    const tasks: Json[] = [];
    for (const p of this.programs.values()) {
      if (p instanceof MrAppMaster) ams.push(p.view());
      else tasks.push(p.spec.attemptId);
    }
    return { service: MAPREDUCE_SHUFFLE, ams, tasks, shuffleServed: this.shuffleServed, shuffleErrors: this.shuffleErrors };
  }
}

export function mapreduceAuxService(opts: ServiceOptions = {}): { readonly name: string; readonly make: (host: NmAuxHost) => NmAuxService } {
  return { name: MAPREDUCE_SHUFFLE, make: (host) => new MapReduceService(host, opts) };
}
