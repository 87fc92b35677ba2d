import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { rmIn } from '../cluster.ts';
import { FINAL_CONTAINER } from './obs.ts';

// yarn-no-overcommit: a node never runs more than its capacity, and a queue is never given a
// container that takes it above its maximum capacity.
//  - Nodes: what each NodeManager actually runs (its container starts and ends), against the
//    capacity it offers. A restarted NodeManager starts empty.
//  - Queues: the checker's own tally of each leaf queue's live containers (from the RM's
//    allocations and completions), at each allocation, against the queue's maximum (Capacity:
//    absolute maximum capacity; Fair: maxResources) for the cluster of that moment.

export function noOvercommitChecker(): Checker {
  const name = 'yarn-no-overcommit';
  return {
    name,
    kind: 'safety',
    description: 'no node runs more than its capacity; no allocation takes a queue above its maximum capacity',
    attach(world: World) {
      const nodes = new Map<string, { inc: number; mb: number; vc: number; running: Map<string, [number, number]> }>();
      const reported = new Set<string>();
      world.onObserve('yarn-nm-container', (p, d) => {
        const node = d.node;
        const inc = world.incarnation[p]!;
        let n = nodes.get(node);
        if (n === undefined || n.inc !== inc) {
          n = { inc, mb: 0, vc: 0, running: new Map() };
          nodes.set(node, n);
        }
        const id = d.id;
        if (d.state === 'RUNNING') {
          const mb = d.memoryMb;
          const vc = d.vcores;
          n.running.set(id, [mb, vc]);
          n.mb += mb;
          n.vc += vc;
          const capMb = d.capacityMb;
          const capVc = d.capacityVcores;
          if ((n.mb > capMb || n.vc > capVc) && !reported.has(node)) {
            reported.add(node);
            world.reportViolation(name, `node ${node} runs ${n.running.size} containers of <memory:${n.mb}, vCores:${n.vc}> above its capacity <memory:${capMb}, vCores:${capVc}> (starting ${id})`);
          }
        } else {
          const r = n.running.get(id);
          if (r === undefined) return;
          n.running.delete(id);
          n.mb -= r[0];
          n.vc -= r[1];
        }
      });
      const queues = new Map<string, number>();
      const live = new Map<string, [string, number]>();
      world.onObserve('yarn-container', (_p, d) => {
        const id = d.id;
        const state = d.state;
        if (state === 'ALLOCATED') {
          const q = d.queue;
          const mb = d.memoryMb;
          live.set(id, [q, mb]);
          const used = (queues.get(q) ?? 0) + mb;
          queues.set(q, used);
          const rm = rmIn(world);
          const max = rm?.scheduler.queueMaximum(q);
          if (max !== undefined && used > max.memoryMb + 1e-6 && !reported.has(q)) {
            reported.add(q);
            world.reportViolation(name, `queue ${q} was given ${id}: used ${used} MB above its maximum ${Math.round(max.memoryMb)} MB`);
          }
        } else if (FINAL_CONTAINER.has(state)) {
          const e = live.get(id);
          if (e === undefined) return;
          live.delete(id);
          queues.set(e[0], (queues.get(e[0]) ?? 0) - e[1]);
        }
      });
    },
  };
}
