import type { Actor, Context } from '../../sim/core/actor.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import type { Json, ProcessId } from '../../sim/core/types.ts';
import { MS, SEC } from '../../sim/core/types.ts';
import { hdfsAckedEditsDurableChecker } from '../../sim/hdfs/checkers/acked-edits-durable.ts';
import { hdfsOneWriterChecker } from '../../sim/hdfs/checkers/one-writer.ts';
import { hdfsSchema } from '../../sim/hdfs/config.ts';
import { HaNameNode, haNameNodeFactory, type HaNameNodeOptions } from '../../sim/hdfs/ha/ha-namenode.ts';
import { journalNodeFactory } from '../../sim/hdfs/ha/journalnode.ts';
import { DEFAULT_QJM_TIMEOUTS } from '../../sim/hdfs/ha/qjm.ts';
import type { HdfsMessage } from '../../sim/hdfs/messages.ts';
import { rpcBytes, type ClientProtocolRequest } from '../../sim/hdfs/protocol.ts';
import { World } from '../../sim/world/world.ts';
import { constantNetwork } from '../env/fixtures.ts';
import { JNS } from './ha-world.ts';

// An HA nameservice for tests of step 2: three JournalNodes, nn-1 and nn-2 (HaNameNode, no
// DataNodes) and a client that makes directories one at a time and fails over between the two
// NameNodes (ConfiguredFailoverProxyProvider: a StandbyException, a lost connection or no answer in
// 10 s sends the call to the other NameNode after 500 ms).

type Timer = 'go' | { readonly kind: 'timeout'; readonly callId: number };

export class FailoverClient implements Actor<HdfsMessage, Timer> {
  readonly acked: string[] = [];
  readonly failed: string[] = [];
  private i = 0;
  private target = 0;
  private callId = 0;
  private timer = -1;
  failovers = 0;
  constructor(private readonly ctx: Context, private readonly paths: readonly string[], startUs: number, private readonly gapUs: number) {
    ctx.setTimer(startUs, 'go');
  }
  private nn(): ProcessId {
    return this.ctx.lookup(`nn-${this.target + 1}`);
  }
  private send(): void {
    const p = this.paths[this.i];
    if (p === undefined) return;
    const req: ClientProtocolRequest = { type: 'mkdirs', callId: ++this.callId, src: p, createParent: true };
    this.ctx.send(this.nn(), req, rpcBytes(req));
    this.timer = this.ctx.setTimer(10 * SEC, { kind: 'timeout', callId: this.callId });
  }
  private failover(): void {
    this.ctx.cancelTimer(this.timer);
    this.target = 1 - this.target;
    this.failovers++;
    this.callId++;
    this.ctx.setTimer(500 * MS, 'go');
  }
  onTimer(t: Timer): void {
    if (t === 'go') return this.send();
    if (t.callId === this.callId) this.failover();
  }
  onMessage(from: ProcessId, m: HdfsMessage): void {
    if (from !== this.nn() || !('callId' in m) || m.callId !== this.callId) return;
    this.ctx.cancelTimer(this.timer);
    if (m.type === 'RemoteException') {
      if (m.className === 'StandbyException') return this.failover();
      this.failed.push(`${this.paths[this.i]}: ${m.className}`);
    } else {
      this.acked.push(this.paths[this.i]!);
    }
    this.i++;
    this.callId++;
    this.ctx.setTimer(this.gapUs, 'go');
  }
  onDisconnect(peer: ProcessId): void {
    if (peer === this.nn() && this.i < this.paths.length) this.failover();
  }
  inspect(): Json {
    return { acked: this.acked.length, target: `nn-${this.target + 1}` };
  }
}

export interface HaNnWorldOptions {
  readonly seed?: number;
  readonly dirs?: number;
  readonly qjm?: HaNameNodeOptions['qjm'];
}

export function haNnWorld(opts: HaNnWorldOptions = {}): { world: World; nn: (n: string) => HaNameNode; client: () => FailoverClient } {
  const world = new World({ seed: opts.seed ?? 1, config: resolveConfig(hdfsSchema, {}, {}), network: constantNetwork(200), trace: null });
  for (const jn of JNS) {
    world.addHost(jn, { rack: '/rack-1' });
    world.addProcess(jn, jn, journalNodeFactory({ journalId: 'mycluster' }), { system: 'hdfs', role: 'journalnode' });
  }
  for (const [i, name] of ['nn-1', 'nn-2'].entries()) {
    world.addHost(name, { rack: '/rack-1' });
    world.addProcess(name, name, haNameNodeFactory({
      resolveRack: () => '/rack-1', namespaceId: 4242, nameservice: 'mycluster', peer: i === 0 ? 'nn-2' : 'nn-1', journalNodes: JNS,
      formatSharedEdits: i === 0, tailEditsPeriodUs: 2 * SEC, logRollPeriodUs: 5 * SEC, qjmTimeouts: DEFAULT_QJM_TIMEOUTS,
      ...(opts.qjm !== undefined ? { qjm: opts.qjm } : {}),
    }), { system: 'hdfs', role: 'namenode' });
  }
  world.addHost('c-1', { rack: '/rack-2' });
  const paths = Array.from({ length: opts.dirs ?? 40 }, (_, k) => `/d/${k}`);
  world.addProcess('client-1', 'c-1', (ctx) => new FailoverClient(ctx, paths, 2 * SEC, 400 * MS), { system: 'hdfs', role: 'client' });
  world.addChecker(hdfsOneWriterChecker({ journalNodes: JNS }));
  world.addChecker(hdfsAckedEditsDurableChecker({ namenodes: ['nn-1', 'nn-2'] }));
  return { world, nn: (n) => world.actor<HaNameNode>(n)!, client: () => world.actor<FailoverClient>('client-1')! };
}

/** Asks a NameNode to become active at `atUs` (haadmin -transitionToActive); the outcome lands in `out`. */
export function transitionAt(world: World, atUs: number, nn: string, out: (string | null)[]): void {
  world.schedule(atUs, () => {
    const a = world.actor<HaNameNode>(nn);
    if (a === null) {
      out.push(`${nn} is down`);
      return;
    }
    world.activate(world.pid(nn), () => a.transitionToActive((err) => out.push(err)));
  });
}
