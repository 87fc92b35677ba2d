// zk-session-order: each session's view moves forward only (ZooKeeper's "sequential consistency"
// and "single system image": a client never sees an older state than one it already saw, even
// after reconnecting to another server, and it reads its own writes).
// Over the recorded history, per session, in completion order:
//   - reply zxids never decrease;
//   - a read of a znode never returns an older modification (mzxid) of the same node (same czxid)
//     than one the session already saw or wrote.

import type { Checker } from '../../world/checker.ts';
import type { Operation } from '../../world/history.ts';
import type { World } from '../../world/world.ts';
import { formatZxid } from '../zxid.ts';

interface Out {
  readonly zxid?: number;
  readonly session?: number;
  readonly node?: { readonly czxid: number; readonly mzxid: number } | null;
  readonly mzxid?: number;
}

export function sessionOrderChecker(): Checker {
  const name = 'zk-session-order';
  return {
    name,
    kind: 'safety',
    description: "each session's replies carry non-decreasing zxids and its reads never go back to older data of a znode",
    finish(world: World) {
      const bySession = new Map<number, Operation[]>();
      for (const op of world.history.operations()) {
        if (op.status !== 'ok') continue;
        const s = (op.output as Out | undefined)?.session;
        if (typeof s !== 'number' || s === 0) continue;
        let l = bySession.get(s);
        if (l === undefined) bySession.set(s, (l = []));
        l.push(op);
      }
      for (const [session, ops] of bySession) {
        ops.sort((a, b) => a.completeUs - b.completeUs || a.opId - b.opId);
        let lastZxid = -1;
        let lastOp: Operation | null = null;
        // path -> (czxid, mzxid) of the newest version seen or written
        const seen = new Map<string, { czxid: number; mzxid: number; op: Operation }>();
        for (const op of ops) {
          const out = op.output as Out;
          const z = out.zxid ?? -1;
          if (z < lastZxid) {
            world.reportViolation(name, `session 0x${session.toString(16)} (${op.process}): op #${op.opId} ${op.f} ${op.key ?? ''} replied at zxid ${formatZxid(z)} after op #${lastOp!.opId} replied at ${formatZxid(lastZxid)}`);
          }
          if (z > lastZxid) {
            lastZxid = z;
            lastOp = op;
          }
          if (op.key === null) continue;
          if (op.f === 'setData' && typeof out.mzxid === 'number') {
            const prev = seen.get(op.key);
            seen.set(op.key, { czxid: prev?.czxid ?? -1, mzxid: out.mzxid, op });
          } else if ((op.f === 'getData' || op.f === 'exists' || op.f === 'getChildren') && out.node !== undefined && out.node !== null) {
            const prev = seen.get(op.key);
            const n = out.node;
            if (prev !== undefined && (prev.czxid === n.czxid || prev.czxid === -1) && n.czxid <= prev.mzxid && n.mzxid < prev.mzxid) {
              world.reportViolation(name, `session 0x${session.toString(16)} (${op.process}): op #${op.opId} read ${op.key} at mzxid ${formatZxid(n.mzxid)}, older than ${formatZxid(prev.mzxid)} it saw in op #${prev.op.opId}`);
            }
            if (prev === undefined || n.mzxid >= prev.mzxid) seen.set(op.key, { czxid: n.czxid, mzxid: n.mzxid, op });
          }
        }
      }
    },
  };
}
