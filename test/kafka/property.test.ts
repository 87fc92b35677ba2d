import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assertScenario } from '../../sim/check/property.ts';
import { resolveScenarioConfig, runScenario } from '../../sim/harness/run.ts';
import randomFaults from '../../scenarios/kafka/kafka-random-faults.ts';
import kafkaProperty from '../../scenarios/kafka/kafka-property.ts';
import { ALWAYS_PROMISED, DURABILITY_PROMISED, durabilityPromised, promisedCheckers } from '../../scenarios/kafka/lib/promises.ts';
import { kafkaConfigArb, overridesOf, schedulesFor, swarmSchedulesFor } from './property-lib.ts';

// Kafka property tests over configurations and fault schedules (issue #4). fast-check generates a
// configuration (brokers 3..5, replication factor 1..3, acks 0/1/all, min.insync.replicas 1..RF,
// unclean.leader.election.enable on/off) and an explicit fault script over that cluster's brokers
// and ZooKeeper hosts (crash, restart, pause, partition, isolate, cut, slow disk; no power loss).
// The scenario is kafka-property, which attaches exactly the checkers the configuration promises
// (scenarios/kafka/lib/promises.ts):
// - every configuration: kafka-log-matching (log matching and WeakIsr), kafka-leader-in-isr,
//   kafka-one-leader-per-epoch, kafka-epochs-monotonic, kafka-hw-monotonic, kafka-liveness;
// - durability (kafka-durability and kafka-lost-writes) exactly when acks=all and unclean election
//   is off, whatever min.insync.replicas and RF: under kill -9 the page cache survives, so a leader
//   that acknowledged alone (min.insync.replicas=1, or RF=1) still has the write when it returns,
//   and with unclean election off nobody else may lead meanwhile. min.insync.replicas >= 2 is what
//   protects against losing that last copy's disk (power loss), outside this fault model.
// A failure prints the run seed, the configuration, the checker and the fault script shrunk to a
// minimum, with the dsim command that replays it.
//
// Runs: DSIM_PROPERTY_RUNS (default 16) cases per property with fast-check seeds fixed below; e.g.
// `DSIM_PROPERTY_RUNS=200 npx vitest run test/kafka/property.test.ts` for a longer local search.
// Each case is one 85 s simulated run (0.5 to 2 s of wall time).

const RUNS = Number(process.env['DSIM_PROPERTY_RUNS'] ?? 16);
// A failure goes straight to shrinkFaults (fastCheckShrink off: each fast-check shrink step is a
// full run, and it would also shrink the run seed into a different run), within 60 runs.
const TIMEOUT_MS = 120_000 + RUNS * 5_000;

describe('what a configuration promises', () => {
  const cfg = (o: Record<string, string>) => resolveScenarioConfig(kafkaProperty, o);

  it('durability only with acks=all and unclean election off, whatever min.insync.replicas and RF', () => {
    expect(durabilityPromised(cfg({ 'kafka.acks': 'all', 'kafka.unclean.leader.election.enable': 'false', 'kafka.min.insync.replicas': '1', 'topic.replication.factor': '1' }))).toBe(true);
    expect(durabilityPromised(cfg({ 'kafka.acks': 'all', 'kafka.unclean.leader.election.enable': 'true' }))).toBe(false);
    expect(durabilityPromised(cfg({ 'kafka.acks': '1', 'kafka.unclean.leader.election.enable': 'false' }))).toBe(false);
    expect(durabilityPromised(cfg({ 'kafka.acks': '0' }))).toBe(false);
    // Before 0.11 unclean election defaults to true (KIP-106): nothing durable unless it is set off.
    expect(durabilityPromised(cfg({ 'kafka.unclean.leader.election.enable': 'default', 'kafka.inter.broker.protocol.version': '0.10.2' }))).toBe(false);
  });

  it('kafka-property attaches the always-promised checkers, and the durability ones only where promised', () => {
    const names = (o: Record<string, string>) => runScenario(kafkaProperty, { seed: 1, overrides: o, faults: [] }).checks.map((c) => c.name).sort();
    expect(names({})).toEqual(promisedCheckers(cfg({})).sort());
    expect(names({})).toEqual(expect.arrayContaining([...ALWAYS_PROMISED, ...DURABILITY_PROMISED]));
    const acks1 = names({ 'kafka.acks': '1' });
    expect(acks1).toEqual(expect.arrayContaining([...ALWAYS_PROMISED]));
    for (const c of DURABILITY_PROMISED) expect(acks1).not.toContain(c);
  }, 30_000);
});

describe('the configuration grid', () => {
  it('draws brokers 3..5, RF 1..3, min.insync.replicas 1..RF, and every acks and unclean value', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(kafkaConfigArb(), (c) => {
      expect(c.brokers).toBeGreaterThanOrEqual(3);
      expect(c.brokers).toBeLessThanOrEqual(5);
      expect(c.replicationFactor).toBeGreaterThanOrEqual(1);
      expect(c.replicationFactor).toBeLessThanOrEqual(Math.min(3, c.brokers));
      expect(c.minInsyncReplicas).toBeGreaterThanOrEqual(1);
      expect(c.minInsyncReplicas).toBeLessThanOrEqual(c.replicationFactor);
      seen.add(`brokers=${c.brokers}`).add(`rf=${c.replicationFactor}`).add(`acks=${c.acks}`).add(`unclean=${String(c.unclean)}`);
      // Every drawn configuration is one kafka-property accepts.
      resolveScenarioConfig(kafkaProperty, overridesOf(c));
    }), { seed: 1, numRuns: 200 });
    expect([...seen].sort()).toEqual(['acks=0', 'acks=1', 'acks=all', 'brokers=3', 'brokers=4', 'brokers=5', 'rf=1', 'rf=2', 'rf=3', 'unclean=false', 'unclean=true']);
  });
});

describe('Kafka keeps every promise of its configuration under crashes, partitions and pauses', () => {
  it('over brokers 3-5, RF 1-3, acks 0/1/all, min.insync.replicas 1..RF and unclean on/off, under swarm fault schedules', () => {
    assertScenario(kafkaProperty, {
      configs: kafkaConfigArb().map(overridesOf),
      schedules: (o) => swarmSchedulesFor(o, 12),
      numRuns: RUNS, seed: 4, fastCheckShrink: false, shrinkMaxRuns: 60,
    });
  }, TIMEOUT_MS);

  it('with acks=all and unclean election off no acknowledged write is lost, for any RF and min.insync.replicas', () => {
    const durable = kafkaConfigArb().map((c) => overridesOf({ ...c, acks: 'all', unclean: false }));
    assertScenario(kafkaProperty, { configs: durable, schedules: (o) => schedulesFor(o, 8), numRuns: RUNS, seed: 5, fastCheckShrink: false, shrinkMaxRuns: 60 });
  }, TIMEOUT_MS);
});

describe('kafka-random-faults', () => {
  it('no checker fires at the default version with acks=all, min.insync.replicas=2, RF 3, for 3 or 4 brokers', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 3, max: 4 }), (seed, brokers) => {
      const r = runScenario(randomFaults, { seed, overrides: { 'cluster.brokers': String(brokers) } });
      expect(r.violations.map((v) => `${v.checker}: ${v.message}`)).toEqual([]);
    }), { numRuns: 4, seed: 42 });
  }, 120_000);
});
