import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import '../ha/observations.ts';

// hdfs-one-writer: the Quorum Journal Manager's safety (HDFS-3077's design: epochs are Paxos
// ballots, a JournalNode's promise fences every older writer), from what the JournalNodes report
// once it is durable (hdfs-jn-promise, hdfs-jn-write):
//   1. a JournalNode's promised epoch and its writer epoch never decrease (nor the epochs of the
//      writes it accepts);
//   2. the fence: no JournalNode accepts a write from an epoch below its own promise, and once a
//      majority promised epoch E, no write of an older epoch reaches a majority (a JournalNode that
//      missed the new epoch may still take the old writer's edits: that is allowed, as in Hadoop,
//      because the old writer can never again get a quorum);
//   3. a txid whose record a majority holds (committed: the writer may have acknowledged it) is never
//      written with another record, and two records of one txid never both reach a majority.
// A JournalNode's records are dropped from the count where it drops them: a new segment or a
// recovery download replaces its copy from the segment's first txid on.

const NAME = 'hdfs-one-writer';

export interface OneWriterOptions {
  /** The JournalNodes (their process names): a majority of these is a quorum. */
  readonly journalNodes: readonly string[];
}

export function hdfsOneWriterChecker(opts: OneWriterOptions): Checker {
  return {
    name: NAME,
    kind: 'safety',
    description: 'JournalNodes take edits from one writer epoch at a time: epochs never decrease, a majority promise fences older writers, a committed txid never gets other content',
    attach(world: World) {
      const n = opts.journalNodes.length;
      const majority = Math.floor(n / 2) + 1;
      const promised = new Map<string, number>();
      const writer = new Map<string, number>();
      const lastWriteEpoch = new Map<string, number>();
      /** txid -> JournalNode -> record CRC, for txids not yet committed. */
      const held = new Map<number, Map<string, number>>();
      const committed = new Map<number, number>();
      /** Per JournalNode, the txids it holds uncommitted (to drop them when it truncates). */
      const heldBy = new Map<string, Set<number>>();
      const fail = (m: string): void => world.reportViolation(NAME, m);

      /** The highest epoch a majority has promised (0 if none). */
      const fencedEpoch = (): number => {
        const eps = opts.journalNodes.map((j) => promised.get(j) ?? 0).sort((a, b) => b - a);
        return eps[majority - 1] ?? 0;
      };

      const drop = (jn: string, fromTxId: number): void => {
        const mine = heldBy.get(jn);
        if (mine === undefined) return;
        for (const t of [...mine]) {
          if (t < fromTxId) continue;
          mine.delete(t);
          held.get(t)?.delete(jn);
        }
      };

      world.onObserve('hdfs-jn-promise', (_p, d) => {
        const pp = promised.get(d.journal) ?? 0;
        const pw = writer.get(d.journal) ?? 0;
        if (d.promised < pp) fail(`${d.journal}'s promised epoch went back from ${pp} to ${d.promised}`);
        if (d.writer < pw) fail(`${d.journal}'s writer epoch went back from ${pw} to ${d.writer}`);
        promised.set(d.journal, Math.max(pp, d.promised));
        writer.set(d.journal, Math.max(pw, d.writer));
      });

      /** Writes of an epoch accepted after a majority promised a newer one: "epoch:txid" -> JournalNodes. */
      const stale = new Map<string, Set<string>>();
      world.onObserve('hdfs-jn-write', (_p, d) => {
        const own = promised.get(d.journal) ?? 0;
        if (d.epoch < own) fail(`${d.journal} accepted ${d.what} of segment ${d.segmentTxId} from writer epoch ${d.epoch} below its promised epoch ${own}`);
        const fence = fencedEpoch();
        if (d.epoch < fence) {
          const keys = d.crcs.length === 0 ? [`${d.epoch}:start:${d.segmentTxId}`] : d.crcs.map((_c, i) => `${d.epoch}:${d.firstTxId + i}`);
          for (const k of keys) {
            let set = stale.get(k);
            if (set === undefined) stale.set(k, (set = new Set()));
            set.add(d.journal);
            if (set.size === majority) fail(`a majority (${[...set].join(', ')}) accepted ${d.what} of segment ${d.segmentTxId} from writer epoch ${d.epoch} after a majority promised epoch ${fence}`);
          }
        }
        const lw = lastWriteEpoch.get(d.journal) ?? 0;
        if (d.epoch < lw) fail(`${d.journal} accepted ${d.what} from epoch ${d.epoch} after writes of epoch ${lw}`);
        lastWriteEpoch.set(d.journal, Math.max(lw, d.epoch));
        if (d.what !== 'journal') drop(d.journal, d.segmentTxId);
        let mine = heldBy.get(d.journal);
        if (mine === undefined) heldBy.set(d.journal, (mine = new Set()));
        d.crcs.forEach((crc, i) => {
          const txid = d.firstTxId + i;
          const c = committed.get(txid);
          if (c !== undefined) {
            if (c !== crc) fail(`txid ${txid} was committed with record crc ${c.toString(16)} and ${d.journal} wrote crc ${crc.toString(16)} (epoch ${d.epoch}, ${d.what})`);
            return;
          }
          let m = held.get(txid);
          if (m === undefined) held.set(txid, (m = new Map()));
          m.set(d.journal, crc);
          mine.add(txid);
          let same = 0;
          for (const v of m.values()) if (v === crc) same++;
          if (same >= majority) {
            committed.set(txid, crc);
            for (const j of m.keys()) heldBy.get(j)?.delete(txid);
            held.delete(txid);
          }
        });
      });
    },
  };
}
