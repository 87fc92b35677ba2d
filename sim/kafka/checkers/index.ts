import type { Checker } from '../../world/checker.ts';
import type { Config } from '../../core/config.ts';
import type { World } from '../../world/world.ts';
import { liveBrokers, readFinalLogs, uncleanEnabled, type Cluster, type FinalPartition } from '../cluster.ts';
import { brokerSettings, logConfigFor, producerSettings } from '../config.ts';
import { durabilityChecker } from './durability.ts';
import { historyCheckers } from './history.ts';
import { epochsMonotonicChecker, hwMonotonicChecker, leaderInIsrChecker, oneLeaderPerEpochChecker } from './leaders.ts';
import { logMatchingChecker, type LeaderView } from './log-matching.ts';
import { livenessChecker } from './liveness.ts';
import { minIsrChecker } from './min-isr.ts';
import { epochCacheChecker } from './epoch-cache.ts';
import { replicaStuckChecker } from './replica-stuck.ts';
import { ShadowLogs } from './shadow.ts';

export { ShadowLogs, ReplicaShadow } from './shadow.ts';
export { durabilityChecker } from './durability.ts';
export { historyCheckers, historyVerdict } from './history.ts';
export { leaderInIsrChecker, oneLeaderPerEpochChecker, epochsMonotonicChecker, hwMonotonicChecker } from './leaders.ts';
export { logMatchingChecker, logMatchingProblem } from './log-matching.ts';
export { livenessChecker } from './liveness.ts';
export { minIsrChecker } from './min-isr.ts';
export { epochCacheChecker } from './epoch-cache.ts';
export { replicaStuckChecker } from './replica-stuck.ts';

/** Every Kafka checker for a cluster, with the promises its configuration makes. */
export function kafkaCheckers(cfg: Config, cluster: Cluster, opts: { readonly livenessBoundMs: number }): Checker[] {
  const p = producerSettings(cfg);
  const shadows = new ShadowLogs();
  let cache: { world: World; events: number; finals: FinalPartition[] } | null = null;
  const read = (w: World): FinalPartition[] => {
    if (cache === null || cache.world !== w || cache.events !== w.scheduler.executed) cache = { world: w, events: w.scheduler.executed, finals: readFinalLogs(w, cluster.topic) };
    return cache.finals;
  };
  const leaders = (w: World): LeaderView[] => {
    const out: LeaderView[] = [];
    for (const b of liveBrokers(w)) for (const part of b.partitions.values()) if (part.isLeader) out.push({ tp: part.key, broker: b.id, hw: part.log.highWatermark, isr: part.isr });
    return out;
  };
  const live = (w: World, id: number): boolean => liveBrokers(w).some((b) => b.id === id);
  const partitions = Array.from({ length: cluster.topic.partitions }, (_, i) => `${cluster.topic.name}-${i}`);
  return [
    durabilityChecker(shadows, { promised: p.acks === -1 && !uncleanEnabled(cfg, cluster.topic), read }),
    logMatchingChecker(shadows, leaders, live),
    minIsrChecker(shadows, {
      promised: p.acks === -1,
      minIsr: logConfigFor(brokerSettings(cfg), cluster.topic.config).minInsyncReplicas,
      brokers: cluster.brokers.map((_, i) => i + 1),
    }),
    epochCacheChecker(),
    leaderInIsrChecker(),
    oneLeaderPerEpochChecker(),
    epochsMonotonicChecker(),
    hwMonotonicChecker(),
    ...historyCheckers({ read, duplicatesPromised: p.enableIdempotence, orderPromised: p.enableIdempotence || p.maxInFlightRequestsPerConnection === 1 }),
    livenessChecker({ boundMs: opts.livenessBoundMs, partitions, read }),
    replicaStuckChecker({ boundMs: opts.livenessBoundMs }),
  ];
}
