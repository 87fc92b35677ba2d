import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/core/run.ts';
import randomFaults from '../../scenarios/kafka/kafka-random-faults.ts';

// Property tests over random fault schedules (the nemesis draws them from the run seed): safety
// holds whenever the configuration promises it, and IBP 0.10.2 (truncation to the HW) is caught.

describe('kafka-random-faults properties', () => {
  it('no checker fires at the default version with acks=all, min.insync.replicas=2, RF 3, for 3 or 4 brokers', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 3, max: 4 }), (seed, brokers) => {
      const r = runScenario(randomFaults, { seed, overrides: { 'cluster.brokers': String(brokers) } });
      expect(r.violations.map((v) => `${v.checker}: ${v.message}`)).toEqual([]);
    }), { numRuns: 4, seed: 42 });
  }, 120_000);

  it('at IBP 0.10.2 a counterexample (lost writes or diverged logs) is found within 12 runs', () => {
    const result = fc.check(fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
      const r = runScenario(randomFaults, { seed, overrides: { 'kafka.inter.broker.protocol.version': '0.10.2' }, stopOnViolation: true });
      return r.violations.length === 0;
    }), { numRuns: 12, seed: 42, endOnFailure: true });
    expect(result.failed).toBe(true);
  }, 120_000);
});
