import type { Json } from '../../core/types.ts';
import type { BlockManager } from './block-manager.ts';

// The block-management part of the NameNode's inspect() view: DataNodes (live/stale/dead, rack,
// load), blocks with replica locations, state and GS, the low-redundancy queues, pending
// reconstructions, corrupt and excess replicas, queued deletions, safe-mode counts.

export function inspectBlockManagement(bm: BlockManager): { [key: string]: Json } {
  // A view is a function of state, never of the clock: it is traced when a handler changes it, and
  // the replay rebuilds it from those lines. Staleness is therefore given as the moment it begins
  // (DatanodeDescriptor.isStale compares now with the last update), not as a flag that turns by
  // itself between events.
  const datanodes = bm.dm.all().map((d) => ({
    name: d.name,
    host: d.hostName,
    rack: d.rack,
    state: d.alive ? 'live' : 'dead',
    lastHeartbeatMs: Math.round(d.lastUpdateUs / 1000),
    staleAfterMs: Math.round((d.lastUpdateUs + bm.settings.staleIntervalUs) / 1000),
    blocks: d.blocks.size,
    capacity: d.capacity,
    dfsUsed: d.dfsUsed,
    remaining: d.remaining,
    xceivers: d.xceiverCount,
    queuedTransfers: d.replicateBlocks.length,
    queuedDeletions: d.invalidateBlocks.length,
  }));
  // Blocks keyed by `blk_<id>`, not an array: a new block is then one patch op in the trace instead
  // of the whole list again (the trace diff replaces an array whose length changed).
  const ids = [...bm.blocksMap.keys()].sort((a, b) => a - b);
  const blocks: { [key: string]: Json } = {};
  for (const id of ids) {
    const b = bm.blocksMap.get(id);
    if (b === undefined) continue;
    blocks[`blk_${id}`] = {
      id,
      gs: b.genStamp,
      len: b.numBytes,
      state: b.ucState,
      replication: b.replication,
      fileId: b.fileId,
      replicas: b.storages.map((dn) => ({
        dn,
        rack: bm.dm.descriptor(dn)?.rack ?? '',
        corrupt: bm.corruptReplicas.isReplicaCorrupt(id, dn),
        excess: bm.excessRedundancy.contains(dn, id),
      })),
      expected: b.isComplete() ? [] : b.expected.map((e) => e.datanode),
    };
  }
  const counts = bm.safeModeCounts();
  return {
    datanodes,
    blocks,
    lowRedundancy: bm.neededReconstruction.levels(),
    pendingReconstruction: bm.pendingReconstruction.entries().map((p) => ({ id: p.blockId, targets: [...p.targets], sinceMs: Math.round(p.timeStampUs / 1000) })),
    corruptBlocks: bm.corruptReplicas.blocks(),
    excessReplicas: bm.excessRedundancy.size(),
    pendingDeletion: bm.invalidateBlocks.numBlocks(),
    safeMode: { blockTotal: counts.blockTotal, blockSafe: counts.blockSafe, liveDatanodes: counts.liveDatanodes },
    replQueuesInitialized: bm.isPopulatingReplQueues(),
    deadDeclarations: bm.dm.deadDeclarations.map((x) => ({ datanode: x.datanode, atMs: Math.round(x.atUs / 1000), silentMs: Math.round(x.silentUs / 1000) })),
  };
}
