// zk-watch-once: a watch fires at most once, and before its client sees newer data.
//
// The client library reports every watch it registers (zk-watch-set, with the Stat the read saw)
// and every event the server sends it (zk-watch-fired). Reads are taken from the history, in the
// order they completed relative to those observations (the history is scanned up to now before
// each observation is handled, so the interleaving is exact). Then:
//   - an event that finds no armed watch of a kind it triggers fired without one (twice, or never set);
//   - a read by the same session of a watched znode that shows a change since the watch was set
//     (another version, created, deleted, other children) while the watch is still armed: the
//     client saw newer data before its watch fired.

import type { Checker } from '../../world/checker.ts';
import type { HistoryEntry } from '../../world/history.ts';
import type { World } from '../../world/world.ts';
import type { WatchEventType, WatchKind } from '../messages.ts';
import { formatZxid } from '../zxid.ts';

interface Armed {
  readonly exists: boolean;
  readonly czxid: number;
  readonly mzxid: number;
  readonly pzxid: number;
}

const TRIGGERS: { readonly [e in WatchEventType]: readonly WatchKind[] } = {
  NodeCreated: ['data', 'exist'],
  NodeDataChanged: ['data', 'exist'],
  NodeDeleted: ['data', 'exist', 'child'],
  NodeChildrenChanged: ['child'],
};

interface NodeOut { readonly czxid: number; readonly mzxid: number; readonly pzxid: number }

export function watchOnceChecker(): Checker {
  const name = 'zk-watch-once';
  const armed = new Map<string, Armed>();
  const key = (session: number, path: string, kind: WatchKind): string => `${session}\u0000${path}\u0000${kind}`;
  let scanned = 0;
  let world: World | null = null;

  const scan = (): void => {
    const w = world!;
    const entries = w.history.all();
    for (; scanned < entries.length; scanned++) {
      const e = entries[scanned]!;
      if (e.type !== 'ok' || e.key === null || (e.f !== 'getData' && e.f !== 'exists' && e.f !== 'getChildren')) continue;
      checkRead(w, e);
    }
  };

  const checkRead = (w: World, e: HistoryEntry): void => {
    const out = e.value as { session?: number; node?: NodeOut | null } | undefined;
    if (out === undefined || typeof out.session !== 'number' || out.node === undefined) return;
    const path = e.key!;
    const node = out.node;
    for (const kind of ['data', 'exist', 'child'] as const) {
      const a = armed.get(key(out.session, path, kind));
      if (a === undefined) continue;
      let changed: string | null = null;
      if (a.exists !== (node !== null)) changed = node === null ? 'deleted' : 'created';
      else if (node !== null && node.czxid !== a.czxid) changed = 'deleted and created again';
      else if (node !== null && kind !== 'child' && node.mzxid !== a.mzxid) changed = `changed (mzxid ${formatZxid(a.mzxid)} -> ${formatZxid(node.mzxid)})`;
      else if (node !== null && kind === 'child' && node.pzxid !== a.pzxid) changed = `children changed (pzxid ${formatZxid(a.pzxid)} -> ${formatZxid(node.pzxid)})`;
      if (changed !== null) {
        w.reportViolation(name, `session 0x${out.session.toString(16)} (${e.process}) read ${path} ${changed} before its ${kind} watch fired (op #${e.opId})`);
        armed.delete(key(out.session, path, kind));
      }
    }
  };

  return {
    name,
    kind: 'safety',
    description: 'a watch fires at most once, and before its client reads the change it signals',
    attach(w: World) {
      world = w;
      w.onObserve('zk-watch-set', (_p, d) => {
        scan();
        armed.set(key(d.session, d.path, d.kind), { exists: d.exists, czxid: d.czxid, mzxid: d.mzxid, pzxid: d.pzxid });
      });
      w.onObserve('zk-watch-fired', (pid, d) => {
        scan();
        let found = false;
        for (const kind of TRIGGERS[d.event]) {
          if (armed.delete(key(d.session, d.path, kind))) found = true;
        }
        if (!found || d.watchers === 0) {
          w.reportViolation(name, `${w.procNames[pid]} got ${d.event} for ${d.path} on session 0x${d.session.toString(16)} with no watch armed for it (fired twice, or never set)`);
        }
      });
      w.onObserve('zk-session-state', (_p, d) => {
        if (d.state !== 'EXPIRED' && d.state !== 'CLOSED') return;
        scan();
        const prefix = `${d.session}\u0000`;
        for (const k of [...armed.keys()]) if (k.startsWith(prefix)) armed.delete(k);
      });
    },
    finish() {
      if (world !== null) scan();
    },
  };
}
