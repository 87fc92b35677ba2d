import { describe, expect, it } from 'vitest';
import type { ProcessId } from '../../sim/core/types.ts';
import { runScenario } from '../../sim/harness/run.ts';
import scenario from '../../scenarios/hdfs/hdfs-datanode-death.ts';

// The whole HDFS stack through a silent DataNode death: dead only after the dead interval, blocks
// back at three replicas on two racks at the monitor's pace, the returning node's copies deleted.

describe('hdfs-datanode-death', () => {
  it('declares dn-1 dead between 630 s and 630 s + one recheck interval after it died, restores every block, deletes the excess after the heal', () => {
    const r = runScenario(scenario, { seed: 1 });
    expect(r.violations).toEqual([]);
    expect(r.expectMet).toBe(true);
    const nn = r.world.inspect(r.world.pid('nn') as ProcessId) as {
      blockManager: { blocks: { [id: string]: { replicas: unknown[]; replication: number } }; pendingDeletion: number; deadDeclarations: { datanode: string; atMs: number; silentMs: number }[] };
    };
    expect(nn.blockManager.deadDeclarations.map((d) => d.datanode)).toEqual(['dn-1']);
    const d = nn.blockManager.deadDeclarations[0]!;
    expect(d.silentMs).toBeGreaterThan(630_000);
    expect(d.silentMs).toBeLessThanOrEqual(630_000 + 300_000 + 5_000);
    expect(d.atMs).toBeLessThan(1_200_000);
    // after the heal dn-1 is back: no block keeps more than its replication once the excess is deleted
    expect(Object.values(nn.blockManager.blocks).every((b) => b.replicas.length === b.replication)).toBe(true);
    expect(nn.blockManager.pendingDeletion).toBe(0);
  });
});
