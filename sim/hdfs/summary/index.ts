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

export function hdfsSummary(world: World, namenode = 'nn'): string {
  if (!world.hasProcess(namenode)) return '';
  const pid = world.pid(namenode) as ProcessId;
  const out: string[] = [];
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
  const el = m.editLog;
  out.push(`NameNode ${namenode}: safe mode ${m.safeMode}${el !== null ? `; edit log segment ${el.curSegmentTxId}, last txid ${el.lastWrittenTxId} (synced ${el.syncedTxId})` : ''}; storage ${m.storage.join(' ') || 'empty'}`);
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
