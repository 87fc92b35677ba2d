import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import '../ha/observations.ts';
import '../namenode/observations.ts';

// hdfs-acked-edits-durable: every namespace operation an HA NameNode acknowledged survives every
// failover and restart. From the observations:
//   - hdfs-ha-synced: the active's edits reached a quorum of JournalNodes (txid -> record CRC);
//   - hdfs-nn-op-acked: a NameNode answered a mutation; its txid must already be on a quorum;
//   - hdfs-ha-applied: a NameNode read edits from the JournalNodes; an acknowledged txid must come
//     back with the record that was acknowledged;
//   - hdfs-ha-state active: a NameNode became active serving from txid T; every acknowledged txid
//     must be <= T (it would otherwise start a segment over an acknowledged edit).

const NAME = 'hdfs-acked-edits-durable';

export function hdfsAckedEditsDurableChecker(opts: { readonly namenodes: readonly string[] }): Checker {
  return {
    name: NAME,
    kind: 'safety',
    description: 'every namespace operation acknowledged by an HA NameNode is on a quorum of JournalNodes and survives every failover and restart',
    attach(world: World) {
      const synced = new Map<number, number>();
      const acked = new Map<number, string>();
      let maxAcked = 0;
      const fail = (m: string): void => world.reportViolation(NAME, m);
      world.onObserve('hdfs-ha-synced', (_p, d) => {
        d.crcs.forEach((crc, i) => {
          const t = d.firstTxId + i;
          const before = synced.get(t);
          if (before !== undefined && before !== crc && acked.has(t)) {
            fail(`${d.nn} (epoch ${d.epoch}) committed txid ${t} with record crc ${crc.toString(16)}, but ${acked.get(t)} was acknowledged there with crc ${before.toString(16)}`);
          }
          synced.set(t, crc);
        });
      });
      world.onObserve('hdfs-nn-op-acked', (p, d) => {
        const nn = world.procNames[p]!;
        if (!opts.namenodes.includes(nn)) return;
        if (!synced.has(d.txid)) fail(`${nn} acknowledged ${d.what} (txid ${d.txid}) before a quorum of JournalNodes had it`);
        acked.set(d.txid, `${d.what} by ${nn}`);
        maxAcked = Math.max(maxAcked, d.txid);
      });
      world.onObserve('hdfs-ha-applied', (_p, d) => {
        d.crcs.forEach((crc, i) => {
          const t = d.firstTxId + i;
          const what = acked.get(t);
          const want = synced.get(t);
          if (what !== undefined && want !== undefined && want !== crc) fail(`${d.nn} read txid ${t} with record crc ${crc.toString(16)}, but ${what} was acknowledged with crc ${want.toString(16)}`);
        });
      });
      world.onObserve('hdfs-ha-state', (_p, d) => {
        if (d.state !== 'active' || maxAcked <= d.lastAppliedTxId) return;
        const lost = [...acked].filter(([t]) => t > d.lastAppliedTxId).sort((a, b) => a[0] - b[0]);
        fail(`${d.nn} became active (epoch ${d.epoch}) serving from txid ${d.lastAppliedTxId}: ${lost.length} acknowledged operation(s) lost, first txid ${lost[0]![0]} (${lost[0]![1]})`);
      });
    },
  };
}
