import { describe, expect, it } from 'vitest';
import type { ProcessId } from '../../sim/core/types.ts';
import { runScenario } from '../../sim/harness/run.ts';
import scenario from '../../scenarios/hdfs/hdfs-checkpoint-restart.ts';

// The whole HDFS stack (NameNode with the BlockManager, SecondaryNameNode, DataNodes, a writing
// client) through a checkpoint, a NameNode kill -9 and a power loss of its host.

describe('hdfs-checkpoint-restart', () => {
  it('checkpoints through the SecondaryNameNode, restarts the NameNode from fsimage + edits twice, and loses nothing acknowledged', () => {
    const r = runScenario(scenario, { seed: 1 });
    expect(r.violations).toEqual([]);
    expect(r.expectMet).toBe(true);
    const nn = r.world.inspect(r.world.pid('nn') as ProcessId) as { safeMode: string; storage: string[] };
    expect(nn.safeMode).toBe('OFF');
    const images = nn.storage.filter((f) => f.startsWith('fsimage_'));
    expect(images.length).toBe(2);
    expect(images.every((f) => f !== 'fsimage_0')).toBe(true);
    const snn = r.world.inspect(r.world.pid('snn') as ProcessId) as { checkpoints: number };
    expect(snn.checkpoints).toBeGreaterThanOrEqual(2);
  });
});
