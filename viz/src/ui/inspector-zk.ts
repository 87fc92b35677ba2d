import { fmtInt } from '../model/format.ts';
import type { ReplayState } from '../model/state.ts';
import { zkModel } from '../model/zookeeper.ts';
import type { App } from './app.ts';
import { ROLE_COLOR, roleKind, STATUS_COLOR } from './colors.ts';
import { h } from './dom.ts';

// The ZooKeeper inspector: peers with role, epochs, vote and zxids; clients with their sessions;
// the znode tree with ephemeral nodes and the client session that owns each.

const dash = (v: number | null): string => (v === null ? '—' : fmtInt(v));

export function renderZooKeeper(app: App, st: ReplayState): Node {
  const ix = app.ix!;
  const m = zkModel(ix.procs, st, app.selectedProc);
  const leaders = m.peers.filter((p) => p.up && p.role === 'leading');
  const summary = leaders.length === 1
    ? `${leaders[0]!.name} is leading in epoch ${leaders[0]!.currentEpoch ?? '?'}`
    : leaders.length === 0 ? 'no leader: the ensemble is electing or down' : `${leaders.length} peers claim to lead (${leaders.map((l) => l.name).join(', ')})`;
  const root = h('div', { class: 'zk' },
    h('p', { class: `zk-summary${leaders.length === 1 ? '' : ' warn'}`, text: summary, attrs: { 'data-testid': 'zk-summary' } }),
    h('div', { class: 'scroll-x' }, h('table', { class: 'grid peers' },
      h('thead', null, h('tr', null, ...['peer', 'role', 'myid', 'epoch acc/cur', 'election', 'vote (leader @ zxid)', 'leader', 'last zxid', 'committed', 'sessions', 'znodes'].map((c) => h('th', { text: c })))),
      h('tbody', null, ...m.peers.map((p) => h('tr', { class: `${p.up ? '' : 'is-down'}${p.role === 'leading' ? ' is-leader' : ''}`, attrs: { 'data-peer': p.name, 'data-role': p.role } },
        h('td', null, h('span', { class: 'swatch', style: { background: p.up ? ROLE_COLOR[roleKind(p.role)] : STATUS_COLOR.down } }),
          h('button', { class: 'linklike', text: p.name, attrs: { type: 'button' }, on: { click: () => { app.selectProc(p.procIndex); } } })),
        h('td', { class: p.up ? '' : 'st-down', text: p.paused ? `${p.role} (paused)` : p.role }),
        h('td', { class: 'num', text: dash(p.myid) }),
        h('td', { class: 'num', text: p.up ? `${dash(p.acceptedEpoch)} / ${dash(p.currentEpoch)}` : '—' }),
        h('td', { class: 'num', text: dash(p.electionEpoch) }),
        h('td', { class: 'mono', text: p.vote }),
        h('td', { class: 'num', text: dash(p.leader) }),
        h('td', { class: 'mono', text: p.lastZxid }),
        h('td', { class: 'mono', text: p.committedZxid }),
        h('td', { class: 'num', text: dash(p.sessions) }),
        h('td', { class: 'num', text: dash(p.znodes) }),
      ))),
    )),
  );
  if (m.clients.length > 0) {
    root.appendChild(h('h3', { class: 'sub', text: 'Clients' }));
    root.appendChild(h('table', { class: 'grid' },
      h('thead', null, h('tr', null, ...['client', 'session', 'state', 'server'].map((c) => h('th', { text: c })))),
      h('tbody', null, ...m.clients.map((c) => h('tr', { attrs: { 'data-client': c.name } },
        h('td', { text: c.name }), h('td', { class: 'mono', text: c.sessionId }), h('td', { class: `zs-${c.state.toLowerCase()}`, text: c.state }), h('td', { text: c.server })))),
    ));
  }
  root.appendChild(h('h3', { class: 'sub', text: m.treeSource !== null ? `Data tree (as ${m.treeSource} holds it)` : 'Data tree' }));
  if (m.tree.length === 0) {
    root.appendChild(h('p', { class: 'muted', text: 'No peer view carries a tree here (the "tree" field is optional in peer views).' }));
  } else {
    root.appendChild(h('ul', { class: 'ztree', attrs: { 'data-testid': 'znode-tree' } }, ...m.tree.map((n) => h('li', {
      class: n.ephemeralOwner !== null ? 'ephemeral' : '',
      style: { 'padding-left': `${n.depth * 16 + 4}px` },
      attrs: { 'data-path': n.path },
    },
    h('span', { class: 'zname', text: n.depth === 0 ? '/' : n.name }),
    n.data !== '' ? h('span', { class: 'zdata mono', text: ` = ${JSON.stringify(n.data)}` }) : null,
    h('span', { class: 'zmeta', text: ` v${n.version ?? '?'}` }),
    n.ephemeralOwner !== null
      ? h('span', { class: 'zowner', text: ` ephemeral · session ${n.ephemeralOwner}${n.ownerClient !== null ? ` (${n.ownerClient})` : ''}` })
      : null,
    ))));
  }
  return root;
}
