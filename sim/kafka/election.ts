import { invariant } from '../core/invariant.ts';

// The controller's leader election and ISR bookkeeping as pure functions (kafka.controller.Election,
// PartitionLeaderElectionAlgorithms, ReplicaStateMachine.doRemoveReplicasFromIsr,
// KafkaController.checkAndTriggerAutoLeaderRebalance, 2.x) and the broker's acceptance test for a
// LeaderAndIsr request (ReplicaManager.becomeLeaderOrFollower).

/** The partition state znode's content: /brokers/topics/<t>/partitions/<p>/state. */
export interface LeaderAndIsr {
  /** -1: no leader (LeaderAndIsr.NoLeader). */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly controllerEpoch: number;
}

export const NO_LEADER = -1;

/** LeaderAndIsr.newLeaderAndIsr: every change of leader or ISR made by the controller bumps the leader epoch. */
export function newLeaderAndIsr(s: LeaderAndIsr, leader: number, isr: readonly number[], controllerEpoch: number): LeaderAndIsr {
  return { leader, leaderEpoch: s.leaderEpoch + 1, isr: isr.slice(), controllerEpoch };
}

/** Offline partition: the first replica in assignment order that is live and in the ISR; with unclean election, else the first live one. */
export function offlinePartitionLeaderElection(assignment: readonly number[], isr: readonly number[], live: ReadonlySet<number>, unclean: boolean): number | null {
  const clean = assignment.find((id) => live.has(id) && isr.includes(id));
  if (clean !== undefined) return clean;
  if (!unclean) return null;
  return assignment.find((id) => live.has(id)) ?? null;
}

/** Preferred replica election: the first replica of the assignment, only if live and in the ISR. */
export function preferredReplicaPartitionLeaderElection(assignment: readonly number[], isr: readonly number[], live: ReadonlySet<number>): number | null {
  const first = assignment[0];
  return first !== undefined && live.has(first) && isr.includes(first) ? first : null;
}

/** Controlled shutdown: the first live ISR member that is not shutting down. */
export function controlledShutdownPartitionLeaderElection(
  assignment: readonly number[], isr: readonly number[], live: ReadonlySet<number>, shuttingDown: ReadonlySet<number>,
): number | null {
  return assignment.find((id) => live.has(id) && isr.includes(id) && !shuttingDown.has(id)) ?? null;
}

export interface ElectionResult {
  readonly state: LeaderAndIsr;
  /** The leader came from outside the ISR (data loss possible). */
  readonly unclean: boolean;
}

/**
 * Election.leaderForOffline: the new state of an offline partition, or null if it stays offline.
 * The new ISR is the live part of the old one if the leader was in it, else just the leader.
 */
export function leaderForOffline(
  assignment: readonly number[], current: LeaderAndIsr, live: ReadonlySet<number>, unclean: boolean, controllerEpoch: number,
): ElectionResult | null {
  const leader = offlinePartitionLeaderElection(assignment, current.isr, live, unclean);
  if (leader === null) return null;
  const inIsr = current.isr.includes(leader);
  const isr = inIsr ? current.isr.filter((id) => live.has(id)) : [leader];
  return { state: newLeaderAndIsr(current, leader, isr, controllerEpoch), unclean: !inIsr };
}

/**
 * Election.leaderForControlledShutdown: the new leader is the first replica of the assignment that
 * is live (shutting-down brokers count as live here), in the ISR and not shutting down; the new ISR
 * drops every shutting-down broker. Null when no such replica exists (the partition stays on the
 * stopping broker and is reported as remaining).
 */
export function leaderForControlledShutdown(
  assignment: readonly number[], current: LeaderAndIsr, liveOrShuttingDown: ReadonlySet<number>, shuttingDown: ReadonlySet<number>, controllerEpoch: number,
): LeaderAndIsr | null {
  const leader = controlledShutdownPartitionLeaderElection(assignment, current.isr, liveOrShuttingDown, shuttingDown);
  if (leader === null) return null;
  return newLeaderAndIsr(current, leader, current.isr.filter((id) => !shuttingDown.has(id)), controllerEpoch);
}

/**
 * ReplicaStateMachine OfflineReplica: a dead replica leaves the ISR; if it led, the leader becomes
 * -1; the last ISR member is never removed (the ISR keeps it and the partition goes offline).
 * Returns null when the replica is not in the ISR (nothing to write).
 */
export function removeReplicaFromIsr(current: LeaderAndIsr, replicaId: number, controllerEpoch: number): LeaderAndIsr | null {
  if (!current.isr.includes(replicaId)) return null;
  const leader = current.leader === replicaId ? NO_LEADER : current.leader;
  const isr = current.isr.length === 1 ? current.isr : current.isr.filter((id) => id !== replicaId);
  return newLeaderAndIsr(current, leader, isr, controllerEpoch);
}

/**
 * KafkaController.checkAndTriggerAutoLeaderRebalance: for each broker, the partitions whose preferred
 * replica it is but which another broker leads; when their share exceeds
 * leader.imbalance.per.broker.percentage, those whose preferred replica can lead (live, in the ISR)
 * get a preferred replica election.
 */
export function partitionsToRebalance(
  partitions: ReadonlyMap<string, { readonly assignment: readonly number[]; readonly state: LeaderAndIsr | null }>,
  live: ReadonlySet<number>,
  imbalancePercentage: number,
): string[] {
  const byPreferred = new Map<number, string[]>();
  for (const [tp, p] of partitions) {
    const preferred = p.assignment[0];
    if (preferred === undefined) continue;
    let l = byPreferred.get(preferred);
    if (l === undefined) byPreferred.set(preferred, (l = []));
    l.push(tp);
  }
  const out: string[] = [];
  for (const [broker, tps] of [...byPreferred].sort((a, b) => a[0] - b[0])) {
    const notPreferred = tps.filter((tp) => {
      const s = partitions.get(tp)!.state;
      return s !== null && s.leader !== broker;
    });
    if (notPreferred.length / tps.length <= imbalancePercentage / 100) continue;
    for (const tp of notPreferred) {
      const p = partitions.get(tp)!;
      if (preferredReplicaPartitionLeaderElection(p.assignment, p.state!.isr, live) !== null) out.push(tp);
    }
  }
  return out.sort();
}

export type LeaderAndIsrDecision = 'APPLY' | 'STALE_CONTROLLER_EPOCH' | 'NOT_A_REPLICA';

/**
 * ReplicaManager.becomeLeaderOrFollower: a request from an older controller epoch is refused as a
 * whole; a partition state is applied only if its leader epoch is higher than the one the broker
 * has (equal or lower: STALE_CONTROLLER_EPOCH), and only on brokers in its replica list.
 */
export function checkLeaderAndIsrRequest(
  requestControllerEpoch: number, brokerControllerEpoch: number,
  requestLeaderEpoch: number, currentLeaderEpoch: number,
  replicas: readonly number[], brokerId: number,
): LeaderAndIsrDecision {
  if (requestControllerEpoch < brokerControllerEpoch) return 'STALE_CONTROLLER_EPOCH';
  if (requestLeaderEpoch <= currentLeaderEpoch) return 'STALE_CONTROLLER_EPOCH';
  return replicas.includes(brokerId) ? 'APPLY' : 'NOT_A_REPLICA';
}

/**
 * What holds of every partition state a controller writes and a broker applies: the ISR is a set of
 * assigned replicas, never empty, and a leader, when there is one, is an assigned replica in the ISR
 * (LeaderInIsr of the Kafka TLA+ specification; an unclean election makes the ISR just the leader).
 */
export function assertPartitionState(tp: string, leader: number, isr: readonly number[], replicas: readonly number[]): void {
  invariant(isr.length > 0, () => `${tp}: empty ISR (leader ${leader}, replicas [${replicas.join(',')}])`);
  for (let i = 0; i < isr.length; i++) {
    const r = isr[i]!;
    invariant(replicas.includes(r) && isr.indexOf(r) === i, () => `${tp}: ISR [${isr.join(',')}] is not a set of the replicas [${replicas.join(',')}]`);
  }
  invariant(leader === NO_LEADER || isr.includes(leader), () => `${tp}: leader ${leader} is not in the ISR [${isr.join(',')}]`);
}
