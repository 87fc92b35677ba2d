import type { Json } from '../../../sim/core/types.ts';
import { TraceWriter } from './trace-writer.ts';

// Synthetic Kafka traces for the viewer's tests, written against docs/inspect-views.md while the
// real Kafka system is being built. Two stories on three brokers and a producer:
//  - failover: broker-1 (controller, leader of events-0) crashes; broker-2 takes over as controller
//    and leader with a shrunk ISR; broker-1 restarts, truncates its unreplicated tail and rejoins.
//  - unclean: broker-1 is cut off from the other brokers, shrinks events-0's ISR to itself and keeps
//    acknowledging acks=1 writes; it crashes, broker-2 is elected uncleanly and the acknowledged
//    writes are lost (a checker violation); broker-1 restarts with a divergent log.
// This is a scripted story, not a protocol: it only has to produce views a real broker could show.

const MS = 1000;
const BATCH = 5;
const TICK_MS = 100;
const LAT_US = 300;

interface Part {
  leader: number | null;
  leaderEpoch: number;
  isr: number[];
  replicas: number[];
  leo: number;
  hw: number;
  epochs: [number, number][];
  batches: [number, number, number][];
  followers: { [id: string]: { leo: number; lastCaughtUpMs: number } };
}

interface Broker {
  id: number;
  name: string;
  host: string;
  up: boolean;
  controller: boolean;
  controllerEpoch: number;
  parts: Map<string, Part>;
}

export interface KafkaStory {
  readonly text: string;
  /** Times (us) of the story's key moments, for tests that seek to them. */
  readonly moments: { readonly [name: string]: number };
}

function newPart(replicas: number[]): Part {
  return { leader: replicas[0]!, leaderEpoch: 1, isr: replicas.slice(), replicas, leo: 0, hw: 0, epochs: [[1, 0]], batches: [], followers: {} };
}

function view(b: Broker): Json {
  const partitions: { [k: string]: Json } = {};
  for (const [key, p] of b.parts) {
    const isLeader = p.leader === b.id;
    const last = p.batches.slice(-8);
    partitions[key] = {
      leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr, replicas: p.replicas, isLeader,
      leo: p.leo, hw: p.hw, logStartOffset: 0, epochs: p.epochs,
      log: { from: last.length > 0 ? last[0]![0] : p.leo, batches: last },
      ...(isLeader ? { followers: p.followers } : {}),
    };
  }
  return { role: b.controller ? 'controller' : 'broker', brokerId: b.id, controllerEpoch: b.controllerEpoch, ibp: '2.8', partitions };
}

export function kafkaStory(kind: 'failover' | 'unclean'): KafkaStory {
  const unclean = kind === 'unclean';
  const lagMaxMs = 1000;
  const w = new TraceWriter(
    unclean ? 'synthetic-kafka-unclean-election' : 'synthetic-kafka-leader-failover',
    [
      { name: 'kafka-1', rack: '/rack-a' }, { name: 'kafka-2', rack: '/rack-b' }, { name: 'kafka-3', rack: '/rack-c' },
      { name: 'client-1', rack: '/rack-a' },
    ],
    [
      { name: 'broker-1', host: 'kafka-1', system: 'kafka', role: 'broker' },
      { name: 'broker-2', host: 'kafka-2', system: 'kafka', role: 'broker' },
      { name: 'broker-3', host: 'kafka-3', system: 'kafka', role: 'broker' },
      { name: 'producer', host: 'client-1', system: 'kafka', role: 'producer' },
    ],
    {
      'kafka.acks': unclean ? '1' : 'all',
      'kafka.min.insync.replicas': unclean ? 1 : 2,
      'kafka.replica.lag.time.max.ms': lagMaxMs,
      'kafka.unclean.leader.election.enable': unclean,
    },
    unclean ? 'at 2s partition kafka-1 | kafka-2,kafka-3\nat 5s crash broker-1 for 2s\nat 5s heal\n' : 'at 5s crash broker-1 for 3s\n',
  );
  const brokers: Broker[] = [1, 2, 3].map((id) => ({
    id, name: `broker-${id}`, host: `kafka-${id}`, up: true, controller: unclean ? id === 3 : id === 1,
    controllerEpoch: 1, parts: new Map([['events-0', newPart([1, 2, 3])], ['events-1', newPart([2, 3, 1])]]),
  }));
  const byId = (id: number): Broker => brokers[id - 1]!;
  const producer = { acked: 0, failed: 0, inFlight: 0 };
  const pendingAcks: { opId: number; key: string; offset: number }[] = [];
  let nextOp = 1;
  const cut = new Set<string>();
  const reachable = (a: string, b: string): boolean => !cut.has(`${a}>${b}`) && !cut.has(`${b}>${a}`);
  const held: { from: string; to: string; id: number }[] = [];
  const moments: { [name: string]: number } = {};
  // The ISR as ZooKeeper stores it (the leader writes every change there; the controller reads it).
  // Partitions of a restarted broker that must truncate (KIP-101) before fetching again.
  const truncatePending = new Set<string>();
  const zkIsr = new Map<string, number[]>([['events-0', [1, 2, 3]], ['events-1', [2, 3, 1]]]);

  let c = 0; // running clock inside a tick
  const step = (): number => (c += LAT_US);
  interface End { readonly name: string; readonly host: string; readonly up: boolean }
  const PRODUCER: End = { name: 'producer', host: 'client-1', up: true };
  /** A request or response on a stream: sent now, delivered one latency later, held while the link is cut. */
  const exchange = (from: End, to: End, msg: { type: string; [k: string]: Json }, bytes: number): boolean => {
    if (held.some((h) => h.from === from.name && h.to === to.name)) return false; // one outstanding request per link
    w.at(step());
    const id = w.send(from.name, to.name, msg, bytes);
    if (!reachable(from.host, to.host)) {
      held.push({ from: from.name, to: to.name, id });
      return false;
    }
    w.at(step());
    if (!to.up) {
      w.drop(to.name, from.name, id, 'process down');
      return false;
    }
    w.deliver(to.name, from.name, id);
    return true;
  };
  const record = (b: Broker): void => {
    if (b.up) w.state(b.name, view(b));
  };

  // ---- t = 0: everyone starts
  w.at(0);
  w.phase('faults');
  for (const b of brokers) {
    w.at(0);
    w.start(b.name);
    for (const [, p] of b.parts) if (p.leader === b.id) for (const r of p.replicas) if (r !== b.id) p.followers[String(r)] = { leo: 0, lastCaughtUpMs: 0 };
    record(b);
  }
  w.at(0);
  w.start('producer');
  w.state('producer', { role: 'producer', ...producer });

  const append = (leader: Broker, key: string): number => {
    const p = leader.parts.get(key)!;
    const base = p.leo;
    p.batches.push([base, p.leaderEpoch, BATCH]);
    p.leo += BATCH;
    const last = p.epochs[p.epochs.length - 1];
    if (last === undefined || last[0] !== p.leaderEpoch) p.epochs.push([p.leaderEpoch, base]);
    if (p.isr.length === 1) p.hw = p.leo;
    return base;
  };

  const leaderOf = (key: string): Broker | null => {
    // The leader as the freshest up broker knows it.
    let best: Broker | null = null;
    for (const b of brokers) {
      if (!b.up) continue;
      const p = b.parts.get(key)!;
      if (p.leader === b.id && (best === null || p.leaderEpoch > best.parts.get(key)!.leaderEpoch)) best = b;
    }
    return best;
  };

  const elect = (key: string, nowMs: number, allowUnclean: boolean): void => {
    const ctrl = brokers.find((b) => b.up && b.controller)!;
    const cp = ctrl.parts.get(key)!;
    const liveIsr = zkIsr.get(key)!.filter((r) => byId(r).up);
    let leader: number | undefined = liveIsr[0];
    let isr = liveIsr;
    let uncleanElection = false;
    if (leader === undefined && allowUnclean) {
      leader = cp.replicas.find((r) => byId(r).up);
      isr = leader !== undefined ? [leader] : [];
      uncleanElection = true;
    }
    if (leader === undefined) return;
    const epoch = cp.leaderEpoch + 1;
    const old = cp.leader;
    for (const r of cp.replicas) {
      const b = byId(r);
      if (!b.up) continue;
      if (b !== ctrl) exchange(ctrl, b, { type: 'LeaderAndIsr', partition: key, leader, leaderEpoch: epoch, isr }, 120);
      const p = b.parts.get(key)!;
      p.leader = leader;
      p.leaderEpoch = epoch;
      p.isr = isr.slice();
      if (r === leader) {
        p.epochs.push([epoch, p.leo]);
        p.followers = {};
        for (const f of p.replicas) if (f !== leader) p.followers[String(f)] = { leo: byId(f).up ? byId(f).parts.get(key)!.leo : 0, lastCaughtUpMs: nowMs };
        if (uncleanElection) p.hw = p.leo;
      } else delete (p as { followers?: unknown }).followers;
      p.followers ??= {};
      record(b);
    }
    zkIsr.set(key, isr.slice());
    const dropped = cp.replicas.filter((r) => !isr.includes(r));
    if (uncleanElection) {
      w.note(ctrl.name, `unclean leader election: broker-${leader} becomes leader of ${key} in epoch ${epoch} although it is not in the ISR (unclean.leader.election.enable=true); broker-${old} held offsets it never replicated`);
    } else {
      w.note(ctrl.name, `broker-${leader} elected leader of ${key} in epoch ${epoch}: broker-${old} is down; ISR shrank to [${isr.join(',')}] (${dropped.map((d) => `broker-${d}`).join(', ')} removed)`);
    }
  };

  const fetchRound = (nowMs: number): void => {
    for (const key of ['events-0', 'events-1']) {
      const leader = leaderOf(key);
      if (leader === null) continue;
      const lp = leader.parts.get(key)!;
      for (const r of lp.replicas) {
        if (r === leader.id) continue;
        const f = byId(r);
        if (!f.up) continue;
        const fp = f.parts.get(key)!;
        if (fp.leader !== leader.id) continue;
        if (f.id === 1 && truncatePending.has(key)) continue;
        if (!exchange(f, leader, { type: 'FetchRequest', partition: key, fetchOffset: fp.leo, leaderEpoch: fp.leaderEpoch }, 90)) continue;
        // The leader records the follower's position; caught up when it has fetched everything.
        lp.followers[String(r)] = { leo: fp.leo, lastCaughtUpMs: fp.leo >= lp.leo ? nowMs : lp.followers[String(r)]?.lastCaughtUpMs ?? nowMs };
        const missing = lp.batches.filter((b) => b[0] >= fp.leo);
        if (!exchange(leader, f, { type: 'FetchResponse', partition: key, hw: lp.hw, batches: missing.length }, 100 + missing.length * 500)) continue;
        for (const b of missing) fp.batches.push([...b]);
        fp.leo = lp.leo;
        for (const e of lp.epochs) if (!fp.epochs.some((x) => x[0] === e[0])) fp.epochs.push([e[0], e[1]]);
        lp.followers[String(r)] = { leo: fp.leo, lastCaughtUpMs: nowMs };
        fp.hw = Math.min(lp.hw, fp.leo);
        if (!lp.isr.includes(r) && fp.leo >= lp.leo) {
          lp.isr = [...lp.isr, r];
          zkIsr.set(key, lp.isr.slice());
          w.note(leader.name, `ISR expanded: broker-${r} caught up with ${key} at offset ${fp.leo}`);
          fp.isr = lp.isr.slice();
          if (key === 'events-0' && r === 1) moments['isrExpanded'] ??= w.now;
        }
        record(f);
      }
      const isrLeo = Math.min(...lp.isr.map((r) => (r === leader.id ? lp.leo : byId(r).parts.get(key)!.leo)));
      if (isrLeo > lp.hw) lp.hw = isrLeo;
      // ISR shrink: a follower that has not caught up for replica.lag.time.max.ms leaves the ISR.
      for (const r of lp.isr.slice()) {
        if (r === leader.id) continue;
        const fl = lp.followers[String(r)];
        if (fl !== undefined && nowMs - fl.lastCaughtUpMs > lagMaxMs) {
          lp.isr = lp.isr.filter((x) => x !== r);
          zkIsr.set(key, lp.isr.slice());
          w.note(leader.name, `ISR shrank: broker-${r} last caught up ${((nowMs - fl.lastCaughtUpMs) / 1000).toFixed(1)} s ago, replica.lag.time.max.ms=${lagMaxMs}`);
          if (key === 'events-0') moments['isrShrank'] ??= w.now;
          if (lp.isr.length === 1) lp.hw = lp.leo;
        }
      }
      record(leader);
      // acks=all: acknowledge produces below the high watermark.
      for (let k = pendingAcks.length - 1; k >= 0; k--) {
        const a = pendingAcks[k]!;
        if (a.key === key && a.offset < lp.hw) {
          w.at(step());
          w.op('producer', a.opId, 'ok', 'produce', key, a.offset);
          producer.acked++;
          producer.inFlight--;
          pendingAcks.splice(k, 1);
          w.state('producer', { role: 'producer', ...producer });
        }
      }
    }
  };

  const produce = (key: string): void => {
    const leader = leaderOf(key);
    if (leader === null) return;
    const opId = nextOp++;
    w.at(step());
    w.op('producer', opId, 'invoke', 'produce', key, `batch-${opId}`);
    producer.inFlight++;
    w.state('producer', { role: 'producer', ...producer });
    if (!exchange(PRODUCER, leader, { type: 'ProduceRequest', partition: key, records: BATCH }, 600)) return;
    const base = append(leader, key);
    record(leader);
    if (unclean) {
      exchange(leader, PRODUCER, { type: 'ProduceResponse', partition: key, baseOffset: base }, 80);
      w.at(step());
      w.op('producer', opId, 'ok', 'produce', key, base);
      producer.acked++;
      producer.inFlight--;
      w.state('producer', { role: 'producer', ...producer });
    } else pendingAcks.push({ opId, key, offset: base });
  };

  let ackedOnBroker1 = { from: -1, to: -1 };
  for (let tick = 1; tick <= 100; tick++) {
    const nowMs = tick * TICK_MS;
    c = nowMs * MS;
    // ---- faults
    if (unclean && nowMs === 2000) {
      w.at(c);
      const cuts: [string, string][] = [['kafka-1', 'kafka-2'], ['kafka-1', 'kafka-3'], ['kafka-2', 'kafka-1'], ['kafka-3', 'kafka-1']];
      for (const [a, b] of cuts) cut.add(`${a}>${b}`);
      w.partition(cuts, 'at 2s partition kafka-1 | kafka-2,kafka-3');
      moments['partition'] = w.now;
    }
    if (nowMs === 5000) {
      w.at(c);
      const b1 = byId(1);
      b1.up = false;
      w.crash('broker-1', 'nemesis');
      moments['crash'] = w.now;
      if (unclean) {
        ackedOnBroker1 = { from: byId(2).parts.get('events-0')!.leo, to: b1.parts.get('events-0')!.leo - 1 };
        w.at(c + 50);
        cut.clear();
        w.heal('heal all');
        for (const h of held.splice(0)) {
          w.at(step());
          const to = brokers.find((b) => b.name === h.to);
          if (to !== undefined && !to.up) w.drop(h.to, h.from, h.id, 'connection reset');
          else w.deliver(h.to, h.from, h.id);
        }
      }
    }
    if (nowMs === 5200) {
      c = nowMs * MS;
      if (!unclean) {
        // The controller moves: broker-2 wins the /controller election.
        const b2 = byId(2);
        b2.controller = true;
        for (const b of brokers) b.controllerEpoch = 2;
        w.at(step());
        record(b2);
        w.note('broker-2', 'broker-2 became controller (controller epoch 2): broker-1 is gone');
        moments['controllerMoved'] = w.now;
        for (const b of brokers) if (b.up && b !== b2) record(b);
      }
      elect('events-0', nowMs, unclean);
      moments['elected'] = w.now;
      // events-1: its leader (broker-2) drops broker-1 from the ISR.
      const l1 = byId(2).parts.get('events-1')!;
      if (l1.isr.includes(1)) {
        l1.isr = l1.isr.filter((x) => x !== 1);
        zkIsr.set('events-1', l1.isr.slice());
        w.at(step());
        record(byId(2));
        w.note('broker-2', 'ISR shrank: broker-1 removed from the ISR of events-1 (its session ended with the crash)');
      }
      if (unclean) {
        w.at(step());
        w.violation('lost-acknowledged-writes', `events-0 offsets ${ackedOnBroker1.from}–${ackedOnBroker1.to} were acknowledged (acks=1) by broker-1 in epoch 1 and are missing from the log of the new leader broker-2`);
        moments['violation'] = w.now;
      }
    }
    const restartMs = unclean ? 7000 : 8000;
    if (nowMs === restartMs) {
      const b1 = byId(1);
      w.at(c);
      b1.up = true;
      b1.controller = false;
      b1.controllerEpoch = 2;
      w.start('broker-1', 2);
      // Recovery from disk: the log survives the crash (the page cache reached the disk).
      for (const [key, p] of b1.parts) {
        p.followers = {};
        p.leader = null;
        truncatePending.add(key);
      }
      record(b1);
      moments['restart'] = w.now;
      const ctrl = brokers.find((b) => b.up && b.controller)!;
      for (const key of ['events-0', 'events-1']) {
        const cp = ctrl.parts.get(key)!;
        exchange(ctrl, b1, { type: 'LeaderAndIsr', partition: key, leader: cp.leader, leaderEpoch: cp.leaderEpoch, isr: cp.isr }, 120);
        const p = b1.parts.get(key)!;
        p.leader = cp.leader;
        p.leaderEpoch = cp.leaderEpoch;
        p.isr = cp.isr.slice();
        record(b1);
      }
    }
    if (nowMs === restartMs + 200) {
      // KIP-101: the follower asks the leader where its last epoch ended and truncates there.
      const b1 = byId(1);
      for (const key of ['events-0', 'events-1']) {
        const p = b1.parts.get(key)!;
        const leader = byId(p.leader!);
        const lp = leader.parts.get(key)!;
        const myLast = p.epochs[p.epochs.length - 1]![0];
        const next = lp.epochs.find((e) => e[0] > myLast);
        const endOffset = next !== undefined ? next[1] : lp.leo;
        truncatePending.delete(key);
        if (p.leo > endOffset) {
          exchange(b1, leader, { type: 'OffsetsForLeaderEpoch', partition: key, leaderEpoch: myLast }, 60);
          exchange(leader, b1, { type: 'OffsetsForLeaderEpochResponse', partition: key, endOffset }, 60);
          const before = p.leo;
          p.batches = p.batches.filter((b) => b[0] < endOffset);
          p.leo = endOffset;
          p.hw = Math.min(p.hw, endOffset);
          record(b1);
          w.note('broker-1', `broker-1 truncates ${key} from offset ${before} to ${endOffset}: epoch ${myLast} ended there on leader broker-${leader.id}`);
          if (key === 'events-0') moments['truncated'] = w.now;
        }
      }
    }
    // ---- traffic
    produce(tick % 2 === 0 ? 'events-0' : 'events-1');
    fetchRound(nowMs);
  }
  w.at(Math.max(w.now, 10_000 * MS) + 100 * MS);
  w.heal('end of fault phase: every fault lifted');
  w.phase('quiesce');
  w.end();
  return { text: w.text(), moments };
}
