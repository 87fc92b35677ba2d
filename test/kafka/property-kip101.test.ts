import { describe, expect, it } from 'vitest';
import { checkScenario } from '../../sim/check/property.ts';
import { runScenario } from '../../sim/harness/run.ts';
import kafkaProperty from '../../scenarios/kafka/kafka-property.ts';
import { kip101SchedulesFor } from './property-lib.ts';

// The property "acks=all, min.insync.replicas=2, RF 3, unclean election off: no acknowledged write is
// lost and replicas never diverge" is false at inter.broker.protocol.version=0.10.2: before KIP-101
// a follower truncates to its own high watermark when it restarts or follows a new leader, and the
// HW it truncates to lags the leader's by one fetch. Elected next, it lacks committed records
// (kafka-durability), or it keeps appending where another replica holds different records
// (kafka-log-matching). From 0.11 the follower truncates by leader epoch instead.
//
// The schedules are kip101SchedulesFor's (property-lib.ts): one to three windows of "restart the
// partition's next-in-line follower, then crash its leader 1 to 5 s later", aimed with the named
// targets follower(events-P) and leader(events-P), plus plain faults. The plain generator
// (schedulesFor) found the class within 30 runs for 3 of 6 fast-check seeds; this one finds it
// within 10 runs for 15 of 16 seeds (docs/testing.md has the table), so 20 runs find it on every
// seed tried below. fast-check's own shrinking is skipped (each step is a full 85 s simulated run,
// and it would also shrink the run seed); shrinkFaults reduces the schedule to the window that
// loses the write.

const IBP_0_10_2 = { 'kafka.inter.broker.protocol.version': '0.10.2' };
const FAST_CHECK_SEED = 2;
const NUM_RUNS = 20;
const RELIABILITY_SEEDS = [1, 3, 4, 5, 6];
/** The honest bound: the shrunk counterexample is a leader restart plus a follower crash. */
const MINIMAL_FAULTS_MAX = 3;

describe('KIP-101 at inter.broker.protocol.version=0.10.2', () => {
  it(`is found within ${NUM_RUNS} runs for each of the fast-check seeds ${RELIABILITY_SEEDS.join(', ')}`, () => {
    for (const seed of RELIABILITY_SEEDS) {
      const r = checkScenario(kafkaProperty, { overrides: IBP_0_10_2, schedules: (o) => kip101SchedulesFor(o, 8), numRuns: NUM_RUNS, seed, fastCheckShrink: false, shrink: false });
      expect(r.ok, `fast-check seed ${seed}: no counterexample within ${NUM_RUNS} runs`).toBe(false);
      if (!r.ok) expect(['kafka-durability', 'kafka-log-matching', 'kafka-lost-writes']).toContain(r.checker);
    }
  }, 300_000);

  it(`a lost acknowledged write or diverged logs are found within ${NUM_RUNS} runs and shrink to at most ${MINIMAL_FAULTS_MAX} faults`, () => {
    const r = checkScenario(kafkaProperty, {
      overrides: IBP_0_10_2, schedules: (o) => kip101SchedulesFor(o, 8),
      numRuns: NUM_RUNS, seed: FAST_CHECK_SEED, fastCheckShrink: false, shrinkMaxRuns: 60,
    });
    if (r.ok) throw new Error(`no counterexample within ${NUM_RUNS} runs at IBP 0.10.2`);
    console.log(`KIP-101 counterexample (run seed ${r.seed}, found at run ${r.runs}, ${r.faults.length} -> ${r.minimalFaults.length} faults in ${r.shrinkRuns} shrink runs):\n${r.script}${r.checker}: ${r.violation.message}\nreplay:\n${r.replay}`);
    expect(['kafka-durability', 'kafka-log-matching', 'kafka-lost-writes']).toContain(r.checker);
    expect(r.minimalFaults.length).toBeGreaterThan(0);
    expect(r.minimalFaults.length).toBeLessThanOrEqual(MINIMAL_FAULTS_MAX);
    expect(r.minimalFaults.length).toBeLessThan(r.faults.length);
    // The minimal schedule replays on its own, and is harmless with leader epochs (0.11 and the default version).
    expect(runScenario(kafkaProperty, { seed: r.seed, overrides: IBP_0_10_2, faults: r.minimalFaults }).violations.map((v) => v.checker)).toContain(r.checker);
    for (const version of ['0.11.0', 'default']) {
      const overrides: Record<string, string> = version === 'default' ? {} : { 'kafka.inter.broker.protocol.version': version };
      expect(runScenario(kafkaProperty, { seed: r.seed, overrides, faults: r.minimalFaults }).violations).toEqual([]);
    }
  }, 180_000);
});
