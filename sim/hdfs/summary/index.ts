import type { Json, ProcessId } from '../../core/types.ts';
import type { World } from '../../world/world.ts';
import { dfsadminReport } from './dfsadmin.ts';
import { FSCK_COMMAND, fsckReport } from './fsck.ts';
import { readNameNodeView } from './view-model.ts';

// HDFS's end-of-run summary (System.summary): the NameNode's state in a line, the
// SecondaryNameNode's checkpoints, open leases, then `hdfs dfsadmin -report` and `hdfs fsck` as an
// operator would type them at the end of the run. Computed from the NameNode's inspect() view.

function line(o: Json, keys: readonly string[]): string {
  const v = typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as { readonly [k: string]: Json }) : {};
  return keys.filter((k) => v[k] !== undefined && v[k] !== null).map((k) => `${k} ${JSON.stringify(v[k])}`).join(', ');
}

/** The NameNode the reports come from: an up one serving clients (HA: the active), else the first. */
function pickNameNode(world: World): { readonly chosen: ProcessId; readonly others: readonly ProcessId[] } | null {
  const nns: ProcessId[] = [];
  for (let p = 0; p < world.procNames.length; p++) if (world.procSystem[p] === 'hdfs' && world.procRole[p] === 'namenode') nns.push(p as ProcessId);
  if (nns.length === 0) return null;
  const serving = nns.find((p) => {
    if (!world.isUp(p)) return false;
    const v = world.inspect(p);
    return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { state?: Json }).state === 'active' && (v as { haState?: Json }).haState !== 'standby';
  });
  const chosen = serving ?? nns[0]!;
  return { chosen, others: nns.filter((p) => p !== chosen) };
}

export function hdfsSummary(world: World): string {
  const pick = pickNameNode(world);
  if (pick === null) return '';
  const pid = pick.chosen;
  const namenode = world.procNames[pid]!;
  const out: string[] = [];
  for (const p of pick.others) {
    out.push(`NameNode ${world.procNames[p]!}: ${world.isUp(p) ? line(world.inspect(p), ['state', 'haState', 'lastAppliedTxId']) : 'down'}`);
  }
  if (!world.isUp(pid)) {
    out.push(`NameNode ${namenode}: down`, '', '$ hdfs dfsadmin -report', `report: Call From dsim to ${namenode}:8020 failed on connection exception: java.net.ConnectException: Connection refused`);
    return out.join('\n');
  }
  const nowMs = world.nowUs / 1000;
  const m = readNameNodeView(world.inspect(pid), nowMs);
  if (m.state !== 'active') {
    out.push(`NameNode ${namenode}: ${m.state}`);
    return out.join('\n');
  }
  const ha = world.inspect(pid) as { readonly haState?: Json };
  const el = m.editLog;
  out.push(`NameNode ${namenode}${typeof ha.haState === 'string' ? ` (${ha.haState})` : ''}: safe mode ${m.safeMode}${el !== null ? `; edit log segment ${el.curSegmentTxId}, last txid ${el.lastWrittenTxId} (synced ${el.syncedTxId})` : ''}; storage ${m.storage.join(' ') || 'empty'}`);
  for (let p = 0; p < world.procNames.length; p++) {
    if (world.procRole[p] !== 'secondarynamenode') continue;
    const name = world.procNames[p]!;
    out.push(`SecondaryNameNode ${name}: ${world.isUp(p as ProcessId) ? line(world.inspect(p as ProcessId), ['checkpoints', 'mergedTxId', 'lastError']) : 'down'}`);
  }
  for (const l of m.leases) out.push(`Lease of ${l.holder}: ${l.files.join(', ')}`);
  const cfg = world.config;
  out.push('', '$ hdfs dfsadmin -report', dfsadminReport(m), '', `$ ${FSCK_COMMAND}`, fsckReport(m, {
    nowMs,
    defaultReplication: cfg.int('hdfs.dfs.replication'),
    minReplication: cfg.int('hdfs.dfs.namenode.replication.min'),
    maxFilesListed: 20,
  }));
  return out.join('\n');
}
