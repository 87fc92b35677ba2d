import { describe, expect, it } from 'vitest';
import { assertScenario, checkScenario, faultScheduleArb } from '../../sim/check/property.ts';
import { formatFault, type Fault } from '../../sim/harness/faults.ts';
import { runScenario } from '../../sim/harness/run.ts';
import { FAULT_PHASE_MS, eagerAck, followersLosePowerArb, hostsOf, idOnlyVotes, propertyScenario, staleServerReturnsArb } from './property-lib.ts';

// Property tests over fault schedules (fast-check). A failure prints the run seed, the checker,
// and the fault schedule shrunk to a minimum (assertScenario's message), ready to replay with dsim.
// Runs per property are kept small for the default suite; ZK_PROPERTY_RUNS raises them.

const RUNS = Number(process.env['ZK_PROPERTY_RUNS'] ?? 8);

function randomSchedules(servers: number) {
  const h = hostsOf(servers);
  const minority = Math.floor((servers - 1) / 2);
  return faultScheduleArb({
    processes: [...h.zk, ...h.clients],
    hosts: [...h.zk, ...h.clientHosts],
    powerOffHosts: h.zk,
    kinds: ['crash', 'restart', 'pause', 'power-off', 'partition', 'isolate', 'bridge', 'cut', 'slow-disk', 'clock'],
    faultPhaseMs: FAULT_PHASE_MS,
    maxFaults: 10,
    durationMsMin: 200,
    durationMsMax: 10_000,
    maxDown: minority,
    maxPoweredOff: minority,
  });
}

describe('ZooKeeper under random fault schedules', () => {
  for (const servers of [3, 5]) {
    it(`every safety checker holds, and the healed ensemble converges, with ${servers} servers`, () => {
      assertScenario(propertyScenario(servers, `zk-property-${servers}`), { schedules: randomSchedules(servers), numRuns: RUNS, seed: servers });
    });
  }
});

/** Whether a fault acts on a ZooKeeper server (not noise on a client host). */
function onServer(f: Fault): boolean {
  return 'target' in f.action && /^zk-\d+$/.test(f.action.target);
}

describe('the checkers catch a broken peer', () => {
  it('a follower that ACKs before its log write is durable loses acknowledged writes: found and shrunk', () => {
    const broken = propertyScenario(3, 'zk-eager-ack', eagerAck, { faultPhaseMs: 12_000, quiesceMs: 8_000 });
    const r = checkScenario(broken, { schedules: followersLosePowerArb(), numRuns: 10, seed: 1, shrinkMaxRuns: 40 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(['zk-history-agreement', 'zk-acked-writes-durable', 'zk-linearizable-writes']).toContain(r.checker);
    // Shrunk: the noise (faults on client hosts) is gone; what is left is slow disks and power loss
    // of the servers and the leader's crash.
    expect(r.minimalFaults.filter((f) => !onServer(f)).map(formatFault)).toEqual([]);
    expect(r.minimalFaults.every((f) => f.action.kind === 'slow-disk' || f.action.kind === 'power-off' || f.action.kind === 'crash')).toBe(true);
    expect(r.script).toMatch(/power-off zk-/);
    // The same schedule is harmless for the real peer, which fsyncs before it ACKs.
    const correct = propertyScenario(3, 'zk-eager-ack', {}, { faultPhaseMs: 12_000, quiesceMs: 8_000 });
    expect(runScenario(correct, { seed: r.seed, faults: r.minimalFaults }).violations).toEqual([]);
  });

  it('the real peer survives the same schedules (followers lose power while the leader crashes)', () => {
    const correct = propertyScenario(3, 'zk-power', {}, { faultPhaseMs: 12_000, quiesceMs: 30_000 });
    assertScenario(correct, { schedules: followersLosePowerArb(), numRuns: 4, seed: 1 });
  });

  it('an election that orders votes by id alone stalls a healthy quorum: found and shrunk', () => {
    // Safety survives a wrong vote order (a new leader aborts when a follower is ahead of it);
    // availability does not: the stale server keeps winning and aborting.
    const opts = { faultPhaseMs: 35_000, quiesceMs: 5_000, defaults: { 'zookeeper.fastleader.maxNotificationInterval': 2000 }, availabilityBoundMs: 10_000 };
    const broken = propertyScenario(3, 'zk-id-only-votes', idOnlyVotes, opts);
    const r = checkScenario(broken, { schedules: staleServerReturnsArb(), numRuns: 10, seed: 1, shrinkMaxRuns: 40 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.checker).toBe('zk-availability');
    expect(r.minimalFaults.filter((f) => !onServer(f)).map(formatFault)).toEqual([]);
    expect(r.minimalFaults.every((f) => f.action.kind === 'isolate' || f.action.kind === 'crash')).toBe(true);
    const correct = propertyScenario(3, 'zk-id-only-votes', {}, opts);
    expect(runScenario(correct, { seed: r.seed, faults: r.minimalFaults }).violations).toEqual([]);
  });
});
