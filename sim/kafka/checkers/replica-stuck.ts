import type { Checker, CheckStatus, RunPhases } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { liveBrokers } from '../cluster.ts';

// kafka-replica-stuck: after the heal, a live replica of a partition that has a leader either is in
// the leader's ISR at the end of the run or was still making progress (appending or truncating)
// within the last `boundMs`. A replica whose fetcher stopped on an error Kafka does not recover from
// (an out-of-order append: before 2.3 the fetcher thread dies, from 2.3 the partition is marked
// failed until the next LeaderAndIsr, KIP-461) stays behind and out of the ISR for good; the
// partition keeps working with fewer replicas, so no other checker notices.

export function replicaStuckChecker(opts: { readonly boundMs: number }): Checker {
  const lastProgressUs = new Map<string, number>(); // `${tp}@${broker}` -> last append or truncation
  return {
    name: 'kafka-replica-stuck',
    kind: 'liveness',
    description: 'after heal every live replica of a led partition rejoins the ISR or keeps making progress within the bound',
    attach(w: World): void {
      w.onObserve('kafka-append', (_p, o) => lastProgressUs.set(`${o.tp}@${o.broker}`, w.nowUs));
      w.onObserve('kafka-truncate', (_p, o) => lastProgressUs.set(`${o.tp}@${o.broker}`, w.nowUs));
      w.onObserve('kafka-broker-start', (_p, o) => {
        for (const tp of Object.keys(o.logs)) lastProgressUs.set(`${tp}@${o.broker}`, w.nowUs);
      });
    },
    finish(w: World, run: RunPhases): CheckStatus | void {
      const boundUs = opts.boundMs * 1000;
      if (run.endUs - run.healUs < boundUs) return;
      const brokers = liveBrokers(w);
      const byId = new Map(brokers.map((b) => [b.id, b]));
      // The leader of each partition: the live broker leading it at the highest leader epoch.
      const leaders = new Map<string, { id: number; epoch: number }>();
      for (const b of brokers) {
        for (const p of b.partitions.values()) {
          const cur = leaders.get(p.key);
          if (p.isLeader && (cur === undefined || p.leaderEpoch > cur.epoch)) leaders.set(p.key, { id: b.id, epoch: p.leaderEpoch });
        }
      }
      const stuck: string[] = [];
      for (const [tp, l] of [...leaders].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const lp = byId.get(l.id)!.partitions.get(tp)!;
        for (const r of lp.replicas) {
          if (r === l.id || lp.isr.includes(r)) continue;
          const rp = byId.get(r)?.partitions.get(tp);
          if (rp === undefined) continue; // down, or never created the replica
          const last = lastProgressUs.get(`${tp}@${r}`) ?? 0;
          if (run.endUs - last < boundUs) continue;
          stuck.push(`broker ${r} on ${tp} (LEO ${rp.log.logEndOffset}, leader ${l.id} at LEO ${lp.log.logEndOffset} with ISR [${lp.isr.join(',')}]; last progress at ${(last / 1e6).toFixed(1)} s)`);
        }
      }
      if (stuck.length > 0) {
        w.reportViolation('kafka-replica-stuck', `out of the ISR with no progress for ${opts.boundMs} ms before the end: ${stuck.join('; ')}`);
      }
    },
  };
}
