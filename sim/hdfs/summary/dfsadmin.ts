import { formatPercent, simTime, sizeLine } from './format.ts';
import type { DatanodeModel, HdfsNnModel } from './view-model.ts';

// `hdfs dfsadmin -report` (DFSAdmin.report, Hadoop 3.3) from the NameNode's view: the cluster's
// capacity as FSNamesystem.getStats sums it over live DataNodes, the replicated-block counts of the
// BlockManager, then each live and each dead DataNode as DatanodeInfo.getDatanodeReport prints it.
// What dsim does not have is left out (see sim/hdfs/README.md, "Summaries").

/** The DataNode transfer port (dfs.datanode.address 0.0.0.0:9866): hosts stand for the IP in `Name:`. */
export const XFER_PORT = 9866;

export function datanodeXferName(d: { readonly host: string }): string {
  return `${d.host}:${XFER_PORT}`;
}

function nodeReport(d: DatanodeModel): string[] {
  // A dead node's storage statistics are reset (DatanodeDescriptor.resetBlocks).
  const dead = d.state === 'dead';
  const capacity = dead ? 0 : d.capacity;
  const used = dead ? 0 : d.dfsUsed;
  const remaining = dead ? 0 : d.remaining;
  const nonDfs = Math.max(0, capacity - used - remaining);
  const lines = [
    `Name: ${datanodeXferName(d)} (${d.name})`,
    `Hostname: ${d.host}`,
  ];
  if (d.rack !== '/default-rack') lines.push(`Rack: ${d.rack}`);
  lines.push(
    'Decommission Status : Normal',
    `Configured Capacity: ${sizeLine(capacity)}`,
    `DFS Used: ${sizeLine(used)}`,
    `Non DFS Used: ${sizeLine(nonDfs)}`,
    `DFS Remaining: ${sizeLine(remaining)}`,
    `DFS Used%: ${formatPercent(capacity === 0 ? 0 : used / capacity)}`,
    `DFS Remaining%: ${formatPercent(capacity === 0 ? 0 : remaining / capacity)}`,
    `Xceivers: ${dead ? 0 : d.xceivers}`,
    `Last contact: ${simTime(d.lastHeartbeatMs)}`,
    `Num of Blocks: ${dead ? 0 : d.blocks}`,
  );
  return lines;
}

export function dfsadminReport(m: HdfsNnModel): string {
  const live = m.datanodes.filter((d) => d.state !== 'dead');
  const dead = m.datanodes.filter((d) => d.state === 'dead');
  const capacity = live.reduce((s, d) => s + d.capacity, 0);
  const used = live.reduce((s, d) => s + d.dfsUsed, 0);
  const remaining = live.reduce((s, d) => s + d.remaining, 0);
  const present = used + remaining;
  const level = (i: number): readonly number[] => m.lowRedundancy[i] ?? [];
  // getLowRedundancyBlocks: every queue but the corrupt one.
  const lowRedundancy = m.lowRedundancy.reduce((s, l, i) => s + (i === 4 ? 0 : l.length), 0);
  // QUEUE_WITH_CORRUPT_BLOCKS (4) holds the blocks with no usable replica: getMissingBlocksCount.
  const missing = level(4);
  const missingReplOne = missing.filter((id) => m.blocks.get(id)?.replication === 1).length;
  const out: string[] = [];
  if (m.safeMode !== 'OFF') out.push('Safe mode is ON');
  out.push(
    `Configured Capacity: ${sizeLine(capacity)}`,
    `Present Capacity: ${sizeLine(present)}`,
    `DFS Remaining: ${sizeLine(remaining)}`,
    `DFS Used: ${sizeLine(used)}`,
    `DFS Used%: ${formatPercent(used / present)}`,
    'Replicated Blocks:',
    `\tUnder replicated blocks: ${lowRedundancy}`,
    `\tBlocks with corrupt replicas: ${m.corruptBlocks.length}`,
    `\tMissing blocks: ${missing.length}`,
    `\tMissing blocks (with replication factor 1): ${missingReplOne}`,
    `\tLow redundancy blocks with highest priority to recover: ${level(0).length}`,
    `\tPending deletion blocks: ${m.pendingDeletion}`,
    '',
    '-------------------------------------------------',
  );
  if (live.length > 0) {
    out.push(`Live datanodes (${live.length}):`, '');
    for (const d of live) out.push(...nodeReport(d), '');
  }
  if (dead.length > 0) {
    out.push(`Dead datanodes (${dead.length}):`, '');
    for (const d of dead) out.push(...nodeReport(d), '');
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}
