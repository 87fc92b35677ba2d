// zk-availability: while a quorum of servers is up, running (not paused) and fully connected to
// each other, a leader must be serving with a quorum of followers within `boundMs`. It catches
// elections that never settle. In ZooKeeper a wrong vote order does not break safety (a new leader
// whose epoch quorum holds a follower ahead of it aborts: "Follower is ahead of the leader"); it
// shows as exactly this: elections repeating while a healthy quorum waits.
// The bound must cover the election backoff (zookeeper.fastleader.maxNotificationInterval) and
// initLimit ticks of synchronization. Polls the world every `pollMs`.

import type { Checker } from '../../world/checker.ts';
import type { ProcessId } from '../../core/types.ts';
import type { World } from '../../world/world.ts';
import { peerOf } from '../peer.ts';
import { quorumSize } from '../vote.ts';

export interface AvailabilityOptions {
  readonly servers: readonly string[];
  readonly boundMs: number;
  readonly pollMs?: number;
}

export function availabilityChecker(opts: AvailabilityOptions): Checker {
  const name = 'zk-availability';
  const q = quorumSize(opts.servers.length);
  const pollUs = (opts.pollMs ?? 250) * 1000;
  let unavailableSinceUs = -1;
  let reported = false;

  const healthy = (world: World, pids: readonly ProcessId[]): boolean => {
    const up = pids.filter((p) => world.isUp(p) && !world.isPaused(p));
    if (up.length < q) return false;
    for (const a of up) for (const b of up) {
      if (a !== b && world.net.isCut(world.procHost[a]!, world.procHost[b]!)) return false;
    }
    return true;
  };

  const served = (world: World): boolean => {
    for (const n of opts.servers) {
      const l = peerOf(world, n);
      if (l === null || l.state !== 'LEADING' || !l.serving) continue;
      let n2 = 0;
      for (const m of opts.servers) {
        const p = peerOf(world, m);
        if (p !== null && p.serving && p.currentVote.leader === l.sid) n2++;
      }
      if (n2 >= q) return true;
    }
    return false;
  };

  return {
    name,
    kind: 'liveness',
    description: `a quorum of healthy, connected servers has a serving leader within ${opts.boundMs / 1000} s`,
    attach(world: World) {
      const pids = opts.servers.map((n) => world.pid(n));
      const poll = (): void => {
        if (healthy(world, pids) && !served(world)) {
          if (unavailableSinceUs < 0) unavailableSinceUs = world.nowUs;
          else if (!reported && world.nowUs - unavailableSinceUs > opts.boundMs * 1000) {
            reported = true;
            world.reportViolation(name, `a quorum of servers has been up and connected for ${((world.nowUs - unavailableSinceUs) / 1e6).toFixed(1)} s without a serving leader (bound ${opts.boundMs / 1000} s)`);
          }
        } else {
          unavailableSinceUs = -1;
          reported = false;
        }
        world.schedule(world.nowUs + pollUs, poll);
      };
      world.schedule(pollUs, poll);
    },
  };
}
