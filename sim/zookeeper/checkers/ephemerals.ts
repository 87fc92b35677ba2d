// zk-ephemeral-lifetime: an ephemeral node exists exactly while its session lives.
//   - no ephemeral node is created for a session after that session's closeSession committed;
//   - at the end, no server holds an ephemeral node whose owner is not an open session;
//   - expiry bound: a session whose client is gone (crashed, closed, expired, or disconnected for
//     good) is closed, and its ephemerals deleted, within its timeout plus two ticks (bucket
//     rounding and the closeSession round trip) after both its client left and the final leader
//     took over (a new leader gives every session a fresh timeout).

import type { Checker, RunPhases } from '../../world/checker.ts';
import type { ProcessId } from '../../core/types.ts';
import type { World } from '../../world/world.ts';
import { peerOf, type ZkPeer } from '../peer.ts';
import { formatZxid } from '../zxid.ts';

interface ClientSession {
  readonly pid: ProcessId;
  readonly incarnation: number;
  state: string;
  atUs: number;
  lastHeardUs: number;
}

export interface EphemeralCheckerOptions {
  /** Server process names (to find the final leader). */
  readonly servers: readonly string[];
  /** Extra time allowed on top of timeout + 2 ticks (default 2000 ms). */
  readonly slackMs?: number;
}

export function ephemeralLifetimeChecker(opts: EphemeralCheckerOptions): Checker {
  const name = 'zk-ephemeral-lifetime';
  const closedAt = new Map<number, number>();
  const sessions = new Map<number, ClientSession>();
  const establishedUs = new Map<string, number>();
  return {
    name,
    kind: 'safety',
    description: 'an ephemeral node exists exactly while its session lives, and a dead client\'s session is closed within its timeout',
    attach(world: World) {
      world.onObserve('zk-session-closed', (_p, d) => {
        if (!closedAt.has(d.session)) closedAt.set(d.session, d.zxid);
      });
      world.onObserve('zk-ephemeral', (pid, d) => {
        const c = closedAt.get(d.session);
        if (c !== undefined && c < d.zxid) {
          world.reportViolation(name, `${world.procNames[pid]} committed ephemeral ${d.path} for session 0x${d.session.toString(16)} at ${formatZxid(d.zxid)}, after the session closed at ${formatZxid(c)}`);
        }
      });
      world.onObserve('zk-session-state', (pid, d) => {
        const now = world.nowUs;
        const lastHeardUs = d.state === 'DISCONNECTED' ? d.lastHeardUs : now;
        const prev = sessions.get(d.session);
        if (prev === undefined) {
          sessions.set(d.session, { pid, incarnation: world.incarnation[pid]!, state: d.state, atUs: now, lastHeardUs });
          return;
        }
        prev.state = d.state;
        prev.atUs = now;
        prev.lastHeardUs = lastHeardUs;
      });
      world.onObserve('zk-leader-established', (pid) => {
        establishedUs.set(world.procNames[pid]!, world.nowUs);
      });
    },
    finish(world: World, run: RunPhases) {
      const peers: { name: string; peer: ZkPeer }[] = [];
      for (const n of opts.servers) {
        const p = peerOf(world, n);
        if (p !== null && p.serving) peers.push({ name: n, peer: p });
      }
      for (const { name: n, peer } of peers) {
        for (const [owner, paths] of peer.tree.ephemerals) {
          if (!peer.tree.sessions.has(owner)) {
            world.reportViolation(name, `${n} holds ephemeral ${[...paths].sort()[0]} of session 0x${owner.toString(16)}, which is not open`);
          }
        }
      }
      const leader = peers.find((p) => p.peer.state === 'LEADING');
      if (leader === undefined) return 'unknown';
      const tE = establishedUs.get(leader.name) ?? 0;
      const tickUs = leader.peer.settings.tickUs;
      const slackUs = (opts.slackMs ?? 2000) * 1000;
      for (const [id, timeoutMs] of leader.peer.tree.sessions) {
        const c = sessions.get(id);
        if (c === undefined) continue;
        let goneUs: number | null = null;
        let why = '';
        if (c.state === 'EXPIRED' || c.state === 'CLOSED') {
          goneUs = c.atUs;
          why = `its client saw it ${c.state.toLowerCase()}`;
        } else if (!world.isUp(c.pid) || world.incarnation[c.pid] !== c.incarnation) {
          goneUs = Math.max(c.atUs, run.healUs);
          why = `its client ${world.procNames[c.pid]} died`;
        } else if (c.state === 'DISCONNECTED') {
          goneUs = c.lastHeardUs;
          why = `its client last heard from a server`;
        }
        if (goneUs === null) continue;
        const deadline = Math.max(goneUs, tE) + timeoutMs * 1000 + 2 * tickUs + slackUs;
        if (run.endUs > deadline) {
          world.reportViolation(name, `session 0x${id.toString(16)} (timeout ${timeoutMs} ms) is still open on leader ${leader.name} ${((run.endUs - Math.max(goneUs, tE)) / 1e6).toFixed(1)} s after ${why}`);
        }
      }
      return 'pass';
    },
  };
}
