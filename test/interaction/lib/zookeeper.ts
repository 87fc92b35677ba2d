import type { Actor, Context } from '../../../sim/core/actor.ts';
import { resolveConfig } from '../../../sim/core/config.ts';
import type { Json, Message, ProcessId } from '../../../sim/core/types.ts';
import { World } from '../../../sim/world/world.ts';
import type { Envelope } from '../../../sim/world/transport.ts';
import { ZkClient, isZkClientTimer } from '../../../sim/zookeeper/client.ts';
import { zkSchema } from '../../../sim/zookeeper/config.ts';
import { addEnsemble } from '../../../sim/zookeeper/ensemble.ts';
import type { ZkMessage } from '../../../sim/zookeeper/messages.ts';
import { peerOf, type ZkPeer } from '../../../sim/zookeeper/peer.ts';
import { counterOf, epochOf, type Zxid } from '../../../sim/zookeeper/zxid.ts';
import { historyAgreementChecker } from '../../../sim/zookeeper/checkers/history.ts';
import { singleLeaderChecker } from '../../../sim/zookeeper/checkers/leaders.ts';
import type { Command, Driver } from './driver.ts';

// ZooKeeper commands for interaction scripts: an ensemble zk-1..N, a script client that writes on
// command, views of every peer (role, epochs, ZAB phase, the txns in its log), and awaits. The
// checkers that watch a run as it goes (one leader per epoch, agreement of committed histories) are
// attached.

/** A zxid as epoch.counter (0x100000003 is 1.3). */
export function shortZxid(z: Zxid): string {
  return z < 0 ? '-' : `${epochOf(z)}.${counterOf(z)}`;
}

class ScriptZkClient implements Actor<Message, unknown> {
  readonly zk: ZkClient;
  constructor(readonly ctx: Context, servers: readonly string[]) {
    this.zk = new ZkClient(ctx, { connectString: servers, sessionTimeoutMs: 30_000 });
  }

  onMessage(from: ProcessId, msg: Message): void {
    this.zk.handleMessage(from, msg);
  }

  onTimer(tag: unknown): void {
    if (isZkClientTimer(tag)) this.zk.handleTimer(tag);
  }

  onDisconnect(peer: ProcessId): void {
    this.zk.handleDisconnect(peer);
  }

  inspect(): Json {
    return this.zk.inspect();
  }
}

function describe(env: Envelope): string {
  const m = env.msg as ZkMessage;
  switch (m.type) {
    case 'DIFF': case 'TRUNC': case 'NEWLEADER': case 'COMMIT':
      return `${m.type} ${shortZxid(m.zxid)}`;
    case 'SNAP':
      return `SNAP ${shortZxid(m.zxid)}`;
    case 'PROPOSAL':
      return `PROPOSAL ${shortZxid(m.txn.zxid)}`;
    case 'ACK':
      return `ACK ${shortZxid(m.zxid)}`;
    case 'LEADERINFO':
      return `LEADERINFO epoch ${m.epoch}`;
    case 'ACKEPOCH':
      return `ACKEPOCH epoch ${m.epoch} current ${m.currentEpoch} last ${shortZxid(m.lastZxid)}`;
    case 'ZkConnect':
      return `ZkConnect session 0x${m.sessionId.toString(16)}`;
    case 'FOLLOWERINFO':
      return `FOLLOWERINFO accepted ${m.acceptedEpoch}`;
    case 'Notification':
      return `Notification ${m.state} leader ${m.leader} zxid ${shortZxid(m.zxid)} peerEpoch ${m.peerEpoch} electionEpoch ${m.electionEpoch}`;
    default:
      return m.type;
  }
}

function peerLine(name: string, p: ZkPeer | null): string[] {
  if (p === null) return [`${name}: down`];
  const role = p.state === 'LEADING' ? 'leading' : p.state === 'FOLLOWING' ? `following zk-${p.currentVote.leader}` : 'looking';
  const phase = p.leader?.phase ?? p.learner?.phase ?? 'election';
  const log = p.storage.log.readAfter(-1).map((r) => shortZxid(r.txn.zxid));
  return [
    `${name}: ${role} (${phase}), acceptedEpoch ${p.acceptedEpoch}, currentEpoch ${p.currentEpoch}, committed ${shortZxid(p.tree.lastZxid)}`,
    `  log: ${log.length === 0 ? 'empty' : log.join(' ')}`,
  ];
}

export function zookeeperCommands(d: Driver): void {
  let client: ScriptZkClient | null = null;
  let names: readonly string[] = [];
  let written = 0;

  // zk servers=N [seed=S] [<zookeeper. key>=value ...]
  d.on('zk', (c) => {
    d.on('await', awaitCmd);
    const overrides: Record<string, string> = { 'zookeeper.servers': c.kv.get('servers') ?? '3', 'zookeeper.inspectTree': 'false' };
    for (const [k, v] of c.kv) if (k.startsWith('zookeeper.')) overrides[k] = v;
    const cfg = resolveConfig(zkSchema, {}, overrides);
    const world = new World({ seed: Number(c.kv.get('seed') ?? '1'), config: cfg });
    names = addEnsemble(world, cfg).names;
    world.addChecker(singleLeaderChecker());
    world.addChecker(historyAgreementChecker());
    world.addHost('c-1');
    world.addProcess('client', 'c-1', (ctx) => (client = new ScriptZkClient(ctx, names)), { system: 'zookeeper', role: 'client', autostart: false });
    written = 0;
    d.describe = describe;
    d.attach(world);
    d.settle();
  });

  // write [n=1] [nowait]: the script client creates /n<k> znodes one after another (starting its
  // session first if needed); waits up to 30 s for each answer unless nowait.
  d.on('write', (c, out) => {
    const w = d.world;
    if (client === null || !w.isUp(w.pid('client'))) {
      w.start(w.pid('client'));
      d.settle();
    }
    const cl = client!;
    const n = Number(c.kv.get('n') ?? '1');
    for (let i = 0; i < n; i++) {
      const path = `/n${++written}`;
      let result: string | null = null;
      cl.zk.create(path, 'x', {}, (err) => {
        result = err ?? 'OK';
      });
      if (c.args.includes('nowait')) {
        d.settle();
        out.push(`create ${path}: sent`);
        continue;
      }
      d.runUntil(() => result !== null, 30_000);
      out.push(`create ${path}: ${result ?? 'no answer within 30s'}`);
      if (result !== 'OK') return;
    }
  });

  // client: the script client's session state and the server it is connected to.
  d.on('client', (_c, out) => {
    if (client === null || !d.world.isUp(d.world.pid('client'))) {
      out.push('client: not started');
      return;
    }
    const zk = client.zk;
    out.push(`client: ${zk.state}, session 0x${zk.sessionId.toString(16)}, server ${zk.connectedServer ?? 'none'}`);
  });

  // peers: every peer's role, ZAB phase, epochs, last committed zxid and the txns in its log.
  d.on('peers', (_c, out) => {
    for (const n of names) out.push(...peerLine(n, peerOf(d.world, n)));
  });

  // await [leader=zk-N] [synced] [within=60s]: runs until zk-N leads an established quorum, and
  // (synced) every live peer is in broadcast with the leader's committed zxid.
  const awaitCmd = (c: Command, out: string[]): void => {
    const within = Number((c.kv.get('within') ?? '60s').replace(/s$/, '')) * 1000;
    const cond = (): boolean => {
      const peers = names.map((n) => peerOf(d.world, n));
      const leader = peers.find((p) => p !== null && p.state === 'LEADING' && p.leader?.phase === 'broadcast') ?? null;
      if (leader === null) return false;
      if (c.kv.has('leader') && leader.ctx.name !== c.kv.get('leader')) return false;
      if (c.args.includes('synced')) {
        for (const p of peers) {
          if (p === null || p === leader) continue;
          if (p.learner?.phase !== 'broadcast' || p.tree.lastZxid !== leader.tree.lastZxid) return false;
        }
      }
      return true;
    };
    if (!d.runUntil(cond, within)) out.push(`timed out after ${within / 1000}s`);
  };
}
