import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../sim/core/config.ts';
import { UsageError } from '../../sim/core/invariant.ts';
import { SEC } from '../../sim/core/types.ts';
import { blockManagementSchema, blockSettings } from '../../sim/hdfs/config-blocks.ts';

describe('block-management configuration (hdfs-default.xml of 3.3)', () => {
  it('a DataNode is dead after 2 x recheck-interval + 10 x heartbeat = 630 s and stale after 30 s by default', () => {
    const s = blockSettings(resolveConfig(blockManagementSchema));
    expect(s.heartbeatExpireIntervalUs).toBe(630 * SEC);
    expect(s.staleIntervalUs).toBe(30 * SEC);
    expect(s.heartbeatIntervalUs).toBe(3 * SEC);
    expect(s.redundancyIntervalUs).toBe(3 * SEC);
    expect([s.workMultiplier, s.maxReplicationStreams, s.replicationStreamsHardLimit]).toEqual([2, 2, 4]);
    expect(s.pendingTimeoutUs).toBe(300 * SEC);
  });

  it('the dead interval follows the keys it is made of', () => {
    const s = blockSettings(resolveConfig(blockManagementSchema, {}, {
      'hdfs.dfs.heartbeat.interval': '1', 'hdfs.dfs.namenode.heartbeat.recheck-interval': '5000',
    }));
    expect(s.heartbeatExpireIntervalUs).toBe(20 * SEC);
  });

  it('a stale interval below 3 heartbeats is raised to the minimum; a non-positive one is refused with Hadoop\'s message', () => {
    expect(blockSettings(resolveConfig(blockManagementSchema, {}, { 'hdfs.dfs.namenode.stale.datanode.interval': '1000' })).staleIntervalUs).toBe(9 * SEC);
    expect(() => blockSettings(resolveConfig(blockManagementSchema, {}, { 'hdfs.dfs.namenode.stale.datanode.interval': '0' })))
      .toThrow(new UsageError("dfs.namenode.stale.datanode.interval = '0' is invalid. It should be a positive non-zero value."));
    expect(() => blockSettings(resolveConfig(blockManagementSchema, {}, { 'hdfs.dfs.namenode.replication.min': '0' })))
      .toThrow(UsageError);
  });
});
