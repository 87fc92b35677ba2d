import { describe, expect, it } from 'vitest';
import type { Json } from '../../sim/core/types.ts';
import { resolveScenarioConfig } from '../../sim/harness/run.ts';
import { dfsadminReport } from '../../sim/hdfs/summary/dfsadmin.ts';
import { byteDesc, formatPercent, javaFloat } from '../../sim/hdfs/summary/format.ts';
import { fsckReport } from '../../sim/hdfs/summary/fsck.ts';
import { hdfsSummary } from '../../sim/hdfs/summary/index.ts';
import { readNameNodeView } from '../../sim/hdfs/summary/view-model.ts';
import { World } from '../../sim/world/world.ts';
import deathScenario from '../../scenarios/hdfs/hdfs-datanode-death.ts';

// `hdfs dfsadmin -report` and `hdfs fsck` as dsim prints them at the end of an HDFS run: Hadoop's
// number formats, the verdicts from a NameNode view with every kind of bad block, and a real run
// with a dead DataNode and its blocks re-replicated.

const TB = 1024 ** 4;

describe('Hadoop number formats', () => {
  it('byteDesc: exact binary multiples as integers, others with two decimals', () => {
    expect(byteDesc(0)).toBe('0 B');
    expect(byteDesc(1023)).toBe('1023 B');
    expect(byteDesc(24576)).toBe('24 KB');
    expect(byteDesc(TB)).toBe('1 TB');
    expect(byteDesc(98293264384)).toBe('91.54 GB');
  });
  it('formatPercent and Java float text', () => {
    expect(formatPercent(0)).toBe('0.00%');
    expect(formatPercent(0.2066)).toBe('20.66%');
    expect(formatPercent(0 / 0)).toBe('NaN%');
    expect(javaFloat(100)).toBe('100.0');
    expect(javaFloat(100 / 3)).toBe('33.333332');
    expect(javaFloat(8 / 3)).toBe('2.6666667');
  });
});

const dn = (name: string, rack: string, state: string, blocks: number): Json => ({
  name, host: name.replace('dn', 'w'), rack, state, lastHeartbeatMs: 9000, staleAfterMs: state === 'stale-soon' ? 5000 : 39_000,
  blocks, capacity: TB, dfsUsed: 3 * 1024 * 1024, remaining: TB - 3 * 1024 * 1024, xceivers: 0, queuedTransfers: 0, queuedDeletions: 0,
});
const rep = (d: string, rack: string, corrupt = false, excess = false): Json => ({ dn: d, rack, corrupt, excess });

/** A NameNode view with one healthy, one under-replicated, one mis-replicated, one corrupt and one missing block, and a file being written. */
function view(): Json {
  const blockList: { readonly id: number; readonly [k: string]: Json }[] = [
    { id: 1, gs: 1001, len: 1000, state: 'COMPLETE', replication: 3, fileId: 1, replicas: [rep('dn-1', '/r1'), rep('dn-2', '/r2'), rep('dn-4', '/r2')], expected: [] },
    { id: 2, gs: 1002, len: 1000, state: 'COMPLETE', replication: 3, fileId: 2, replicas: [rep('dn-1', '/r1'), rep('dn-2', '/r2')], expected: [] },
    { id: 3, gs: 1003, len: 1000, state: 'COMPLETE', replication: 3, fileId: 3, replicas: [rep('dn-2', '/r2'), rep('dn-4', '/r2'), rep('dn-6', '/r2')], expected: [] },
    { id: 4, gs: 1004, len: 500, state: 'COMPLETE', replication: 2, fileId: 4, replicas: [rep('dn-1', '/r1', true), rep('dn-2', '/r2', true)], expected: [] },
    { id: 5, gs: 1005, len: 700, state: 'COMPLETE', replication: 1, fileId: 5, replicas: [], expected: [] },
    { id: 6, gs: 1006, len: 10, state: 'UNDER_CONSTRUCTION', replication: 3, fileId: 6, replicas: [], expected: ['dn-1', 'dn-2', 'dn-4'] },
  ];
  const blocks: { [k: string]: Json } = Object.fromEntries(blockList.map((b) => [`blk_${b.id}`, b]));
  const file = (path: string, id: number, len: number, repl: number, uc: string | null = null): [string, Json] => [path, {
    replication: repl, length: len, underConstruction: uc, blocks: [`blk_${id}_${1000 + id} ${len} ${uc === null ? 'COMPLETE' : 'UNDER_CONSTRUCTION'}`],
  }];
  return {
    role: 'namenode', state: 'active', safeMode: { status: 'PENDING_THRESHOLD', manual: false },
    editLog: { curSegmentTxId: 1, lastWrittenTxId: 20, syncedTxId: 20, syncInProgress: false }, storage: ['fsimage_0', 'edits_inprogress_1'],
    namespace: {
      inodes: 9, files: 6, digest: 'x', genStamp: 1006, lastBlockId: 6,
      listing: Object.fromEntries([file('/a/ok', 1, 1000, 3), file('/a/under', 2, 1000, 3), file('/b/onerack', 3, 1000, 3), file('/b/corrupt', 4, 500, 2), file('/b/missing', 5, 700, 1), file('/c/open', 6, 10, 3, 'client-1')]),
    },
    leases: [{ holder: 'client-1', files: ['/c/open'], lastUpdateUs: 0, recoveryStartedUs: {} }],
    blockManager: {
      datanodes: [dn('dn-1', '/r1', 'live', 3), dn('dn-2', '/r2', 'live', 4), dn('dn-3', '/r1', 'dead', 0), dn('dn-4', '/r2', 'live', 2), dn('dn-6', '/r2', 'stale-soon', 1)],
      blocks, lowRedundancy: [[5], [2], [], [], [4]], pendingReconstruction: [], corruptBlocks: [4], excessReplicas: 0, pendingDeletion: 2,
      safeMode: { blockTotal: 5, blockSafe: 3, liveDatanodes: 4 }, replQueuesInitialized: true, deadDeclarations: [],
    },
  };
}

describe('dfsadmin -report and fsck from a NameNode view', () => {
  const m = readNameNodeView(view(), 10_000);

  it('dfsadmin: safe mode, capacity of the live nodes, the block counts, live and dead sections', () => {
    const text = dfsadminReport(m);
    expect(text.split('\n')[0]).toBe('Safe mode is ON');
    expect(text).toContain(`Configured Capacity: ${4 * TB} (4 TB)`);
    expect(text).toContain('\tUnder replicated blocks: 2');
    expect(text).toContain('\tBlocks with corrupt replicas: 1');
    expect(text).toContain('\tMissing blocks: 1');
    expect(text).toContain('\tMissing blocks (with replication factor 1): 0');
    expect(text).toContain('\tLow redundancy blocks with highest priority to recover: 1');
    expect(text).toContain('\tPending deletion blocks: 2');
    expect(text).toContain('Live datanodes (4):');
    expect(text).toContain('Dead datanodes (1):\n\nName: w-3:9866 (dn-3)\nHostname: w-3\nRack: /r1\nDecommission Status : Normal\nConfigured Capacity: 0 (0 B)');
  });

  it('fsck: each bad block named as NamenodeFsck names it, and the filesystem is CORRUPT', () => {
    const text = fsckReport(m, { nowMs: 10_000, defaultReplication: 3, minReplication: 1 });
    const lines = text.split('\n');
    expect(lines).toContain('/a/ok 1000 bytes, replicated: replication=3, 1 block(s):  OK');
    expect(lines).toContain('0. BP-dsim:blk_1_1001 len=1000 Live_repl=3  [/r1/w-1:9866(LIVE), /r2/w-2:9866(LIVE), /r2/w-4:9866(LIVE)]');
    expect(text).toContain('/a/under 1000 bytes, replicated: replication=3, 1 block(s):  Under replicated BP-dsim:blk_2_1002. Target Replicas is 3 but found 2 live replica(s), 0 decommissioned replica(s), 0 decommissioning replica(s).');
    expect(text).toContain(' Replica placement policy is violated for BP-dsim:blk_3_1003. Block should be additionally replicated on 1 more rack(s).');
    expect(lines).toContain('0. BP-dsim:blk_3_1003 len=1000 Live_repl=3  [/r2/w-2:9866(LIVE), /r2/w-4:9866(LIVE), /r2/w-6:9866(STALE_NODE)]');
    expect(text).toContain('/b/corrupt: CORRUPT blockpool BP-dsim block blk_4');
    expect(lines).toContain('0. BP-dsim:blk_4_1004 len=500 Live_repl=0  [/r1/w-1:9866(CORRUPT), /r2/w-2:9866(CORRUPT)]');
    expect(lines).toContain('0. BP-dsim:blk_5_1005 len=700 MISSING!');
    expect(lines).toContain(' MISSING 1 blocks of total size 700 B');
    expect(text).not.toContain('/c/open 10 bytes');
    expect(lines).toContain(' Total files:\t5 (Files currently being written: 1)');
    expect(lines).toContain(' Under-replicated blocks:\t1 (20.0 %)');
    // blk_3 (one rack of two) and blk_5 (no location at all), as verifyBlockPlacement counts them
    expect(lines).toContain(' Mis-replicated blocks:\t\t2 (40.0 %)');
    expect(lines).toContain('  CORRUPT FILES:\t2');
    expect(lines).toContain(' Missing blocks:\t\t1');
    expect(lines).toContain(' Corrupt blocks:\t\t1');
    expect(lines).toContain(' Number of data-nodes:\t4');
    expect(lines[0]).toMatch(/^FSCK started by dsim/);
    expect(lines.at(-1)).toBe("The filesystem under path '/' is CORRUPT");
  });

  it('fsck lists at most maxFilesListed files but checks them all', () => {
    const text = fsckReport(m, { nowMs: 10_000, defaultReplication: 3, minReplication: 1, maxFilesListed: 1 });
    expect(text).toContain('/a/ok 1000 bytes');
    expect(text).not.toContain('/a/under 1000 bytes');
    expect(text).toContain('(dsim: 4 more files checked, their lines left out of this summary)');
    expect(text.split('\n').at(-1)).toBe("The filesystem under path '/' is CORRUPT");
  });
});

describe('the summary of a real run', () => {
  it('a dead DataNode: listed dead, its blocks back at three replicas, fsck HEALTHY', () => {
    // dead interval 2 x 15 s + 10 x 3 s = 60 s: dn-1 dies at 20 s, is declared dead about a minute later.
    const cfg = resolveScenarioConfig(deathScenario, { 'hdfs.dfs.namenode.heartbeat.recheck-interval': 15_000 });
    const world = new World({ seed: 1, scenario: deathScenario.name, config: cfg, trace: null });
    deathScenario.build(world, cfg);
    world.schedule(20_000_000, () => world.crash(world.pid('dn-1')));
    world.runUntil(200_000_000);
    const text = hdfsSummary(world);
    expect(text).toContain('NameNode nn: safe mode OFF');
    expect(text).toContain('Live datanodes (5):');
    expect(text).toContain('Dead datanodes (1):\n\nName: w-1:9866 (dn-1)');
    expect(text).toContain(' Under-replicated blocks:\t0 (0.0 %)');
    expect(text).toContain(' Average block replication:\t3.0');
    expect(text).not.toContain('/rack-1/w-1:9866');
    expect(text.split('\n').at(-1)).toBe("The filesystem under path '/' is HEALTHY");
  });
});

describe('the summary of an HA nameservice', () => {
  it('reports from the active NameNode and names the standby', () => {
    const cfg = resolveScenarioConfig(deathScenario, {});
    const world = new World({ seed: 1, scenario: 'ha', config: cfg, trace: null });
    const standby: Json = { role: 'namenode', state: 'starting', haState: 'standby', lastAppliedTxId: 41 };
    const active: Json = { ...(view() as { readonly [k: string]: Json }), haState: 'active' };
    for (const [name, v] of [['nn-1', standby], ['nn-2', active]] as const) {
      world.addHost(name);
      world.addProcess(name, name, () => ({ onMessage() {}, onTimer() {}, inspect: (): Json => v }), { system: 'hdfs', role: 'namenode' });
    }
    world.runUntil(1000);
    const text = hdfsSummary(world);
    expect(text).toContain('NameNode nn-1: state "starting", haState "standby", lastAppliedTxId 41');
    expect(text).toContain('NameNode nn-2 (active): safe mode PENDING_THRESHOLD');
    expect(text.split('\n').at(-1)).toBe("The filesystem under path '/' is CORRUPT");
  });
});
