// zk-linearizable-writes: ZooKeeper promises linearizable writes (reads are only sequentially
// consistent, see session-order.ts). The writes of each znode, with the versions their replies
// carried, must fit a sequential znode: create needs it absent; setData and delete need it present
// and, when conditional, at the expected version; an acknowledged setData returns version + 1.
// A lost or reordered write shows up as two writes claiming the same version, or as a version
// that no order of the writes can produce. Runs the kernel's Wing-Gong-Lowe search per path.
//
// Paths touched by multi, by sequential creates or by ephemeral nodes (which a session expiry may
// delete without any client op) are left out: the model cannot see those changes.

import type { Checker, CheckStatus } from '../../world/checker.ts';
import type { Operation } from '../../world/history.ts';
import { checkLinearizable, type LinearizabilityBounds } from '../../check/linearizability.ts';
import type { Model } from '../../check/models.ts';
import type { World } from '../../world/world.ts';

export interface ZnodeState {
  readonly exists: boolean;
  readonly version: number;
}

interface CreateIn { readonly ephemeral?: boolean; readonly sequential?: boolean }
interface VersionIn { readonly version: number }

/** A single znode as a sequential object: existence and version, driven by create / setData / delete. */
export const znodeModel: Model<ZnodeState> = {
  name: 'znode',
  init: () => ({ exists: false, version: 0 }),
  step(state, op) {
    switch (op.f) {
      case 'create':
        return state.exists ? { ok: false, next: state } : { ok: true, next: { exists: true, version: 0 } };
      case 'setData': {
        const want = (op.input as VersionIn).version;
        if (!state.exists || (want !== -1 && want !== state.version)) return { ok: false, next: state };
        const out = op.output as { version?: number } | undefined;
        if (op.status === 'ok' && out?.version !== undefined && out.version !== state.version + 1) return { ok: false, next: state };
        return { ok: true, next: { exists: true, version: state.version + 1 } };
      }
      case 'delete': {
        const want = (op.input as VersionIn).version;
        if (!state.exists || (want !== -1 && want !== state.version)) return { ok: false, next: state };
        return { ok: true, next: { exists: false, version: 0 } };
      }
      default:
        return { ok: true, next: state };
    }
  },
  stateKey: (s) => (s.exists ? `v${s.version}` : 'absent'),
  imposesNothing: (op) => op.f !== 'create' && op.f !== 'setData' && op.f !== 'delete',
};

/** Paths whose changes the model cannot see: multi ops, sequential or ephemeral creates. */
export function unmodelledPaths(ops: readonly Operation[]): (path: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const op of ops) {
    if (op.f === 'multi') {
      for (const m of (op.input as { ops?: readonly { path: string; sequential?: boolean }[] } | undefined)?.ops ?? []) {
        if (m.sequential === true) prefixes.push(m.path);
        else exact.add(m.path);
      }
    } else if (op.f === 'create' && op.key !== null) {
      const inp = op.input as CreateIn;
      if (inp.sequential === true) prefixes.push(op.key);
      else if (inp.ephemeral === true) exact.add(op.key);
    }
  }
  return (path) => exact.has(path) || prefixes.some((p) => path.startsWith(p));
}

const WRITES = new Set(['create', 'setData', 'delete']);

export function linearizableWritesChecker(bounds: Partial<LinearizabilityBounds> = {}): Checker {
  const name = 'zk-linearizable-writes';
  return {
    name,
    kind: 'safety',
    description: 'writes to each znode (create, setData with the versions returned, delete) are linearizable',
    finish(world: World): CheckStatus {
      const all = world.history.operations();
      const excluded = unmodelledPaths(all);
      const ops = all.filter((op) => op.key !== null && WRITES.has(op.f) && !excluded(op.key));
      const result = checkLinearizable(ops, znodeModel, bounds);
      for (const k of result.keys) {
        if (k.valid === false) world.reportViolation(name, `znode ${k.key}: ${k.counterexample ?? 'writes are not linearizable'}`);
      }
      return result.valid === 'unknown' ? 'unknown' : result.valid ? 'pass' : 'fail';
    },
  };
}
