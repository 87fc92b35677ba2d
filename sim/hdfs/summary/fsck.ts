import { datanodeXferName } from './dfsadmin.ts';
import { javaFloat, simTime } from './format.ts';
import { liveRacks, placementStatus, type BlockModel, type HdfsNnModel } from './view-model.ts';

// `hdfs fsck / -files -blocks -locations -racks -replicadetails` (NamenodeFsck, Hadoop 3.3) from
// the NameNode's view: every directory and closed file in tree order, each file's verdict, its
// blocks with their live replicas, each replica as rack/host:port with its state, then the
// Result summary (replicated blocks) and the final HEALTHY / CORRUPT line DFSck scans for.
// Files being written are counted, not checked (fsck without -openforwrite).

export const FSCK_COMMAND = 'hdfs fsck / -files -blocks -locations -racks -replicadetails';

/** The block pool id of dsim's DataNodes (their `current/BP-dsim/` directory). */
export const BLOCK_POOL = 'BP-dsim';

const blockName = (b: BlockModel): string => `${BLOCK_POOL}:blk_${b.id}_${b.gs}`;

/** Parents before children, siblings by name: the order fsck walks the tree. */
function comparePaths(a: string, b: string): number {
  const pa = a.split('/').filter((x) => x !== '');
  const pb = b.split('/').filter((x) => x !== '');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  return pa.length - pb.length;
}

interface Result {
  totalSize: number; totalFiles: number; totalBlocks: number; totalReplicas: number; numExpectedReplicas: number;
  totalOpenFiles: number; totalOpenFilesSize: number; totalOpenFilesBlocks: number;
  numMinReplicated: number; numUnderMinReplicated: number; numOver: number; numUnder: number; numMis: number;
  missingReplicas: number; missingBlocks: number; missingSize: number; corruptBlocks: number; corruptSize: number; corruptFiles: number;
}

const pct = (n: number, total: number): string => ` (${javaFloat((n * 100) / total)} %)`;

export interface FsckOptions {
  readonly nowMs: number;
  /** dfs.replication (Result's "Default replication factor"). */
  readonly defaultReplication: number;
  /** dfs.namenode.replication.min. */
  readonly minReplication: number;
  /** Files whose lines are printed (all are checked and counted); the rest are summed up in one line. */
  readonly maxFilesListed?: number;
}

export function fsckReport(m: HdfsNnModel, opts: FsckOptions): string {
  const out: string[] = [];
  let quiet = false;
  const print = (s: string): void => { if (!quiet) out.push(s); };
  const r: Result = {
    totalSize: 0, totalFiles: 0, totalBlocks: 0, totalReplicas: 0, numExpectedReplicas: 0,
    totalOpenFiles: 0, totalOpenFilesSize: 0, totalOpenFilesBlocks: 0,
    numMinReplicated: 0, numUnderMinReplicated: 0, numOver: 0, numUnder: 0, numMis: 0,
    missingReplicas: 0, missingBlocks: 0, missingSize: 0, corruptBlocks: 0, corruptSize: 0, corruptFiles: 0,
  };
  const racks = liveRacks(m);
  const stale = new Set(m.datanodes.filter((d) => d.state === 'stale').map((d) => d.name));
  const hostOf = new Map(m.datanodes.map((d) => [d.name, datanodeXferName(d)]));

  print(`FSCK started by dsim (auth:SIMPLE) from /nn for path / at ${simTime(opts.nowMs)}\n`);
  const dirs = new Set<string>(['/']);
  for (const f of m.files) {
    const parts = f.path.split('/').filter((x) => x !== '');
    for (let i = 1; i < parts.length; i++) dirs.add(`/${parts.slice(0, i).join('/')}`);
  }
  const entries = [...[...dirs].map((p) => ({ path: p, file: null })), ...m.files.map((f) => ({ path: f.path, file: f }))].sort((a, b) => comparePaths(a.path, b.path));
  const maxListed = opts.maxFilesListed ?? Infinity;
  let listed = 0;
  for (const { path, file } of entries) {
    if (file === null) { print(`${path} <dir>\n`); continue; }
    if (file.underConstruction !== null) {
      r.totalOpenFiles++;
      r.totalOpenFilesSize += file.length;
      r.totalOpenFilesBlocks += file.blocks.length;
      continue;
    }
    r.totalFiles++;
    r.totalSize += file.length;
    r.totalBlocks += file.blocks.length;
    if (listed === maxListed) { quiet = true; }
    listed++;
    print(`${path} ${file.length} bytes, replicated: replication=${file.replication}, ${file.blocks.length} block(s): `);
    let missing = 0, corrupt = 0, missize = 0, corruptSize = 0, under = 0, mis = 0;
    const report: string[] = [];
    file.blocks.forEach((b, i) => {
      const live = b.live;
      r.totalReplicas += live;
      r.numExpectedReplicas += file.replication;
      if (live < opts.minReplication) r.numUnderMinReplicated++;
      if (live > file.replication) r.numOver++;
      // LocatedBlock.isCorrupt: every replica the NameNode knows is corrupt.
      const isCorrupt = b.replicas.length > 0 && b.replicas.every((x) => x.corrupt);
      if (isCorrupt) {
        r.corruptBlocks++;
        r.corruptSize += b.len;
        corrupt++;
        corruptSize += b.len;
        print(`\n${path}: CORRUPT blockpool ${BLOCK_POOL} block blk_${b.id}\n`);
      }
      if (live >= opts.minReplication) r.numMinReplicated++;
      if (live < file.replication && live > 0) {
        r.missingReplicas += file.replication - live;
        r.numUnder++;
        under++;
        print(` Under replicated ${blockName(b)}. Target Replicas is ${file.replication} but found ${live} live replica(s), 0 decommissioned replica(s), 0 decommissioning replica(s).\n`);
      }
      const ps = placementStatus({ ...b, replication: file.replication }, racks);
      if (!ps.ok) {
        r.numMis++;
        mis++;
        print(` Replica placement policy is violated for ${blockName(b)}. Block should be additionally replicated on ${ps.requiredRacks - ps.currentRacks} more rack(s). Total number of racks in the cluster: ${racks}\n`);
      }
      let line = `${i}. ${blockName(b)} len=${b.len}`;
      if (live === 0 && !isCorrupt) {
        line += ' MISSING!';
        r.missingBlocks++;
        r.missingSize += b.len;
        missing++;
        missize += b.len;
      } else {
        const locs = b.replicas.map((x) => {
          const state = x.corrupt ? 'CORRUPT' : x.excess ? 'EXCESS' : stale.has(x.datanode) ? 'STALE_NODE' : 'LIVE';
          return `${x.rack}/${hostOf.get(x.datanode) ?? x.datanode}(${state})`;
        });
        line += ` Live_repl=${live}  [${locs.join(', ')}]`;
      }
      report.push(line);
    });
    if (missing > 0 || corrupt > 0) {
      r.corruptFiles++;
      if (missing > 0) print(` MISSING ${missing} blocks of total size ${missize} B\n`);
      if (corrupt > 0) print(` CORRUPT ${corrupt} blocks of total size ${corruptSize} B\n`);
    } else if (under === 0 && mis === 0) {
      print(' OK\n');
    }
    print(`${report.map((l) => `${l}\n`).join('')}\n`);
  }
  quiet = false;
  const closed = m.files.filter((f) => f.underConstruction === null).length;
  if (closed > maxListed) print(`(dsim: ${closed - maxListed} more files checked, their lines left out of this summary)\n`);
  if (m.fileCount > m.files.length) print(`(dsim: the NameNode's view lists ${m.files.length} of its ${m.fileCount} files; the others are not checked)\n`);

  const healthy = r.missingBlocks === 0 && r.corruptBlocks === 0;
  const res: string[] = [
    `\nStatus: ${healthy ? 'HEALTHY' : 'CORRUPT'}`,
    ` Number of data-nodes:\t${m.datanodes.filter((d) => d.state !== 'dead').length}`,
    ` Number of racks:\t\t${racks}`,
    ` Total dirs:\t\t\t${m.inodeCount > 0 ? m.inodeCount - m.fileCount : dirs.size}`,
    ' Total symlinks:\t\t0',
    '',
    'Replicated Blocks:',
    ` Total size:\t${r.totalSize} B${r.totalOpenFilesSize !== 0 ? ` (Total open files size: ${r.totalOpenFilesSize} B)` : ''}`,
    ` Total files:\t${r.totalFiles}${r.totalOpenFiles !== 0 ? ` (Files currently being written: ${r.totalOpenFiles})` : ''}`,
    ` Total blocks (validated):\t${r.totalBlocks}${r.totalBlocks > 0 ? ` (avg. block size ${Math.floor(r.totalSize / r.totalBlocks)} B)` : ''}${r.totalOpenFilesBlocks !== 0 ? ` (Total open file blocks (not validated): ${r.totalOpenFilesBlocks})` : ''}`,
  ];
  if (r.corruptFiles > 0 || r.numUnderMinReplicated > 0) {
    res.push('  ********************************');
    if (r.numUnderMinReplicated > 0) {
      res.push(`  UNDER MIN REPL'D BLOCKS:\t${r.numUnderMinReplicated}${r.totalBlocks > 0 ? pct(r.numUnderMinReplicated, r.totalBlocks) : ''}`);
      res.push(`  dfs.namenode.replication.min:\t${opts.minReplication}`);
    }
    if (r.corruptFiles > 0) {
      res.push(`  CORRUPT FILES:\t${r.corruptFiles}`);
      if (r.missingSize > 0) res.push(`  MISSING BLOCKS:\t${r.missingBlocks}`, `  MISSING SIZE:\t\t${r.missingSize} B`);
      if (r.corruptBlocks > 0) res.push(`  CORRUPT BLOCKS: \t${r.corruptBlocks}`, `  CORRUPT SIZE:\t\t${r.corruptSize} B`);
    }
    res.push('  ********************************');
  }
  const tail = (n: number): string => (r.totalBlocks > 0 ? pct(n, r.totalBlocks) : '');
  res.push(
    ` Minimally replicated blocks:\t${r.numMinReplicated}${tail(r.numMinReplicated)}`,
    ` Over-replicated blocks:\t${r.numOver}${tail(r.numOver)}`,
    ` Under-replicated blocks:\t${r.numUnder}${tail(r.numUnder)}`,
    ` Mis-replicated blocks:\t\t${r.numMis}${tail(r.numMis)}`,
    ` Default replication factor:\t${opts.defaultReplication}`,
    ` Average block replication:\t${javaFloat(r.totalBlocks === 0 ? 0 : r.totalReplicas / r.totalBlocks)}`,
    ` Missing blocks:\t\t${r.missingBlocks}`,
    ` Corrupt blocks:\t\t${r.corruptBlocks}`,
    ` Missing replicas:\t\t${r.missingReplicas}${r.totalReplicas > 0 ? pct(r.missingReplicas, r.numExpectedReplicas) : ''}`,
    `FSCK ended at ${simTime(opts.nowMs)}`,
    '',
    '',
    `The filesystem under path '/' ${healthy ? 'is HEALTHY' : 'is CORRUPT'}`,
  );
  return (out.join('') + res.join('\n')).replace(/\n{3,}(?=Status)/, '\n\n');
}
