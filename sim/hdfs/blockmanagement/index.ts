// The NameNode's block management (hdfs-bm). The NameNode actor constructs one BlockManager with a
// BlockManagerHost, forwards every DatanodeProtocol request to handleDatanodeRpc, schedules
// blockManagementTimers and runs onBlockManagementTimer, and calls the ClientProtocol hooks.
export { BlockManager, type BlockManagerHost, type NumberReplicas } from './block-manager.ts';
export { BlockInfo } from './block-info.ts';
export { DatanodeDescriptor } from './datanode-descriptor.ts';
export { DatanodeManager, HEARTBEAT_MONITOR_PERIOD_US } from './datanode-manager.ts';
export { NetworkTopology, DEFAULT_RACK } from './topology.ts';
export { handleDatanodeRpc, handleHeartbeat, blockManagementTimers, onBlockManagementTimer, removeDeadDatanode, type DatanodeRpcHost, type BlockManagementTimer } from './rpc.ts';
export { chooseTarget4NewBlock, chooseTarget4AdditionalDatanode, createLocatedBlock, sortForReader } from './client-hooks.ts';
export { initializeBlockRecovery, commitBlockSynchronization, type InitRecoveryResult, type CommitSyncOutcome } from './block-recovery.ts';
export { processReport, processIncrementalBlockReport, findAndMarkBlockAsCorrupt, checkReplicaCorrupt } from './block-reports.ts';
export { redundancyMonitorRound, computeDatanodeWork } from './redundancy-monitor.ts';
export { getPriority, LowRedundancyBlocks } from './low-redundancy.ts';
export { chooseTarget, getMaxNodesPerRack, isPlacementPolicySatisfied, chooseReplicasToDelete } from './placement.ts';
export { inspectBlockManagement } from './inspect.ts';
export { namenodeBlockManager, type BlockManagerPort, type NamenodeBlockManagerHost } from './namenode-adapter.ts';
