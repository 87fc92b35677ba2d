import { describe, expect, it } from 'vitest';
import { resolveScenarioConfig, runScenario, scheduleFor } from '../../sim/harness/run.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import type { Json, ProcessId } from '../../sim/core/types.ts';
import { MS } from '../../sim/core/types.ts';
import { World } from '../../sim/world/world.ts';
import type { NemesisOptions } from '../../sim/harness/nemesis.ts';
import type { Broker } from '../../sim/kafka/broker.ts';
import { liveBrokers } from '../../sim/kafka/cluster.ts';
import type { ErrorCode } from '../../sim/kafka/messages.ts';
import randomFaults from '../../scenarios/kafka/kafka-random-faults.ts';
import rolling from '../../scenarios/kafka/kafka-rolling-restart.ts';

// Controlled shutdown (KafkaServer.controlledShutdown, KafkaController.doControlledShutdown) on the
// rolling-restart cluster without its fault script: 3 ZooKeeper peers, 3 brokers, "events" with 6
// partitions and replication factor 3, a producer with acks=all. Each test sends SIGTERM itself.

interface Seen {
  readonly kind: string;
  readonly ms: number;
  readonly by: string;
  readonly d: { readonly [k: string]: Json };
}

function cluster(overrides: Record<string, string> = {}): { world: World; seen: Seen[] } {
  const cfg = resolveScenarioConfig(rolling, { 'kafka.min.insync.replicas': '1', ...overrides });
  const world = new World({ seed: 3, config: cfg });
  rolling.build(world, cfg);
  const seen: Seen[] = [];
  for (const kind of ['kafka-shutdown', 'kafka-controlled-shutdown', 'kafka-isr', 'kafka-broker-start', 'kafka-leader'] as const) {
    world.onObserve(kind, (p: ProcessId, d) => seen.push({ kind, ms: world.nowUs / MS, by: world.procNames[p]!, d }));
  }
  world.runUntil(35_000 * MS);
  return { world, seen };
}

function broker(w: World, id: number): Broker | undefined {
  return liveBrokers(w).find((b) => b.id === id);
}

/** A broker that is not the controller, and the partitions it leads and follows. */
function nonController(w: World): { b: Broker; led: string[]; followed: string[] } {
  const b = liveBrokers(w).find((x) => x.controller === null)!;
  const led = [...b.partitions.values()].filter((p) => p.isLeader).map((p) => p.key).sort();
  const followed = [...b.partitions.values()].filter((p) => !p.isLeader && p.isr.includes(b.id)).map((p) => p.key).sort();
  return { b, led, followed };
}

function phases(seen: readonly Seen[], id: number): string[] {
  return seen.filter((s) => s.kind === 'kafka-shutdown' && s.d['broker'] === id).map((s) => String(s.d['phase']));
}

function timeOf(seen: readonly Seen[], id: number, phase: string): number {
  return seen.find((s) => s.kind === 'kafka-shutdown' && s.d['broker'] === id && s.d['phase'] === phase)!.ms;
}

describe('controlled shutdown', () => {
  it('moves leadership off the stopping broker and takes it out of the ISRs it follows before it exits', () => {
    const { world, seen } = cluster();
    const { b, led, followed } = nonController(world);
    expect(led.length).toBeGreaterThan(0);
    expect(followed.length).toBeGreaterThan(0);
    world.shutdown(world.pid(`broker-${b.id}`));
    world.runUntil(40_000 * MS);
    expect(phases(seen, b.id)).toEqual(['controlled', 'controlled-done', 'stopping', 'exit']);
    const exitMs = timeOf(seen, b.id, 'exit');
    const cs = seen.filter((s) => s.kind === 'kafka-controlled-shutdown');
    expect(cs).toHaveLength(1);
    expect(cs[0]!.d['broker']).toBe(b.id);
    expect(cs[0]!.d['moved']).toEqual(led);
    expect(cs[0]!.d['remaining']).toEqual([]);
    expect(cs[0]!.d['isrRemovals']).toEqual(followed);
    // The controller's writes: new leaders elsewhere with ISRs without it, all before it exits.
    for (const tp of [...led, ...followed]) {
      const w = seen.find((s) => s.kind === 'kafka-isr' && s.d['by'] === 'controller' && s.d['tp'] === tp && s.ms >= 35_000);
      expect(w, tp).toBeDefined();
      expect(w!.ms).toBeLessThan(exitMs);
      expect(w!.d['leader']).not.toBe(b.id);
      expect(w!.d['isr'] as number[]).not.toContain(b.id);
    }
    // The new leaders took over before the broker exited.
    for (const tp of led) {
      const l = seen.find((s) => s.kind === 'kafka-leader' && s.d['tp'] === tp && s.ms >= 35_000);
      expect(l!.ms).toBeLessThan(exitMs);
    }
    expect(broker(world, b.id)).toBeUndefined();
    for (const p of liveBrokers(world).flatMap((x) => [...x.partitions.values()].filter((q) => q.isLeader))) expect(p.isr).not.toContain(b.id);
  });

  it('the controller stopping moves its own leaders, resigns, and another broker becomes controller', () => {
    const { world, seen } = cluster();
    const c = liveBrokers(world).find((x) => x.controller !== null)!;
    const led = [...c.partitions.values()].filter((p) => p.isLeader).map((p) => p.key).sort();
    world.shutdown(world.pid(`broker-${c.id}`));
    world.runUntil(40_000 * MS);
    expect(phases(seen, c.id)).toEqual(['controlled', 'controlled-done', 'stopping', 'exit']);
    const cs = seen.find((s) => s.kind === 'kafka-controlled-shutdown')!;
    expect(cs.by).toBe(`broker-${c.id}`);
    expect(cs.d['moved']).toEqual(led);
    expect(liveBrokers(world).filter((x) => x.controller !== null)).toHaveLength(1);
  });

  it('reports partitions it cannot move (replication factor 1), retries, then shuts down uncleanly', () => {
    const { world, seen } = cluster({ 'topic.replication.factor': '1' });
    const { b, led } = nonController(world);
    expect(led.length).toBeGreaterThan(0);
    const t0 = world.nowUs / MS;
    world.shutdown(world.pid(`broker-${b.id}`));
    world.runUntil(60_000 * MS);
    const cs = seen.filter((s) => s.kind === 'kafka-controlled-shutdown');
    // controlled.shutdown.max.retries=3: three requests, each answered with the same partitions.
    expect(cs).toHaveLength(3);
    for (const s of cs) expect(s.d['remaining']).toEqual(led);
    expect(phases(seen, b.id)).toEqual(['controlled', 'unclean', 'stopping', 'exit']);
    // controlled.shutdown.retry.backoff.ms=5000 after each failed attempt, the last one included.
    const unclean = timeOf(seen, b.id, 'unclean');
    expect(unclean - t0).toBeGreaterThanOrEqual(15_000);
    expect(unclean - t0).toBeLessThan(16_000);
  });

  it('reports partitions whose ISR is the stopping broker alone (replication factor 3), retries, then shuts down uncleanly', () => {
    const { world, seen } = cluster();
    const c = liveBrokers(world).find((x) => x.controller !== null)!;
    for (const x of liveBrokers(world)) if (x !== c) world.crash(world.pid(`broker-${x.id}`));
    world.runUntil(60_000 * MS);
    const all = [...c.partitions.values()];
    expect(all).toHaveLength(6);
    for (const p of all) {
      expect(p.isLeader).toBe(true);
      expect(p.isr).toEqual([c.id]);
    }
    world.shutdown(world.pid(`broker-${c.id}`));
    world.runUntil(80_000 * MS);
    const cs = seen.filter((s) => s.kind === 'kafka-controlled-shutdown');
    expect(cs).toHaveLength(3);
    for (const s of cs) expect(s.d['remaining']).toEqual(all.map((p) => p.key).sort());
    expect(phases(seen, c.id)).toEqual(['controlled', 'unclean', 'stopping', 'exit']);
  });

  it('a restart after a clean shutdown finds the clean-shutdown marker and skips recovery; after a crash it does not', () => {
    const { world, seen } = cluster();
    const { b } = nonController(world);
    const pid = world.pid(`broker-${b.id}`);
    const leos = new Map([...b.partitions.values()].map((p) => [p.key, p.log.logEndOffset]));
    world.shutdown(pid);
    world.runUntil(38_000 * MS);
    expect(world.isUp(pid)).toBe(false);
    const disk = world.disks[world.procHost[pid]!]!;
    expect(disk.list('').some((f) => f.endsWith('.kafka_cleanshutdown'))).toBe(true);
    world.start(pid);
    world.runUntil(39_000 * MS);
    const starts = seen.filter((s) => s.kind === 'kafka-broker-start' && s.d['broker'] === b.id);
    expect(starts.map((s) => s.d['cleanShutdown'])).toEqual([false, true]);
    // Everything it had was flushed: the restarted logs end where they ended (or later, once fetching).
    const logs = starts[1]!.d['logs'] as { [tp: string]: number };
    for (const [tp, leo] of leos) expect(logs[tp]).toBeGreaterThanOrEqual(leo);
    // The marker is consumed at startup: a crash now, then a restart, recovers.
    expect(disk.list('').some((f) => f.endsWith('.kafka_cleanshutdown'))).toBe(false);
    world.crash(pid);
    world.start(pid);
    world.runUntil(40_000 * MS);
    expect(seen.filter((s) => s.kind === 'kafka-broker-start' && s.d['broker'] === b.id).map((s) => s.d['cleanShutdown'])).toEqual([false, true, false]);
  });

  it('with controlled.shutdown.enable=false the broker stops at once and its leaders move only after its session closes', () => {
    const { world, seen } = cluster({ 'kafka.controlled.shutdown.enable': 'false' });
    const { b, led } = nonController(world);
    world.shutdown(world.pid(`broker-${b.id}`));
    world.runUntil(40_000 * MS);
    expect(phases(seen, b.id)).toEqual(['stopping', 'exit']);
    expect(seen.filter((s) => s.kind === 'kafka-controlled-shutdown')).toEqual([]);
    const exitMs = timeOf(seen, b.id, 'exit');
    for (const tp of led) {
      const w = seen.find((s) => s.kind === 'kafka-isr' && s.d['by'] === 'controller' && s.d['tp'] === tp && s.ms >= 35_000)!;
      expect(w.ms).toBeGreaterThan(exitMs);
      expect(w.d['leader']).not.toBe(b.id);
    }
  });

  it('a second SIGTERM while shutting down does nothing new', () => {
    const { world, seen } = cluster();
    const { b } = nonController(world);
    const pid = world.pid(`broker-${b.id}`);
    world.shutdown(pid);
    world.runUntil(35_000 * MS + 500);
    world.shutdown(pid);
    world.runUntil(40_000 * MS);
    expect(phases(seen, b.id)).toEqual(['controlled', 'controlled-done', 'stopping', 'exit']);
    expect(seen.filter((s) => s.kind === 'kafka-controlled-shutdown')).toHaveLength(1);
  });

  it('the controller refuses a stale broker epoch (2.2+, KIP-380) and an unknown broker; a v1 request (-1) is not checked', () => {
    const answers: ErrorCode[] = [];
    const ask = (ibp: string, epochOf: (b: Broker) => number, id?: number): void => {
      const { world } = cluster({ 'kafka.inter.broker.protocol.version': ibp });
      const c = liveBrokers(world).find((x) => x.controller !== null)!;
      const { b } = nonController(world);
      c.controller!.controlledShutdown(id ?? b.id, epochOf(b), (e) => answers.push(e));
      world.runUntil(36_000 * MS);
    };
    ask('2.8', (b) => b.brokerEpoch - 1);
    ask('2.8', (b) => b.brokerEpoch);
    ask('2.8', () => -1);
    ask('2.8', (b) => b.brokerEpoch, 9);
    expect(answers).toEqual(['STALE_BROKER_EPOCH', 'NONE', 'NONE', 'BROKER_NOT_AVAILABLE']);
  });

  it('no other election picks a broker in controlled shutdown, even when it is back in the ISR', () => {
    const { world } = cluster();
    const c = liveBrokers(world).find((x) => x.controller !== null)!;
    const { b } = nonController(world);
    const x = liveBrokers(world).find((y) => y !== b && y !== c)!;
    // The request alone (the broker keeps running, as between two attempts): b joins shuttingDownBrokerIds.
    const answers: ErrorCode[] = [];
    c.controller!.controlledShutdown(b.id, b.brokerEpoch, (e) => answers.push(e));
    world.runUntil(55_000 * MS);
    expect(answers).toEqual(['NONE']);
    // b still fetches and the leaders took it back into their ISRs; x leads some partitions in which
    // b comes before the controller in assignment order, so an offline election would pick b.
    const xLed = [...x.partitions.values()].filter((p) => p.isLeader);
    const exposed = xLed.filter((p) => p.isr.includes(b.id) && p.replicas.indexOf(b.id) < p.replicas.indexOf(c.id));
    expect(exposed.length).toBeGreaterThan(0);
    world.crash(world.pid(`broker-${x.id}`));
    world.runUntil(80_000 * MS);
    for (const p of exposed) {
      expect(c.partitions.get(p.key)!.isLeader, p.key).toBe(true);
      expect(b.partitions.get(p.key)!.isLeader, p.key).toBe(false);
    }
  });

  it('a broker below 2.2 sends no broker epoch, and its shutdown still succeeds', () => {
    const { world, seen } = cluster({ 'kafka.inter.broker.protocol.version': '2.1' });
    const { b } = nonController(world);
    const sent: number[] = [];
    const c = liveBrokers(world).find((x) => x.controller !== null)!;
    const orig = c.controller!.controlledShutdown.bind(c.controller);
    c.controller!.controlledShutdown = (id, epoch, reply) => {
      sent.push(epoch);
      orig(id, epoch, reply);
    };
    world.shutdown(world.pid(`broker-${b.id}`));
    world.runUntil(40_000 * MS);
    expect(sent).toEqual([-1]);
    expect(phases(seen, b.id)).toEqual(['controlled', 'controlled-done', 'stopping', 'exit']);
  });

  it('an unanswered request fails after request.timeout.ms and the broker retries (a paused controller)', () => {
    const { world, seen } = cluster();
    const c = liveBrokers(world).find((x) => x.controller !== null)!;
    const { b } = nonController(world);
    world.pause(world.pid(`broker-${c.id}`));
    world.shutdown(world.pid(`broker-${b.id}`));
    world.runUntil(100_000 * MS);
    // Attempt 1 waits request.timeout.ms (30 s) on the paused controller, whose session expires
    // meanwhile (18 s); after controlled.shutdown.retry.backoff.ms (5 s), attempt 2 reaches the new one.
    const done = seen.filter((s) => s.kind === 'kafka-shutdown' && s.d['broker'] === b.id && s.d['phase'] === 'controlled-done');
    expect(done).toHaveLength(1);
    expect(done[0]!.d['attempts']).toBe(2);
    expect(done[0]!.ms - 35_000).toBeGreaterThanOrEqual(35_000);
    expect(done[0]!.ms - 35_000).toBeLessThan(36_000);
  });

  it('when the controller crashes during the controlled shutdown, the broker retries against the new controller', () => {
    // A 6 s session (the pre-2.5 default) lets the new controller be elected within the retries.
    const { world, seen } = cluster({ 'kafka.zookeeper.session.timeout.ms': '6000' });
    const c = liveBrokers(world).find((x) => x.controller !== null)!;
    const { b } = nonController(world);
    world.shutdown(world.pid(`broker-${b.id}`));
    world.crash(world.pid(`broker-${c.id}`));
    world.runUntil(60_000 * MS);
    const done = seen.filter((s) => s.kind === 'kafka-controlled-shutdown' && s.d['broker'] === b.id);
    expect(done).toHaveLength(1);
    expect(done[0]!.by).not.toBe(`broker-${c.id}`);
    expect(phases(seen, b.id)).toEqual(['controlled', 'controlled-done', 'stopping', 'exit']);
    // The first attempt went to the crashed controller and failed; success came on a later attempt.
    expect(done[0]!.ms - 35_000).toBeGreaterThan(5_000);
  });
});

/** kafka-random-faults with SIGTERMs among its crashes, partitions, isolations and pauses. */
const randomWithShutdown = defineScenario({
  ...randomFaults,
  name: 'kafka-random-faults-with-shutdown',
  nemesis: (cfg): NemesisOptions | null => {
    const base = typeof randomFaults.nemesis === 'function' ? randomFaults.nemesis(cfg) : randomFaults.nemesis;
    if (base === null || base === undefined) return null;
    return { ...base, kinds: ['shutdown', 'crash', 'partition', 'isolate', 'pause'] };
  },
});

describe('controlled shutdown under random faults', () => {
  it('random SIGTERMs among crashes, partitions and pauses: no checker fires, every partition leads and takes writes after heal', () => {
    for (const seed of [14, 22]) {
      const cfg = resolveScenarioConfig(randomWithShutdown, {});
      const sigterms = scheduleFor(randomWithShutdown, cfg, seed, 60_000).filter((f) => f.action.kind === 'shutdown').length;
      expect(sigterms).toBeGreaterThan(1);
      const r = runScenario(randomWithShutdown, { seed, overrides: {} });
      expect({ seed, violations: r.violations.map((v) => v.checker) }).toEqual({ seed, violations: [] });
      expect(r.expectMet).toBe(true);
    }
  }, 60_000);
});
