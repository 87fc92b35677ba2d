import fc from 'fast-check';
import type { Fault } from '../../sim/harness/faults.ts';
import { faultScheduleArb } from '../../sim/check/property.ts';
import type { Scenario } from '../../sim/harness/scenario.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import type { ElectionHost, ElectionParams } from '../../sim/zookeeper/election.ts';
import { FastLeaderElection } from '../../sim/zookeeper/election.ts';
import { Learner } from '../../sim/zookeeper/learner.ts';
import type { PeerOptions, ZkPeer } from '../../sim/zookeeper/peer.ts';
import type { Txn } from '../../sim/zookeeper/txn.ts';
import { zkNames } from '../../sim/zookeeper/ensemble.ts';
import { availabilityChecker } from '../../sim/zookeeper/checkers/availability.ts';
import { buildZk, schema, summary, systems } from '../../scenarios/zookeeper/lib/common.ts';

// Scenarios for the property tests: an ensemble of 3 or 5 with the standard workload and every
// checker, short phases, and optionally a broken peer. The broken variants live here, not in
// shipped code.

export const FAULT_PHASE_MS = 15_000;
export const QUIESCE_MS = 45_000;

export interface PropertyScenarioOptions {
  readonly faultPhaseMs?: number;
  readonly quiesceMs?: number;
  readonly defaults?: { readonly [k: string]: number | boolean };
  /** Adds zk-availability with this bound. */
  readonly availabilityBoundMs?: number;
}

export function propertyScenario(servers: number, name: string, peer: Omit<PeerOptions, 'servers'> = {}, o: PropertyScenarioOptions = {}): Scenario {
  return defineScenario({
    name,
    description: `property test ensemble of ${servers}`,
    teaches: 'test only',
    systems,
    schema,
    defaults: { 'zookeeper.servers': servers, 'zookeeper.snapCount': 100, 'check.livenessBoundMs': 40_000, 'workload.clients': 2, 'workload.opIntervalMs': 50, ...o.defaults },
    faultPhaseMs: o.faultPhaseMs ?? FAULT_PHASE_MS,
    quiesceMs: o.quiesceMs ?? QUIESCE_MS,
    expect: { violations: [], why: 'every safety checker holds and the healed ensemble converges' },
    build(world, cfg) {
      const { servers: names } = buildZk(world, cfg, { ensemble: { peer } });
      if (o.availabilityBoundMs !== undefined) world.addChecker(availabilityChecker({ servers: names, boundMs: o.availabilityBoundMs }));
    },
    summary,
  });
}

/** A follower that acknowledges a proposal as soon as it arrives, before its log write is durable. */
export class EagerAckLearner extends Learner {
  protected override onProposal(txn: Txn): void {
    super.onProposal(txn);
    const p = this.pending[this.pending.length - 1];
    if (p !== undefined && p.txn.zxid === txn.zxid && !p.acked) {
      p.acked = true;
      this.ack(txn.zxid);
    }
  }
}

export const eagerAck: Omit<PeerOptions, 'servers'> = {
  learner: (peer: ZkPeer, leaderSid: number) => new EagerAckLearner(peer, leaderSid),
};

/** An election that orders votes by server id alone, ignoring epoch and zxid. */
export class IdOnlyElection extends FastLeaderElection {
  protected override totalOrderPredicate(newId: number, _nz: number, _ne: number, curId: number): boolean {
    return newId > curId;
  }
}

export const idOnlyVotes: Omit<PeerOptions, 'servers'> = {
  election: (host: ElectionHost, params: ElectionParams) => new IdOnlyElection(host, params),
};

export function hostsOf(servers: number): { zk: string[]; clients: string[]; clientHosts: string[] } {
  return { zk: zkNames(servers), clients: ['client-1', 'client-2', 'member-1'], clientHosts: ['c-1', 'c-2', 'm-1'] };
}


/** Faults that should not matter (clock skew and slow disks on client hosts): shrinking must drop them. */
function noise(): fc.Arbitrary<Fault[]> {
  return faultScheduleArb({ processes: [], hosts: ['c-1', 'c-2', 'm-1'], kinds: ['clock', 'slow-disk'], faultPhaseMs: FAULT_PHASE_MS, maxFaults: 3, durationMsMin: 200, durationMsMax: 5000 });
}

const sorted = (fs: Fault[]): Fault[] => fs.sort((a, b) => a.atMs - b.atMs);
const grain = (lo: number, hi: number): fc.Arbitrary<number> => fc.integer({ min: lo / 10, max: hi / 10 }).map((x) => x * 10);

/**
 * Both followers of a three-server ensemble lose power at once while their disks are slow, and
 * the leader (zk-3) crashes at the same moment and stays down while they elect. A peer that
 * fsyncs before it ACKs loses nothing; one that ACKs first loses the txns it acknowledged.
 */
export function followersLosePowerArb(): fc.Arbitrary<Fault[]> {
  return fc.tuple(grain(3000, 9000), grain(100, 1500), fc.constantFrom(20, 100), noise()).map(([at, off, slow, extra]) => sorted([
    { atMs: 0, durationMs: FAULT_PHASE_MS, action: { kind: 'slow-disk', target: 'zk-1', factor: slow } },
    { atMs: 0, durationMs: FAULT_PHASE_MS, action: { kind: 'slow-disk', target: 'zk-2', factor: slow } },
    { atMs: at, durationMs: off, action: { kind: 'power-off', target: 'zk-1' } },
    { atMs: at, durationMs: off, action: { kind: 'power-off', target: 'zk-2' } },
    { atMs: at, durationMs: FAULT_PHASE_MS, action: { kind: 'crash', target: 'zk-3' } },
    ...extra,
  ] as Fault[]));
}

/**
 * The leader (zk-3) is cut off longer than syncLimit x tickTime (10 s), so the others move on to a
 * new epoch without it; as the partition heals, the new leader (zk-2) crashes, so the stale zk-3
 * and the up-to-date zk-1 elect.
 */
export function staleServerReturnsArb(): fc.Arbitrary<Fault[]> {
  return fc.tuple(grain(500, 1500), grain(11_500, 13_000), grain(-300, 300), noise()).map(([at, dur, skew, extra]) => sorted([
    { atMs: at, durationMs: dur, action: { kind: 'isolate', target: 'zk-3' } },
    { atMs: at + dur + skew, durationMs: 20_000, action: { kind: 'crash', target: 'zk-2' } },
    ...extra,
  ] as Fault[]));
}
