import type {
  DatanodeCommand,
  DatanodeProtocolRequest,
  DatanodeProtocolResponse,
  DatanodeRpcError,
  HeartbeatRequest,
} from '../protocol-dn.ts';
import type { DatanodeName } from '../types.ts';
import { takeRecoveringBlocks, commitBlockSynchronization, type CommitSyncOutcome } from './block-recovery.ts';
import type { BlockManager } from './block-manager.ts';
import { findAndMarkBlockAsCorrupt, processIncrementalBlockReport, processReport } from './block-reports.ts';
import type { DatanodeDescriptor } from './datanode-descriptor.ts';
import { HEARTBEAT_MONITOR_PERIOD_US } from './datanode-manager.ts';
import { redundancyMonitorRound } from './redundancy-monitor.ts';

// The NameNode's side of DatanodeProtocol (NameNodeRpcServer -> FSNamesystem -> BlockManager /
// DatanodeManager): one entry point the NameNode actor forwards every DatanodeProtocol request to,
// and the three periodic monitors it schedules (HeartbeatManager.Monitor every 5 s, the
// RedundancyMonitor every dfs.namenode.redundancy.interval.seconds, the PendingReconstructionMonitor
// every min(timeout, 5 min)).

/** What the dispatch needs from the NameNode actor beyond the BlockManager's host. */
export interface DatanodeRpcHost {
  /** Sends a response to the DataNode process. */
  reply(to: DatanodeName, msg: DatanodeProtocolResponse): void;
  /**
   * commitBlockSynchronization's namespace part (hdfs-nn): with outcome.ok, remove the block
   * (deleteBlock) or update it, close the file (closeFile) or persist its blocks, log, sync, then
   * answer the DataNode; otherwise answer with outcome.message as an IOException.
   */
  commitBlockSynchronization(from: DatanodeName, callId: number, outcome: CommitSyncOutcome): void;
}

function ok(callId: number): { callId: number; error: null; errorMessage: string } {
  return { callId, error: null, errorMessage: '' };
}

function fail(callId: number, error: DatanodeRpcError, errorMessage: string): { callId: number; error: DatanodeRpcError; errorMessage: string } {
  return { callId, error, errorMessage };
}

/** The DataNode is registered and alive (getDatanode + isRegistered), else null. */
function registered(bm: BlockManager, dn: DatanodeName): DatanodeDescriptor | null {
  const d = bm.dm.descriptor(dn);
  return d !== undefined && d.alive ? d : null;
}

/** handleDatanodeRpc: every DatanodeProtocol request from DataNode `from`. */
export function handleDatanodeRpc(bm: BlockManager, rpc: DatanodeRpcHost, from: DatanodeName, msg: DatanodeProtocolRequest): void {
  const now = bm.host.nowUs();
  switch (msg.type) {
    case 'registerDatanode': {
      const d = bm.dm.registerDatanode(msg.registration, now);
      bm.note(() => `registerDatanode: ${d.name} on ${d.hostName} at ${d.rack}`);
      rpc.reply(from, { type: 'registerDatanodeResponse', ...ok(msg.callId) });
      return;
    }
    case 'sendHeartbeat':
      rpc.reply(from, { type: 'heartbeatResponse', ...ok(msg.callId), commands: handleHeartbeat(bm, msg) });
      return;
    case 'blockReport': {
      if (registered(bm, msg.datanode) === null) {
        rpc.reply(from, { type: 'blockReportResponse', ...fail(msg.callId, 'UnregisteredNodeException', `Unregistered server: ${msg.datanode}`) });
        return;
      }
      processReport(bm, msg.datanode, msg.replicas);
      rpc.reply(from, { type: 'blockReportResponse', ...ok(msg.callId) });
      return;
    }
    case 'blockReceivedAndDeleted': {
      if (registered(bm, msg.datanode) === null) {
        rpc.reply(from, { type: 'blockReceivedAndDeletedResponse', ...fail(msg.callId, 'UnregisteredNodeException', `Unregistered server: ${msg.datanode}`) });
        return;
      }
      processIncrementalBlockReport(bm, msg.datanode, msg.blocks);
      rpc.reply(from, { type: 'blockReceivedAndDeletedResponse', ...ok(msg.callId) });
      return;
    }
    case 'datanodeReportBadBlocks':
      for (const b of msg.blocks) for (const dn of b.datanodes) findAndMarkBlockAsCorrupt(bm, b.block, dn, `reported by ${msg.datanode}`);
      rpc.reply(from, { type: 'datanodeReportBadBlocksResponse', ...ok(msg.callId) });
      return;
    case 'commitBlockSynchronization':
      rpc.commitBlockSynchronization(from, msg.callId, commitBlockSynchronization(bm, msg));
      return;
    case 'errorReport': {
      const d = registered(bm, msg.datanode);
      bm.note(() => `errorReport from ${msg.datanode}: ${msg.errorCode} ${msg.message}`);
      // FATAL_DISK_ERROR: the DataNode is shutting down; the NameNode removes it at once.
      if (d !== null && msg.errorCode === 'FATAL_DISK_ERROR') removeDeadDatanode(bm, d, 'fatal disk error');
      rpc.reply(from, { type: 'errorReportResponse', ...ok(msg.callId) });
      return;
    }
  }
}

/**
 * DatanodeManager.handleHeartbeat: an unknown or dead node is told to register; in safe mode
 * nothing is handed out; a pending block recovery goes alone; else up to max-streams minus the
 * transfers in progress DNA_TRANSFER, and up to dfs.block.invalidate.limit DNA_INVALIDATE.
 */
export function handleHeartbeat(bm: BlockManager, hb: HeartbeatRequest): DatanodeCommand[] {
  const d = registered(bm, hb.datanode);
  if (d === null) return [{ action: 'DNA_REGISTER' }];
  const now = bm.host.nowUs();
  bm.dm.updateHeartbeat(d, hb, now);
  if (bm.host.isInSafeMode()) return [];
  const recovering = takeRecoveringBlocks(bm, d.name);
  if (recovering.length > 0) return [{ action: 'DNA_RECOVERBLOCK', recoveringBlocks: recovering }];
  const cmds: DatanodeCommand[] = [];
  const maxTransfers = bm.settings.maxReplicationStreams - hb.xmitsInProgress;
  if (maxTransfers > 0 && d.replicateBlocks.length > 0) {
    const pairs = d.replicateBlocks.splice(0, maxTransfers);
    cmds.push({ action: 'DNA_TRANSFER', blocks: pairs.map((p) => p.block), targets: pairs.map((p) => p.targets) });
  }
  if (d.invalidateBlocks.length > 0) {
    const blocks = d.invalidateBlocks.splice(0, bm.settings.blockInvalidateLimit);
    cmds.push({ action: 'DNA_INVALIDATE', blocks });
  }
  return cmds;
}

/** removeDeadDatanode: out of the live list, its replicas out of the blocks map, out of the topology. */
export function removeDeadDatanode(bm: BlockManager, d: DatanodeDescriptor, why: string): void {
  const now = bm.host.nowUs();
  bm.dm.markDead(d, now);
  bm.removeBlocksAssociatedTo(d);
  bm.dm.topology.remove(d.name);
  bm.note(() => `BLOCK* removeDeadDatanode: lost heartbeat from ${d.name} (${why}); its replicas leave the blocks map`);
}

// ------------------------------------------------------------------ monitors

export type BlockManagementTimer = 'heartbeat-monitor' | 'redundancy-monitor' | 'pending-reconstruction-monitor';

/** The periodic monitors the NameNode schedules (first run one period after start). */
export function blockManagementTimers(bm: BlockManager): { readonly tag: BlockManagementTimer; readonly periodUs: number }[] {
  return [
    { tag: 'heartbeat-monitor', periodUs: HEARTBEAT_MONITOR_PERIOD_US },
    { tag: 'redundancy-monitor', periodUs: bm.settings.redundancyIntervalUs },
    { tag: 'pending-reconstruction-monitor', periodUs: bm.pendingReconstruction.recheckIntervalUs },
  ];
}

/** Runs one round of a monitor. */
export function onBlockManagementTimer(bm: BlockManager, tag: BlockManagementTimer): void {
  const now = bm.host.nowUs();
  switch (tag) {
    case 'heartbeat-monitor':
      for (const d of bm.dm.heartbeatMonitorRound(now, bm.host.isInSafeMode())) {
        const silentS = ((now - d.lastUpdateUs) / 1e6).toFixed(1);
        bm.host.observe?.('hdfs-bm-datanode-dead', {
          datanode: d.name, silentMs: Math.round((now - d.lastUpdateUs) / 1000),
          expireMs: Math.round(bm.settings.heartbeatExpireIntervalUs / 1000), recheckMs: Math.round(bm.dm.heartbeatRecheckIntervalUs / 1000),
        });
        removeDeadDatanode(bm, d, `no heartbeat for ${silentS} s > 2 x dfs.namenode.heartbeat.recheck-interval + 10 x dfs.heartbeat.interval`);
      }
      return;
    case 'redundancy-monitor':
      redundancyMonitorRound(bm);
      return;
    case 'pending-reconstruction-monitor':
      bm.pendingReconstruction.pendingReconstructionCheck(now);
      return;
  }
}
