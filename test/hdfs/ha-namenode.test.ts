import { describe, expect, it } from 'vitest';
import { SEC } from '../../sim/core/types.ts';
import { QuorumJournalManager } from '../../sim/hdfs/ha/qjm.ts';
import type { World } from '../../sim/world/world.ts';
import { haNnWorld, transitionAt } from './ha-nn-world.ts';

// Two HA NameNodes over three JournalNodes (issue 13, step 2): the active acknowledges after a
// quorum, the standby tails finalized segments, a transition fences the old writer and recovers its
// open segment, clients fail over on StandbyException; hdfs-acked-edits-durable fires on a planted
// edit log that answers before the quorum has the edit.

const violations = (w: World): string[] => w.violations.map((v) => `${v.checker}: ${v.message}`);

describe('HA NameNodes on the JournalNodes', () => {
  it('the standby tails the active\'s finalized segments; after the active crashes the standby takes over with every acknowledged edit', () => {
    const { world, nn, client } = haNnWorld();
    const outcomes: (string | null)[] = [];
    transitionAt(world, 1 * SEC, 'nn-1', outcomes);
    world.runUntil(12 * SEC);
    expect(nn('nn-1').haState).toBe('active');
    expect(nn('nn-1').epoch).toBe(1);
    expect(nn('nn-2').haState).toBe('standby');
    // The standby has read the segments the log rolls finalized.
    expect(nn('nn-2').ns.lastAppliedTxId).toBeGreaterThan(5);
    world.crash(world.pid('nn-1'));
    transitionAt(world, 13 * SEC, 'nn-2', outcomes);
    world.runUntil(40 * SEC);
    expect(outcomes).toEqual([null, null]);
    expect(nn('nn-2').haState).toBe('active');
    expect(nn('nn-2').epoch).toBe(2);
    const c = client();
    expect(c.acked.length).toBe(40);
    expect(c.failovers).toBeGreaterThan(0);
    for (const p of c.acked) expect(nn('nn-2').ns.resolve(p), p).not.toBeNull();
    expect(violations(world)).toEqual([]);
  });

  it('a standby answers StandbyException; an old active cut off from the JournalNodes is fenced and stops', () => {
    const { world, nn, client } = haNnWorld();
    const outcomes: (string | null)[] = [];
    transitionAt(world, 1 * SEC, 'nn-1', outcomes);
    world.runUntil(8 * SEC);
    const cut = JNS_HOSTS.flatMap((j) => [[world.hostOf('nn-1'), world.hostOf(j)], [world.hostOf(j), world.hostOf('nn-1')]] as [number, number][]);
    world.net.cutLinks(cut);
    transitionAt(world, 9 * SEC, 'nn-2', outcomes);
    world.runUntil(60 * SEC);
    expect(outcomes).toEqual([null, null]);
    expect(nn('nn-2').haState).toBe('active');
    // nn-1's next flush timed out at the quorum: "flush failed for required journal", it exits.
    expect(world.isUp(world.pid('nn-1'))).toBe(false);
    for (const p of client().acked) expect(nn('nn-2').ns.resolve(p), p).not.toBeNull();
    expect(violations(world)).toEqual([]);
  });

  it('hdfs-acked-edits-durable fires on a planted QJM that reports a write done before a quorum has it', () => {
    // The planted bug: sendEdits is "done" at once. Cut off from the JournalNodes, nn-1 keeps
    // acknowledging; nn-2 becomes active without those edits.
    class EarlyQjm extends QuorumJournalManager {
      override sendEdits(segmentTxId: number, firstTxnId: number, numTxns: number, records: Uint8Array, done: (r: { readonly error: string } | null) => void): void {
        super.sendEdits(segmentTxId, firstTxnId, numTxns, records, () => {});
        done(null);
      }
    }
    const { world } = haNnWorld({ qjm: (...a) => new EarlyQjm(...a) });
    const outcomes: (string | null)[] = [];
    transitionAt(world, 1 * SEC, 'nn-1', outcomes);
    world.runUntil(6 * SEC);
    world.net.cutLinks(JNS_HOSTS.flatMap((j) => [[world.hostOf('nn-1'), world.hostOf(j)], [world.hostOf(j), world.hostOf('nn-1')]] as [number, number][]));
    transitionAt(world, 9 * SEC, 'nn-2', outcomes);
    world.runUntil(20 * SEC);
    const v = violations(world);
    expect(v.some((m) => /hdfs-acked-edits-durable: nn-2 became active \(epoch 2\) serving from txid \d+: \d+ acknowledged operation\(s\) lost/.test(m)), v.join('\n')).toBe(true);
  });
});

const JNS_HOSTS = ['jn-1', 'jn-2', 'jn-3'];
