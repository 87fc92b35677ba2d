// zk-single-leader: at most one leader is established per epoch (Zab.tla's "at most one
// established leader per epoch", the property everything else rests on).

import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';

export function singleLeaderChecker(): Checker {
  const leaders = new Map<number, { sid: number; name: string }>();
  return {
    name: 'zk-single-leader',
    kind: 'safety',
    description: 'at most one leader is established per epoch',
    attach(world: World) {
      world.onObserve('zk-leader-established', (pid, d) => {
        const prev = leaders.get(d.epoch);
        const name = world.procNames[pid]!;
        if (prev === undefined) {
          leaders.set(d.epoch, { sid: d.sid, name });
          return;
        }
        if (prev.sid !== d.sid) {
          world.reportViolation('zk-single-leader', `two leaders established in epoch ${d.epoch}: ${prev.name} and ${name}`);
        }
      });
    },
  };
}
