import { describe, expect, it } from 'vitest';
import type { Json, ProcessId } from '../../sim/core/types.ts';
import { runScenario } from '../../sim/harness/run.ts';
import deathScenario from '../../scenarios/hdfs/hdfs-datanode-death.ts';
import pipelineScenario from '../../scenarios/hdfs/hdfs-pipeline-recovery.ts';

// `--set` of the replication, the replace-datanode-on-failure policy and the heartbeat intervals,
// through runScenario (what `dsim run --set` calls), behaves as Hadoop documents them
// (hdfs-default.xml): dfs.replication is the default block replication of new files;
// dfs.client.block.write.replace-datanode-on-failure.policy ALWAYS adds a new DataNode whenever one
// is removed, NEVER never does; a DataNode is dead after 2 x recheck-interval + 10 x heartbeat.

/** The message types a run sent, counted (a world tap: no trace needed). */
function sentTypes(scenario: typeof pipelineScenario, overrides: { [k: string]: string }): Map<string, number> {
  const counts = new Map<string, number>();
  const r = runScenario({
    ...scenario,
    build(world, cfg) {
      scenario.build(world, cfg);
      world.addTap({ message: (dir, _p, _peer, type) => { if (dir === 'sends') counts.set(type, (counts.get(type) ?? 0) + 1); } });
    },
  }, { seed: 1, overrides });
  expect(r.violations).toEqual([]);
  return counts;
}

describe('--set behaves as Hadoop documents', () => {
  it('hdfs.dfs.replication=2: every block of the written files has two replicas on two racks at the end', () => {
    const r = runScenario(deathScenario, { seed: 1, overrides: { 'hdfs.dfs.replication': '2' } });
    expect(r.violations).toEqual([]);
    const nn = r.world.inspect(r.world.pid('nn') as ProcessId) as { [k: string]: Json };
    const blocks = Object.values((nn['blockManager'] as { blocks: { [b: string]: { replication: number; replicas: { rack: string }[] } } }).blocks);
    expect(blocks.length).toBeGreaterThan(10);
    for (const b of blocks) {
      expect(b.replication).toBe(2);
      expect(b.replicas).toHaveLength(2);
      expect(new Set(b.replicas.map((x) => x.rack)).size).toBe(2);
    }
  });

  it('heartbeat 1 s and recheck 60 s: dn-1 is declared dead after 2 x 60 + 10 x 1 = 130 s of silence, within one recheck of it', () => {
    const r = runScenario(deathScenario, { seed: 1, overrides: { 'hdfs.dfs.heartbeat.interval': '1', 'hdfs.dfs.namenode.heartbeat.recheck-interval': '60000' } });
    expect(r.violations).toEqual([]);
    const nn = r.world.inspect(r.world.pid('nn') as ProcessId) as { blockManager: { deadDeclarations: { datanode: string; silentMs: number }[] } };
    const d = nn.blockManager.deadDeclarations.find((x) => x.datanode === 'dn-1')!;
    expect(d.silentMs).toBeGreaterThan(130_000);
    expect(d.silentMs).toBeLessThanOrEqual(130_000 + 60_000 + 5_000);
  });

  it('replace-datanode-on-failure: ALWAYS adds a DataNode to the recovered pipeline (getAdditionalDatanode, TRANSFER_BLOCK), NEVER and enable=false do not', () => {
    const key = 'hdfs.dfs.client.block.write.replace-datanode-on-failure';
    const always = sentTypes(pipelineScenario, { [`${key}.policy`]: 'ALWAYS' });
    expect(always.get('getAdditionalDatanode') ?? 0).toBeGreaterThan(0);
    expect(always.get('DtTransferBlock') ?? 0).toBeGreaterThan(0);
    const cases: { [k: string]: string }[] = [{ [`${key}.policy`]: 'NEVER' }, { [`${key}.enable`]: 'false', [`${key}.policy`]: 'ALWAYS' }];
    for (const o of cases) {
      const c = sentTypes(pipelineScenario, o);
      expect(c.get('updatePipeline') ?? 0).toBeGreaterThan(0); // the pipeline did recover
      expect(c.get('getAdditionalDatanode') ?? 0).toBe(0);
      expect(c.get('DtTransferBlock') ?? 0).toBe(0);
    }
  });
});
