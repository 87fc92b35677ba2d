import type { World } from '../world/world.ts';
import { rmIn } from './cluster.ts';
import { NodeManager } from './nm.ts';

// End-of-run summaries in the idioms of the yarn CLI: `yarn application -list -appStates ALL`,
// `yarn node -list -all` and `yarn queue -status <queue>` for every leaf queue.

function pad(s: string | number, n: number): string {
  const t = String(s);
  return t.length >= n ? t : ' '.repeat(n - t.length) + t;
}

export function applicationList(world: World, limit = 20): string {
  const rm = rmIn(world);
  if (rm === null) return 'yarn application -list: the ResourceManager is down';
  const apps = [...rm.apps.apps.values()];
  const lines = [`Total number of applications (application-types: [], states: [NEW, NEW_SAVING, SUBMITTED, ACCEPTED, RUNNING, FINISHED, FAILED, KILLED] and tags: []):${apps.length}`];
  lines.push(`${pad('Application-Id', 30)}\t${pad('Application-Name', 20)}\t${pad('Application-Type', 18)}\t${pad('User', 8)}\t${pad('Queue', 12)}\t${pad('State', 10)}\t${pad('Final-State', 12)}\t${pad('Progress', 8)}\t${pad('Attempts', 8)}\t${pad('Start-Time', 10)}\t${pad('Finish-Time', 11)}`);
  for (const a of apps.slice(0, limit)) {
    const done = a.state === 'FINISHED' ? '100%' : a.state === 'RUNNING' ? `${Math.min(99, Math.round(100 * (world.nowUs - a.launchedUs) / Math.max(1, world.nowUs - a.submittedUs)))}%` : '0%';
    lines.push(`${pad(a.id, 30)}\t${pad(a.spec.name, 20)}\t${pad(a.spec.appType, 18)}\t${pad(a.spec.user, 8)}\t${pad(a.queue, 12)}\t${pad(a.state, 10)}\t${pad(a.finalStatus, 12)}\t${pad(done, 8)}\t${pad(a.attempts.length, 8)}\t${pad(`${(a.submittedUs / 1e6).toFixed(1)}s`, 10)}\t${pad(a.finishedUs > 0 ? `${(a.finishedUs / 1e6).toFixed(1)}s` : '-', 11)}`);
  }
  if (apps.length > limit) lines.push(`... ${apps.length - limit} more (${apps.filter((a) => a.state === 'FINISHED').length} FINISHED, ${apps.filter((a) => a.state === 'FAILED').length} FAILED in all)`);
  return lines.join('\n');
}

export function nodeList(world: World, limit = 20): string {
  const rm = rmIn(world);
  if (rm === null) return 'yarn node -list -all: the ResourceManager is down';
  const nodes = [...rm.nodes.values()];
  const lines = [`Total Nodes:${nodes.length}`, `${pad('Node-Id', 16)}\t${pad('Node-State', 12)}\t${pad('Node-Http-Address', 18)}\t${pad('Number-of-Running-Containers', 28)}\t${pad('Used-Memory', 12)}`];
  for (const n of nodes.slice(0, limit)) {
    const nmPid = n.nm;
    const nm = world.actors[nmPid];
    const used = nm instanceof NodeManager ? `${nm.allocatedMb}MB` : '-';
    lines.push(`${pad(`${n.host}:${n.port}`, 16)}\t${pad(n.state, 12)}\t${pad(`${n.host}:8042`, 18)}\t${pad(n.containers.size, 28)}\t${pad(used, 12)}`);
  }
  if (nodes.length > limit) lines.push(`... ${nodes.length - limit} more (${nodes.filter((n) => n.state === 'RUNNING').length} RUNNING in all)`);
  return lines.join('\n');
}

export function queueStatus(world: World): string {
  const rm = rmIn(world);
  if (rm === null) return 'yarn queue -status: the ResourceManager is down';
  const s = rm.scheduler;
  const cluster = s.queues().find((q) => q.name === 'root' || q.name === 'default');
  const clusterMb = Math.max(1, cluster?.name === 'root' ? cluster.guaranteed.memoryMb : (cluster?.maximum.memoryMb ?? 1));
  const out: string[] = [];
  for (const q of s.queues()) {
    if (!q.leaf) continue;
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    out.push('Queue Information : ');
    out.push(`Queue Name : ${q.name}`);
    out.push('\tState : RUNNING');
    if (s.kind === 'fair') {
      out.push(`\tWeight : ${q.capacityOrWeight}`);
      out.push(`\tSteady Fair Share : <memory:${Math.round(q.guaranteed.memoryMb)}, vCores:${Math.round(q.guaranteed.vcores)}>`);
      out.push(`\tInstantaneous Fair Share : <memory:${Math.round(q.fairShare.memoryMb)}, vCores:${Math.round(q.fairShare.vcores)}>`);
    } else {
      out.push(`\tCapacity : ${pct(q.guaranteed.memoryMb / clusterMb)}`);
      out.push(`\tMaximum Capacity : ${pct(q.maximum.memoryMb / clusterMb)}`);
    }
    out.push(`\tCurrent Capacity : ${pct(q.guaranteed.memoryMb > 0 ? q.used.memoryMb / q.guaranteed.memoryMb : 0)}`);
    out.push(`\tUsed Resources : <memory:${q.used.memoryMb}, vCores:${q.used.vcores}>`);
    out.push(`\tPending Resources : <memory:${q.pending.memoryMb}, vCores:${q.pending.vcores}>`);
    out.push(`\tApplications : ${q.apps}`);
  }
  return out.join('\n');
}

export function yarnSummary(world: World): string {
  return [applicationList(world), '', nodeList(world), '', queueStatus(world)].join('\n');
}
