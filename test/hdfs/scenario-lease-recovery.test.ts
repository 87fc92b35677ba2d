import { describe, expect, it } from 'vitest';
import type { ProcessId } from '../../sim/core/types.ts';
import { runScenario } from '../../sim/harness/run.ts';
import scenario from '../../scenarios/hdfs/hdfs-lease-recovery.ts';

// The whole stack through lease recovery: the writer dies in its second block; past the hard limit
// the NameNode's lease monitor starts block recovery, the primary DataNode syncs the replicas and
// commitBlockSynchronization closes the file at the length the replicas agreed on.

describe('hdfs-lease-recovery', () => {
  it('closes the dead writer\'s file through block recovery, with a new generation stamp on its last block', () => {
    const r = runScenario(scenario, { seed: 1 });
    expect(r.violations).toEqual([]);
    expect(r.expectMet).toBe(true);
    const nn = r.world.inspect(r.world.pid('nn') as ProcessId) as { leases: unknown[]; namespace: { listing: { [path: string]: { underConstruction: string | null; blocks: string[] } } } };
    expect(nn.leases).toEqual([]);
    const f = nn.namespace.listing['/logs/app.log']!;
    expect(f.underConstruction).toBeNull();
    expect(f.blocks).toHaveLength(2);
    // the recovered block carries the recovery id (a generation stamp above the one it was written with)
    const [id, gs] = /^blk_(\d+)_(\d+) /.exec(f.blocks[1]!)!.slice(1).map(Number) as [number, number];
    expect(gs).toBeGreaterThan(id - 1073741825 + 1001);
  });
});
