import { describe, expect, it } from 'vitest';
import { SEC } from '../../sim/core/types.ts';
import type { ClientOptions } from '../../sim/hdfs/client/client.ts';
import type { WriteSpec } from '../../sim/hdfs/client/writer.ts';
import { expectedDigest, seedOfPath } from '../../sim/hdfs/content.ts';
import { MiB, rbwBytes, rig, runUntilTrue } from './fake-nn.ts';

const spec = (path: string, fileBytes: number, extra: Partial<WriteSpec> = {}): WriteSpec => ({
  path, fileBytes, writeBytes: 64 * 1024, replication: 3, blockSize: MiB, hflushEveryBytes: 0, hsyncEveryBytes: 0, ...extra,
});

const writer = (writes: WriteSpec[], verifyAtUs: number | null): ClientOptions => ({
  namenode: 'nn', writes, pauseUs: 100_000, reads: [], readEveryUs: 0, verifyAtUs,
});

function ops(world: ReturnType<typeof rig>['world'], f: string) {
  return world.history.operations().filter((o) => o.f === f);
}

describe('write pipeline', () => {
  it('writes a multi-block file through a 3-node pipeline and reads it back with the same digest', () => {
    const r = rig(4, { 'client-1': writer([spec('/a', 3 * MiB + 1000)], 30 * SEC) });
    r.world.runUntil(40 * SEC);
    const [w] = ops(r.world, 'write');
    expect(w?.status).toBe('ok');
    const [v] = ops(r.world, 'verify');
    expect(v?.status).toBe('ok');
    expect(v?.output).toEqual({ length: 3 * MiB + 1000, digest: expectedDigest(seedOfPath('/a'), 3 * MiB + 1000, 512) });
    // Every block has three finalized replicas with the file's GS.
    const f = r.nn().files.get('/a')!;
    expect(f.blocks).toHaveLength(4);
    for (const b of f.blocks) {
      const reps = [...r.nn().replicas.get(b.blockId)!.values()].filter((x) => x.status === 'RECEIVED_BLOCK' && x.gs === b.genStamp);
      expect(reps).toHaveLength(3);
    }
  });

  it('hsync acknowledges a prefix that every DataNode fsynced', () => {
    const r = rig(3, { 'client-1': writer([spec('/h', 2 * MiB, { hsyncEveryBytes: 300_000 })], 30 * SEC) });
    r.world.runUntil(40 * SEC);
    const hs = ops(r.world, 'hsync');
    expect(hs.length).toBe(6);
    expect(hs.every((o) => o.status === 'ok')).toBe(true);
    expect(ops(r.world, 'verify')[0]?.status).toBe('ok');
  });

  it('a DataNode crash mid-block: the pipeline recovers with a new GS and the data is intact', () => {
    const r = rig(5, { 'client-1': writer([spec('/p', 4 * MiB, { writeBytes: 16 * 1024 })], 60 * SEC) }, { 'hdfs.dfs.client.block.write.replace-datanode-on-failure.policy': 'ALWAYS' });
    // Crash the second node of the first pipeline once it holds part of the first block.
    const crashed = 'dn-2';
    runUntilTrue(r.world, () => rbwBytes(r.world, crashed) > 200_000);
    r.world.crash(r.world.pid(crashed));
    r.world.runUntil(70 * SEC);
    expect(ops(r.world, 'write')[0]?.status).toBe('ok');
    expect(ops(r.world, 'verify')[0]?.status).toBe('ok');
    expect(r.nn().pipelineUpdates.length).toBeGreaterThan(0);
    const up = r.nn().pipelineUpdates[0]!;
    expect(up.nodes).not.toContain(crashed);
    expect(up.nodes).toHaveLength(3);
  });
});

describe('replace-datanode-on-failure in a live pipeline', () => {
  function crashMidBlock(n: number, overrides: { [k: string]: string | boolean }, extra: Partial<WriteSpec> = {}) {
    const r = rig(n, { 'client-1': writer([spec('/q', 4 * MiB, { writeBytes: 16 * 1024, ...extra })], 60 * SEC) }, overrides);
    runUntilTrue(r.world, () => rbwBytes(r.world, 'dn-2') > 200_000);
    r.world.crash(r.world.pid('dn-2'));
    r.world.runUntil(70 * SEC);
    return r;
  }

  it('DEFAULT, replication 3, never hflushed: the block goes on with the 2 survivors', () => {
    const r = crashMidBlock(5, {});
    expect(ops(r.world, 'write')[0]?.status).toBe('ok');
    expect(r.nn().pipelineUpdates[0]!.nodes).toHaveLength(2);
  });

  it('DEFAULT after an hflush: a replacement joins (the block was hflushed)', () => {
    const r = crashMidBlock(5, {}, { hflushEveryBytes: 64 * 1024 });
    expect(ops(r.world, 'write')[0]?.status).toBe('ok');
    expect(r.nn().pipelineUpdates[0]!.nodes).toHaveLength(3);
    expect(ops(r.world, 'verify')[0]?.status).toBe('ok');
  });

  it('ALWAYS with no spare DataNode: the write fails unless best-effort', () => {
    const policy = 'hdfs.dfs.client.block.write.replace-datanode-on-failure.policy';
    const failed = crashMidBlock(3, { [policy]: 'ALWAYS' });
    expect(ops(failed.world, 'write')[0]).toMatchObject({ status: 'info' });
    expect(ops(failed.world, 'write')[0]!.error).toMatch(/Failed to replace a bad datanode/);
    const best = crashMidBlock(3, { [policy]: 'ALWAYS', 'hdfs.dfs.client.block.write.replace-datanode-on-failure.best-effort': true });
    expect(ops(best.world, 'write')[0]?.status).toBe('ok');
    expect(best.nn().pipelineUpdates[0]!.nodes).toHaveLength(2);
  });
});
