import type { Actor, Context } from '../../../sim/core/actor.ts';
import { resolveConfig } from '../../../sim/core/config.ts';
import type { Json, ProcessId } from '../../../sim/core/types.ts';
import { World } from '../../../sim/world/world.ts';
import type { Envelope } from '../../../sim/world/transport.ts';
import type { Broker } from '../../../sim/kafka/broker.ts';
import { liveBrokers, topicFromConfig } from '../../../sim/kafka/cluster.ts';
import { kafka } from '../../../sim/kafka/system.ts';
import { composeSchema, defineSystemTargets } from '../../../sim/harness/system.ts';
import type { KafkaMessage, ProduceResponse } from '../../../sim/kafka/messages.ts';
import { REQUEST_HEADER_BYTES } from '../../../sim/kafka/messages.ts';
import { brokerName } from '../../../sim/kafka/partition.ts';
import { encodeBatch, utf8 } from '../../../sim/kafka/records.ts';
import { schema } from '../../../scenarios/kafka/lib/common.ts';
import type { Command, Driver } from './driver.ts';

// Kafka commands for interaction scripts: a ZooKeeper-era cluster with one topic `events` of one
// partition (events-0), a script client that produces on command, and views of the partition's
// replicas. The Kafka safety checkers that watch a run as it goes (durability as StrongIsr, log
// matching, leader in ISR, one leader per epoch, monotonic epochs and HW) are attached; their
// violations print after the command during which they fired.

const TP = 'events-0';

/** The script's producer: sends one Produce request when told and keeps the answer. */
class ScriptClient implements Actor<KafkaMessage> {
  answer: ProduceResponse | null = null;
  private correlationId = 0;
  private n = 0;

  constructor(readonly ctx: Context) {}

  produce(leader: ProcessId, count: number, acks: -1 | 0 | 1): string[] {
    const values: string[] = [];
    for (let i = 0; i < count; i++) values.push(`v${++this.n}`);
    const records = encodeBatch({ baseTimestampMs: Math.floor(this.ctx.nowUs() / 1000), records: values.map((v) => ({ key: null, value: utf8(v) })) });
    this.answer = null;
    this.ctx.send(leader, { type: 'Produce', correlationId: ++this.correlationId, acks, timeoutMs: 30_000, partitions: [{ tp: TP, records }] }, REQUEST_HEADER_BYTES + records.length);
    return values;
  }

  onMessage(_from: ProcessId, msg: KafkaMessage): void {
    if (msg.type === 'ProduceResponse' && msg.correlationId === this.correlationId) this.answer = msg;
  }

  onTimer(): void {}

  inspect(): Json {
    return { produced: this.n };
  }
}

/** The live broker leading events-0 with the highest leader epoch (a deposed one may still think it leads). */
function leaderOf(w: World): Broker | null {
  let best: Broker | null = null;
  for (const b of liveBrokers(w)) {
    const p = b.partitions.get(TP);
    if (p !== undefined && p.isLeader && (best === null || p.leaderEpoch > best.partitions.get(TP)!.leaderEpoch)) best = b;
  }
  return best;
}

function describe(env: Envelope): string {
  const m = env.msg as KafkaMessage;
  switch (m.type) {
    case 'Fetch':
      return `Fetch ${m.partitions.map((p) => `${p.tp} offset ${p.fetchOffset}${p.currentLeaderEpoch === null ? '' : ` current epoch ${p.currentLeaderEpoch}`}`).join(', ')}`;
    case 'FetchResponse':
      return `FetchResponse ${m.partitions.map((p) => `${p.tp} ${p.error} HW ${p.highWatermark}${p.records.length > 0 ? ' with records' : ''}`).join(', ')}`;
    case 'OffsetsForLeaderEpoch':
      return `OffsetsForLeaderEpoch ${m.partitions.map((p) => `${p.tp} epoch ${p.leaderEpoch}${p.currentLeaderEpoch === null ? '' : ` current epoch ${p.currentLeaderEpoch}`}`).join(', ')}`;
    case 'OffsetsForLeaderEpochResponse':
      return `OffsetsForLeaderEpochResponse ${m.partitions.map((p) => `${p.tp} ${p.error} epoch ${p.leaderEpoch} end offset ${p.endOffset}`).join(', ')}`;
    case 'AlterIsr':
      return `AlterIsr ${m.partitions.map((p) => `${p.tp} isr [${p.newIsr.join(',')}] epoch ${p.leaderEpoch} zkVersion ${p.currentIsrVersion}`).join(', ')}`;
    case 'AlterIsrResponse':
      return `AlterIsrResponse ${m.error}${m.partitions.map((p) => ` ${p.tp} ${p.error}${p.error === 'NONE' ? ` isr [${p.isr.join(',')}] zkVersion ${p.currentIsrVersion}` : ''}`).join(',')}`;
    case 'LeaderAndIsr':
      return `LeaderAndIsr ${m.partitions.map((p) => `${p.tp} leader ${p.leader} epoch ${p.leaderEpoch} isr [${p.isr.join(',')}]`).join(', ')}`;
    default:
      return m.type;
  }
}

export function kafkaCommands(d: Driver): void {
  let client: ScriptClient | null = null;
  const clientOf = (): ScriptClient => {
    if (client === null) throw new Error('no kafka cluster: start with `kafka brokers=N replicas=a,b,c`');
    return client;
  };

  // kafka brokers=N replicas=a,b,c [ibp=V] [seed=S] [<any kafka. or zookeeper. key>=value ...]
  d.on('kafka', (c) => {
    d.on('await', awaitCmd);
    const brokers = Number(c.kv.get('brokers') ?? '3');
    const replicas = (c.kv.get('replicas') ?? '1,2,3').split(',').map(Number);
    const overrides: Record<string, string> = { 'kafka.acks': 'all', 'kafka.unclean.leader.election.enable': 'false', 'cluster.brokers': String(brokers) };
    for (const [k, v] of c.kv) {
      if (k === 'ibp') overrides['kafka.inter.broker.protocol.version'] = v;
      else if (k.startsWith('kafka.') || k.startsWith('zookeeper.')) overrides[k] = v;
    }
    const cfg = resolveConfig(composeSchema([kafka], schema), {}, overrides);
    const world = new World({ seed: Number(c.kv.get('seed') ?? '1'), config: cfg });
    const topic = { ...topicFromConfig(cfg, 'events', 1, replicas.length), replicaAssignment: [replicas] };
    const cluster = kafka.build(world, cfg, { brokers, topic, producers: 0, produceIntervalMs: 1000, keys: 0, produceStartMs: 0, produceStopMs: 0 });
    defineSystemTargets(world, [kafka]);
    for (const ck of kafka.checkers(cfg, cluster, { livenessBoundMs: 60_000 })) {
      // The end-of-run verdicts (history, liveness) have no end here: only the continuous ones.
      if (!ck.name.startsWith('kafka-lost') && !ck.name.startsWith('kafka-dup') && !ck.name.startsWith('kafka-reorder') && ck.name !== 'kafka-liveness') world.addChecker(ck);
    }
    world.addHost('c-1');
    world.addProcess('client', 'c-1', (ctx) => (client = new ScriptClient(ctx)), { system: 'kafka', role: 'client' });
    d.describe = describe;
    d.attach(world);
    d.settle();
  });

  const answer = (out: string[]): void => {
    const cl = clientOf();
    if (!d.runUntil(() => cl.answer !== null, 30_000)) {
      out.push(`no answer within 30s`);
      return;
    }
    const p = cl.answer!.partitions[0]!;
    out.push(`answer: ${p.error}${p.error === 'NONE' ? ` at offset ${p.baseOffset}` : ''}`);
  };

  // produce [n=1] [acks=all|1|0] [nowait]: one Produce request of n records to the leader of
  // events-0; waits up to 30 s for the answer unless nowait (then `answer` waits for it).
  d.on('answer', (_c, out) => answer(out));
  d.on('produce', (c, out) => {
    const w = d.world;
    const leader = leaderOf(w);
    if (leader === null) {
      out.push('no leader for events-0');
      return;
    }
    const acksText = c.kv.get('acks') ?? 'all';
    const acks = acksText === 'all' || acksText === '-1' ? -1 : acksText === '1' ? 1 : 0;
    const cl = clientOf();
    const values = cl.produce(w.pid(brokerName(leader.id)), Number(c.kv.get('n') ?? '1'), acks);
    out.push(`produce ${values.join(',')} to ${brokerName(leader.id)}`);
    if (acks === 0 || c.args.includes('nowait')) d.settle();
    else answer(out);
  });

  // controller: the live broker acting as controller (the highest controller epoch).
  d.on('controller', (_c, out) => {
    let best: Broker | null = null;
    for (const b of liveBrokers(d.world)) if (b.controller !== null && (best === null || b.controller.epoch > best.controller!.epoch)) best = b;
    out.push(best === null ? 'no controller' : `${brokerName(best.id)} (controller epoch ${best.controller!.epoch})`);
  });

  // replicas: every broker's view of events-0 (a down broker shows as down).
  d.on('replicas', (_c, out) => {
    const w = d.world;
    for (let p = 0; p < w.processCount; p++) {
      if (w.procRole[p] !== 'broker') continue;
      const b = w.actors[p] as Broker | null;
      if (b === null) {
        out.push(`${w.procNames[p]}: down`);
        continue;
      }
      const part = b.partitions.get(TP);
      if (part === undefined) {
        out.push(`${w.procNames[p]}: no replica`);
        continue;
      }
      const log = part.log;
      const role = part.isLeader ? 'leader' : `follower of ${part.leader < 0 ? 'none' : brokerName(part.leader)}`;
      const epochs = (log.epochsView() as [number, number][] | { epoch: number; startOffset: number }[]);
      const pending = part.pendingIsr === null ? '' : ` (pending ${part.pendingIsr.kind} to [${part.pendingIsr.proposed.join(',')}])`;
      out.push(`${w.procNames[p]}: ${role}, epoch ${part.leaderEpoch}, isr [${part.isr.join(',')}]${pending}, LEO ${log.logEndOffset}, HW ${log.highWatermark}, epochs ${formatEpochs(epochs)}`);
      const recs = log.records();
      out.push(`  log: ${recs.length === 0 ? 'empty' : recs.map((r) => `${r.offset}:${r.value ?? 'null'}@${r.epoch}`).join(' ')}`);
    }
  });

  // await <condition...> [within=60s]: runs until every condition holds. leader=N (the live leader
  // of the highest epoch), isr=a,b,c, hw=N, leo=N, epoch=N (of that leader, or of broker=N when
  // given), follower (broker=N follows someone), synced (every live replica's LEO and HW equal the
  // leader's).
  const awaitCmd = (c: Command, out: string[]): void => {
    const w = d.world;
    const within = Number((c.kv.get('within') ?? '60s').replace(/s$/, '')) * 1000;
    const cond = (): boolean => {
      const l = leaderOf(w);
      if (c.kv.has('leader') && (l === null || l.id !== Number(c.kv.get('leader')))) return false;
      const subject = c.kv.has('broker') ? liveBrokers(w).find((b) => b.id === Number(c.kv.get('broker'))) ?? null : l;
      const sp = subject?.partitions.get(TP);
      if (sp === undefined) return false;
      if (c.args.includes('follower') && (sp.isLeader || sp.leader < 0)) return false;
      if (c.kv.has('isr') && [...sp.isr].sort((a, b) => a - b).join(',') !== c.kv.get('isr')) return false;
      if (c.kv.has('in-isr') && !sp.isr.includes(Number(c.kv.get('in-isr')))) return false;
      if (c.kv.has('hw') && sp.log.highWatermark !== Number(c.kv.get('hw'))) return false;
      if (c.kv.has('leo') && sp.log.logEndOffset !== Number(c.kv.get('leo'))) return false;
      if (c.kv.has('epoch') && sp.leaderEpoch !== Number(c.kv.get('epoch'))) return false;
      if (l === null) return !c.args.includes('synced');
      const part = l.partitions.get(TP)!;
      if (c.args.includes('synced')) {
        for (const b of liveBrokers(w)) {
          const q = b.partitions.get(TP);
          if (q !== undefined && (q.log.logEndOffset !== part.log.logEndOffset || q.log.highWatermark !== part.log.highWatermark)) return false;
        }
      }
      return true;
    };
    if (!d.runUntil(cond, within)) out.push(`timed out after ${within / 1000}s`);
  };
}

function formatEpochs(v: unknown): string {
  if (!Array.isArray(v) || v.length === 0) return 'none';
  return v.map((e: unknown) => {
    if (Array.isArray(e)) return `${String(e[0])}@${String(e[1])}`;
    const o = e as { epoch: number; startOffset: number };
    return `${o.epoch}@${o.startOffset}`;
  }).join(' ');
}
