import type { DatanodeLocation, LocatedBlock } from '../protocol.ts';
import type { BlockId, DatanodeName } from '../types.ts';
import type { BlockManager } from './block-manager.ts';
import { chooseTarget, getPipeline } from './placement.ts';

// What the NameNode's ClientProtocol handlers ask the BlockManager: targets for a new block
// (addBlock: chooseTarget4NewBlock), an extra node for a damaged pipeline (getAdditionalDatanode:
// chooseTarget4AdditionalDatanode), and block locations sorted for a reader
// (createLocatedBlock + DatanodeManager.sortLocatedBlocks).

/**
 * chooseTarget4NewBlock: `replication` targets in pipeline order, the writer's own DataNode first
 * when the client runs on one. Fewer than dfs.namenode.replication.min is an IOException with
 * Hadoop's message.
 */
export function chooseTarget4NewBlock(
  bm: BlockManager,
  src: string,
  replication: number,
  clientMachine: string,
  excludedNodes: readonly DatanodeName[],
  favoredNodes: readonly DatanodeName[],
  blockSize: number,
): { targets: DatanodeName[] } | { error: string } {
  const writer = bm.dm.byHost(clientMachine)?.name ?? null;
  const targets = chooseTarget(bm.cluster, replication, writer, [], new Set(excludedNodes), blockSize, true, favoredNodes);
  if (targets.length < bm.settings.minReplication) {
    return {
      error:
        `File ${src} could only be written to ${targets.length} of the ${bm.settings.minReplication} minReplication nodes. ` +
        `There are ${bm.dm.topology.numOfLeaves} datanode(s) running and ` +
        `${excludedNodes.length === 0 ? 'no' : excludedNodes.length} node(s) are excluded in this operation.`,
    };
  }
  // The block id is not allocated yet (FSNamesystem chooses targets first): -1.
  bm.observePlacement('new-block', -1, replication, replication, writer, [], targets, excludedNodes);
  bm.note(() => `chooseTarget4NewBlock ${src}: writer ${writer ?? '(not a DataNode)'} -> [${targets.join(', ')}]`);
  return { targets };
}

/**
 * chooseTarget4AdditionalDatanode: numAdditionalNodes more nodes for an existing pipeline; returns
 * the existing and the new nodes together in pipeline order (returnChosenNodes). The client checks
 * that it got more than it had.
 */
export function chooseTarget4AdditionalDatanode(
  bm: BlockManager,
  numAdditionalNodes: number,
  clientMachine: string,
  existings: readonly DatanodeName[],
  excludes: readonly DatanodeName[],
  blockSize: number,
): DatanodeName[] {
  const writer = bm.dm.byHost(clientMachine)?.name ?? null;
  const chosen = existings.filter((n) => bm.dm.topology.contains(n));
  const added = chooseTarget(bm.cluster, numAdditionalNodes, writer, chosen, new Set(excludes), blockSize, true);
  return getPipeline(bm.dm.topology, writer ?? (chosen[0] ?? added[0] ?? null), [...chosen, ...added]);
}

function location(bm: BlockManager, dn: DatanodeName): DatanodeLocation {
  const d = bm.dm.descriptor(dn);
  return { name: dn, host: d?.hostName ?? '', rack: d?.rack ?? '' };
}

/**
 * createLocatedBlock + sortLocatedBlocks: a block's replicas for a reader on clientMachine. A
 * block under construction shows its expected locations; a complete one its replicas minus the
 * corrupt ones, unless all are corrupt (then all, and the block is marked corrupt). Sorted by
 * network distance from the reader (its node, its rack, then the rest, ties shuffled); with
 * dfs.namenode.avoid.read.stale.datanode, stale nodes go last.
 */
export function createLocatedBlock(bm: BlockManager, id: BlockId, offset: number, clientMachine: string): LocatedBlock | null {
  const b = bm.getStoredBlock(id);
  if (b === undefined) return null;
  let nodes: DatanodeName[];
  let corrupt = false;
  if (!b.isComplete()) {
    nodes = b.expected.map((e) => e.datanode);
  } else {
    const numCorrupt = bm.corruptReplicas.numCorruptReplicas(id);
    corrupt = numCorrupt > 0 && numCorrupt === b.storages.length;
    nodes = corrupt ? [...b.storages] : b.storages.filter((dn) => !bm.corruptReplicas.isReplicaCorrupt(id, dn));
  }
  return { block: b.toBlock(), offset, locations: sortForReader(bm, clientMachine, nodes).map((dn) => location(bm, dn)), corrupt };
}

/** DatanodeManager.sortLocatedBlocks for one block's nodes. */
export function sortForReader(bm: BlockManager, clientMachine: string, nodes: readonly DatanodeName[]): DatanodeName[] {
  const readerNode = bm.dm.byHost(clientMachine)?.name ?? null;
  const readerRack = readerNode !== null ? (bm.dm.descriptor(readerNode)?.rack ?? null) : bm.host.resolveRack(clientMachine) || null;
  const now = bm.host.nowUs();
  const demoted = (dn: DatanodeName): boolean => {
    const d = bm.dm.descriptor(dn);
    if (d === undefined || !d.alive) return true;
    return bm.settings.avoidStaleForRead && d.isStale(now, bm.settings.staleIntervalUs);
  };
  const active = nodes.filter((n) => !demoted(n));
  const rest = nodes.filter((n) => demoted(n));
  return [...bm.dm.topology.sortByDistance({ node: readerNode, rack: readerRack }, active, bm.host.rng), ...rest];
}
