import type { Json } from '../../core/types.ts';
import type { BlockSettings } from '../config-blocks.ts';
import type { DatanodeLocation, LocatedBlock } from '../protocol.ts';
import type { CommitBlockSynchronizationRequest, DatanodeProtocolRequest, DatanodeProtocolResponse } from '../protocol-dn.ts';
import type { Block, BlockId, BlockUCState, DatanodeName, GenStamp } from '../types.ts';
import { BlockManager, type BlockManagerHost } from './block-manager.ts';
import { commitBlockSynchronization, initializeBlockRecovery } from './block-recovery.ts';
import { findAndMarkBlockAsCorrupt } from './block-reports.ts';
import { chooseTarget4AdditionalDatanode, chooseTarget4NewBlock, createLocatedBlock } from './client-hooks.ts';
import { inspectBlockManagement } from './inspect.ts';
import { blockManagementTimers, handleDatanodeRpc, onBlockManagementTimer } from './rpc.ts';

// The BlockManager behind the NameNode's block-manager port (hdfs-nn's
// sim/hdfs/namenode/block-port.ts: NamenodeBlockManager): the same calls FSNamesystem makes into
// BlockManager, answered synchronously. The port's host adds countsChanged(), called after every
// DataNode request and monitor round that may change the safe-mode counts.

export interface NamenodeBlockManagerHost extends BlockManagerHost {
  /** The block counts may have changed: the NameNode re-checks safe mode. */
  countsChanged(): void;
}

export interface BlockManagerPort {
  readonly bm: BlockManager;
  addBlockCollection(block: Block, replication: number, fileId: number, ucState: BlockUCState, targets: readonly DatanodeName[]): unknown;
  chooseTargetForNewBlock(src: string, numReplicas: number, clientMachine: string, excluded: readonly DatanodeName[], favored: readonly DatanodeName[], blockSize: number): DatanodeLocation[] | { error: string };
  chooseAdditionalTargets(src: string, block: Block, existing: readonly DatanodeName[], excluded: readonly DatanodeName[], numAdditional: number, clientMachine: string): DatanodeLocation[] | { error: string };
  commitOrCompleteLastBlock(id: BlockId, commit: Block): { committed: boolean } | { error: string };
  isMinimallyReplicated(id: BlockId): boolean;
  removeBlock(id: BlockId): void;
  removeBlockFromMap(id: BlockId): void;
  setReplication(id: BlockId, newRepl: number): void;
  updatePipeline(oldBlock: Block, newBlock: Block, newNodes: readonly DatanodeName[]): string | null;
  expectedLocations(id: BlockId): DatanodeName[];
  locatedBlock(block: Block, offset: number, clientMachine: string): LocatedBlock;
  reportBadBlock(block: Block, datanode: DatanodeName): void;
  initializeBlockRecovery(block: Block, recoveryId: GenStamp): boolean;
  commitBlockSynchronization(req: CommitBlockSynchronizationRequest): string | null;
  handleDatanodeRequest(from: DatanodeName, req: Exclude<DatanodeProtocolRequest, CommitBlockSynchronizationRequest>): DatanodeProtocolResponse;
  safeModeCounts(): { blockTotal: number; blockSafe: number; liveDatanodes: number };
  initializeReplQueues(): void;
  periodicTasks(): readonly { readonly name: string; readonly periodUs: number; run(): void }[];
  inspect(): Json;
}

export function namenodeBlockManager(settings: BlockSettings, host: NamenodeBlockManagerHost): BlockManagerPort {
  const bm = new BlockManager(settings, host);
  const loc = (dn: DatanodeName): DatanodeLocation => {
    const d = bm.dm.descriptor(dn);
    return { name: dn, host: d?.hostName ?? '', rack: d?.rack ?? '' };
  };
  const tasks = blockManagementTimers(bm).map((t) => ({
    name: t.tag,
    periodUs: t.periodUs,
    run: (): void => {
      onBlockManagementTimer(bm, t.tag);
      host.countsChanged();
    },
  }));
  return {
    bm,
    addBlockCollection: (block, replication, fileId, ucState, targets) => bm.addBlockCollection(block, replication, fileId, ucState, targets),
    chooseTargetForNewBlock: (src, n, clientMachine, excluded, favored, blockSize) => {
      const r = chooseTarget4NewBlock(bm, src, n, clientMachine, excluded, favored, blockSize);
      return 'error' in r ? r : r.targets.map(loc);
    },
    chooseAdditionalTargets: (_src, block, existing, excluded, numAdditional, clientMachine) =>
      chooseTarget4AdditionalDatanode(bm, numAdditional, clientMachine, existing, excluded, Math.max(block.numBytes, 1)).map(loc),
    commitOrCompleteLastBlock: (id, commit) => {
      const r = bm.commitOrCompleteLastBlock(id, commit);
      host.countsChanged();
      return r;
    },
    isMinimallyReplicated: (id) => bm.isMinimallyReplicated(id),
    removeBlock: (id) => bm.removeBlock(id),
    removeBlockFromMap: (id) => bm.removeBlockFromMap(id),
    setReplication: (id, r) => bm.setReplication(id, r),
    updatePipeline: (o, n, nodes) => bm.updatePipeline(o, n, nodes),
    expectedLocations: (id) => bm.expectedLocations(id),
    locatedBlock: (block, offset, clientMachine) =>
      createLocatedBlock(bm, block.blockId, offset, clientMachine) ?? { block, offset, locations: [], corrupt: false },
    reportBadBlock: (block, dn) => findAndMarkBlockAsCorrupt(bm, block, dn, 'reported by a client'),
    initializeBlockRecovery: (block, recoveryId) => initializeBlockRecovery(bm, block.blockId, recoveryId).kind !== 'no-replicas',
    commitBlockSynchronization: (req) => {
      const r = commitBlockSynchronization(bm, req);
      host.countsChanged();
      return r.ok ? null : r.message;
    },
    handleDatanodeRequest: (from, req) => {
      let answer: DatanodeProtocolResponse | null = null;
      handleDatanodeRpc(bm, {
        reply: (_to, msg) => {
          answer = msg;
        },
        commitBlockSynchronization: () => {
          throw new Error('commitBlockSynchronization goes through the port method');
        },
      }, from, req);
      host.countsChanged();
      if (answer === null) throw new Error(`no answer to ${req.type}`);
      return answer;
    },
    safeModeCounts: () => bm.safeModeCounts(),
    initializeReplQueues: () => bm.initializeReplQueues(),
    periodicTasks: () => tasks,
    inspect: () => inspectBlockManagement(bm),
  };
}
