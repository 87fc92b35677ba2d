// Liveness after heal (zk-liveness): once every fault is lifted, within `boundMs` a leader is
// established and a client write commits, and by the end every running server follows that leader.
// zk-election-time (for scenarios with a scripted leader crash): a leader is established within
// `boundMs` after `afterMs`.

import type { Checker, RunPhases } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { peerOf, type ZkPeer } from '../peer.ts';

const WRITES = new Set(['create', 'delete', 'setData', 'multi']);

export interface LivenessOptions {
  readonly servers: readonly string[];
  readonly boundMs: number;
}

export function livenessChecker(opts: LivenessOptions): Checker {
  const name = 'zk-liveness';
  const established = new Map<string, number>();
  return {
    name,
    kind: 'liveness',
    description: `after heal, a leader is established and a write commits within ${opts.boundMs / 1000} s, and every server follows it`,
    attach(world: World) {
      world.onObserve('zk-leader-established', (pid) => established.set(world.procNames[pid]!, world.nowUs));
    },
    finish(world: World, run: RunPhases) {
      const boundUs = opts.boundMs * 1000;
      const deadline = run.healUs + boundUs;
      if (run.endUs < deadline) return 'unknown';
      const up: { name: string; peer: ZkPeer }[] = [];
      for (const n of opts.servers) {
        const p = peerOf(world, n);
        if (p !== null) up.push({ name: n, peer: p });
      }
      const leader = up.find((p) => p.peer.state === 'LEADING' && p.peer.serving);
      if (leader === undefined) {
        const roles = up.map((p) => `${p.name}: ${p.peer.state.toLowerCase()}`).join(', ');
        world.reportViolation(name, `no leader is serving ${((run.endUs - run.healUs) / 1e6).toFixed(0)} s after heal (${roles || 'no server up'})`);
        return;
      }
      const tE = established.get(leader.name) ?? 0;
      if (tE > deadline) {
        world.reportViolation(name, `${leader.name} was established only ${((tE - run.healUs) / 1e6).toFixed(1)} s after heal (bound ${opts.boundMs / 1000} s)`);
      }
      for (const p of up) {
        if (p === leader) continue;
        if (p.peer.state !== 'FOLLOWING' || !p.peer.serving || p.peer.currentVote.leader !== leader.peer.sid) {
          world.reportViolation(name, `${p.name} is ${p.peer.state.toLowerCase()}${p.peer.serving ? '' : ' and not serving'} at the end, not following ${leader.name}`);
        }
      }
      const ok = world.history.operations().some((op) => op.status === 'ok' && WRITES.has(op.f) && op.completeUs >= run.healUs && op.completeUs <= deadline);
      if (!ok) world.reportViolation(name, `no client write committed within ${opts.boundMs / 1000} s after heal`);
    },
  };
}

export function electionTimeChecker(opts: { readonly afterMs: number; readonly boundMs: number }): Checker {
  const name = 'zk-election-time';
  const times: number[] = [];
  return {
    name,
    kind: 'liveness',
    description: `a leader is established within ${opts.boundMs / 1000} s after ${opts.afterMs / 1000} s`,
    attach(world: World) {
      world.onObserve('zk-leader-established', () => times.push(world.nowUs));
    },
    finish(world: World) {
      const from = opts.afterMs * 1000;
      const t = times.find((x) => x > from);
      if (t === undefined || t > from + opts.boundMs * 1000) {
        world.reportViolation(name, t === undefined
          ? `no leader was established after ${opts.afterMs / 1000} s`
          : `the next leader was established ${((t - from) / 1e6).toFixed(2)} s after ${opts.afterMs / 1000} s (bound ${opts.boundMs / 1000} s)`);
      }
    },
  };
}

/**
 * zk-leader-steps-down: the named server, leading when a fault starts at `afterMs`, stops leading
 * within `boundMs` (it loses its synced quorum and gives up: "Not sufficient followers synced").
 */
export function leaderStepsDownChecker(opts: { readonly server: string; readonly afterMs: number; readonly boundMs: number }): Checker {
  const name = 'zk-leader-steps-down';
  const lost: number[] = [];
  let leadingAt: number | null = null;
  return {
    name,
    kind: 'liveness',
    description: `${opts.server}, cut off from its quorum at ${opts.afterMs / 1000} s, steps down within ${opts.boundMs / 1000} s`,
    attach(world: World) {
      world.onObserve('zk-leader-lost', (pid) => {
        if (world.procNames[pid] === opts.server) lost.push(world.nowUs);
      });
      world.onObserve('zk-leader-established', (pid) => {
        if (world.procNames[pid] === opts.server && world.nowUs <= opts.afterMs * 1000) leadingAt = world.nowUs;
      });
    },
    finish(world: World) {
      const from = opts.afterMs * 1000;
      if (leadingAt === null) {
        world.reportViolation(name, `${opts.server} was not the leader when the fault started at ${opts.afterMs / 1000} s`);
        return;
      }
      const t = lost.find((x) => x >= from);
      if (t === undefined || t > from + opts.boundMs * 1000) {
        world.reportViolation(name, t === undefined ? `${opts.server} never stepped down after ${opts.afterMs / 1000} s`
          : `${opts.server} stepped down only ${((t - from) / 1e6).toFixed(2)} s after ${opts.afterMs / 1000} s (bound ${opts.boundMs / 1000} s)`);
      }
    },
  };
}
