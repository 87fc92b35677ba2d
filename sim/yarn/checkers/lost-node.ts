import type { Checker, CheckStatus } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { FINAL_CONTAINER } from './obs.ts';

// yarn-lost-node: a node is declared LOST only after yarn.nm.liveness-monitor.expiry-interval-ms
// without a heartbeat, and every container the RM had placed on it completes ABORTED at that
// moment (none is left allocated on a lost node).

export function lostNodeChecker(opts: { readonly expiryMs: number }): Checker {
  const name = 'yarn-lost-node';
  const live = new Map<string, Set<string>>();
  const lastHeard = new Map<string, number>();
  /** Containers of a node just lost, waiting for their ABORTED completion. */
  const owed = new Map<string, string>();
  return {
    name,
    kind: 'safety',
    description: `a node is LOST only after ${opts.expiryMs / 1000} s without a heartbeat, and its containers end ABORTED`,
    attach(world: World) {
      world.onObserve('yarn-container', (_p, d) => {
        const id = d.id;
        const node = d.node;
        const state = d.state;
        if (state === 'ALLOCATED') {
          let s = live.get(node);
          if (s === undefined) live.set(node, (s = new Set()));
          s.add(id);
          return;
        }
        if (!FINAL_CONTAINER.has(state)) return;
        live.get(node)?.delete(id);
        const lostNode = owed.get(id);
        if (lostNode !== undefined) {
          owed.delete(id);
          if (d.exitStatus !== -100) world.reportViolation(name, `${id} on lost node ${lostNode} ended with exit status ${d.exitStatus}, not ABORTED (-100)`);
        }
      });
      world.onObserve('yarn-node', (_p, d) => {
        const node = d.node;
        const state = d.state;
        if (state === 'RUNNING') {
          lastHeard.set(node, world.nowUs / 1000);
          return;
        }
        if (state !== 'LOST') return;
        const last = d.lastHeartbeatMs;
        const silentMs = world.nowUs / 1000 - last;
        if (silentMs < opts.expiryMs) world.reportViolation(name, `node ${node} declared LOST ${(silentMs / 1000).toFixed(1)} s after its last heartbeat, before the expiry of ${opts.expiryMs / 1000} s`);
        for (const id of live.get(node) ?? []) owed.set(id, node);
      });
    },
    finish(world: World): CheckStatus | void {
      // The RM completes a lost node's containers in the same step that declares it lost.
      for (const [id, node] of owed) world.reportViolation(name, `${id} stayed allocated on lost node ${node}`);
    },
  };
}
