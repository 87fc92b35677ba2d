import type { Json } from '../../../sim/core/types.ts';
import { fmtDuration, fmtInt, fmtSecondsExact } from '../model/format.ts';
import { parseCutKey } from '../model/state.ts';
import type { App, Aspect, Tab } from './app.ts';
import { ROLE_COLOR, roleKind, STATUS_COLOR } from './colors.ts';
import { h } from './dom.ts';
import { roleOf, statusOf } from './topology.ts';
import { SYSTEM_VIZ, systemViz } from '../systems/index.ts';

// The inspector panel: a tab per system present in the trace that has a viewer module
// (viz/src/systems/) and a generic tab for any process's inspect() view with what the last state
// change touched highlighted.
/** While playing, the inspector redraws at most this often (it is DOM, not canvas). */
const PLAY_REDRAW_MS = 120;

export class Inspector {
  readonly el: HTMLElement;
  private readonly tabs: HTMLElement;
  private readonly body: HTMLElement;
  private lastDraw = 0;
  private pendingTimer = 0;

  constructor(private readonly app: App) {
    this.tabs = h('div', { class: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Inspectors' } });
    this.body = h('div', { class: 'panel-body inspector-body', attrs: { role: 'tabpanel', 'data-testid': 'inspector' } });
    this.el = h('section', { class: 'panel inspector', attrs: { 'aria-label': 'Inspector' } },
      h('header', { class: 'panel-head' }, h('h2', { text: 'Inspector' }), this.tabs),
      this.body,
    );
    app.subscribe((c) => this.render(c));
  }

  private availableTabs(): Tab[] {
    const ix = this.app.ix;
    if (ix === null) return ['process'];
    const systems = new Set(ix.procs.map((p) => p.system));
    return [...SYSTEM_VIZ.filter((s) => systems.has(s.system)).map((s) => s.system), 'process'];
  }

  private render(changed: ReadonlySet<Aspect>): void {
    if (this.app.replay === null) return;
    if (changed.has('trace') || changed.has('tab')) this.renderTabs();
    if (this.app.playing && !changed.has('tab') && !changed.has('selection') && !changed.has('trace')) {
      const since = performance.now() - this.lastDraw;
      if (since < PLAY_REDRAW_MS) {
        if (this.pendingTimer === 0) this.pendingTimer = window.setTimeout(() => { this.pendingTimer = 0; this.draw(); }, PLAY_REDRAW_MS - since);
        return;
      }
    }
    this.draw();
  }

  private renderTabs(): void {
    this.tabs.replaceChildren(...this.availableTabs().map((t) => h('button', {
      class: `tab${t === this.app.tab ? ' active' : ''}`,
      text: systemViz(t)?.label ?? 'Process',
      attrs: { role: 'tab', type: 'button', 'aria-selected': t === this.app.tab ? 'true' : 'false', 'data-tab': t },
      on: { click: () => this.app.setTab(t) },
    })));
  }

  private draw(): void {
    this.lastDraw = performance.now();
    const app = this.app;
    const st = app.state();
    const ix = app.ix;
    if (st === null || ix === null) return;
    const scroll = this.body.scrollTop;
    const sys = systemViz(app.tab);
    const content: Node = sys !== undefined ? sys.render(app, st) : this.renderProcess();
    this.body.replaceChildren(content);
    this.body.scrollTop = scroll;
  }

  private renderProcess(): Node {
    const app = this.app;
    const ix = app.ix!;
    const st = app.state()!;
    const r = app.replay!;
    const cut = new Set<number>();
    for (const k of Object.keys(st.cuts)) for (const x of parseCutKey(k)) cut.add(x);
    const sel = h('select', {
      attrs: { 'aria-label': 'Process to inspect', 'data-testid': 'process-select' },
      on: { change: (e) => app.selectProc(Number((e.target as HTMLSelectElement).value)) },
    }, h('option', { text: 'choose a process…', attrs: { value: -1 } }), ...ix.procs.map((pi, p) => h('option', { text: `${pi.name} (${pi.system})`, attrs: { value: p } })));
    sel.value = String(app.selectedProc);
    const p = app.selectedProc;
    if (p < 0 || p >= ix.procs.length) {
      // Overview: every process with its status; click one to inspect it.
      return h('div', { class: 'proc-overview' },
        h('div', { class: 'row' }, sel),
        h('p', { class: 'muted', text: 'Every process at the cursor. Pick one (here or in the topology) to see its full inspect() view.' }),
        h('table', { class: 'grid' },
          h('thead', null, h('tr', null, ...['process', 'system', 'role', 'status', 'view'].map((c) => h('th', { text: c })))),
          h('tbody', null, ...ix.procs.map((pi, q) => {
            const ps = st.procs[q];
            const status = statusOf(ps, cut.has(pi.host));
            const role = roleOf(ps, pi.role);
            return h('tr', { class: 'clickable', on: { click: () => app.selectProc(q) } },
              h('td', null, h('span', { class: 'swatch', style: { background: status === 'down' || status === 'not started' ? STATUS_COLOR.down : ROLE_COLOR[roleKind(role)] } }), pi.name),
              h('td', { text: pi.system }), h('td', { text: role }), h('td', { class: `st-${status.replace(' ', '-')}`, text: status }),
              h('td', { class: 'mono clip', text: ps?.view === null || ps?.view === undefined ? '—' : JSON.stringify(ps.view).slice(0, 80) }));
          })),
        ),
      );
    }
    const pi = ix.procs[p]!;
    const ps = st.procs[p];
    const status = statusOf(ps, cut.has(pi.host));
    const change = r.lastChange(p, app.cursor);
    const changedNow = change !== null && change.index === app.cursor;
    const changed = new Set<string>();
    const ancestors = new Set<string>();
    let whole = false;
    if (change !== null) {
      for (const path of change.paths) {
        if (path.length === 0) whole = true;
        changed.add(pathKey(path));
        for (let k = 0; k < path.length; k++) ancestors.add(pathKey(path.slice(0, k)));
      }
    }
    const facts = h('dl', { class: 'facts' },
      h('dt', { text: 'host' }), h('dd', { text: `${ix.hosts[pi.host]!.name} (rack ${ix.hosts[pi.host]!.rack})` }),
      h('dt', { text: 'system' }), h('dd', { text: pi.system }),
      h('dt', { text: 'role' }), h('dd', { text: roleOf(ps, pi.role) }),
      h('dt', { text: 'status' }), h('dd', { class: `st-${status.replace(' ', '-')}`, text: status + (ps !== undefined && !ps.up && ps.downReason !== null ? ` (${ps.downReason})` : '') }),
      h('dt', { text: 'incarnation' }), h('dd', { text: String(ps?.incarnation ?? 0) }),
    );
    const changeLine = change === null
      ? h('p', { class: 'muted', text: 'No state recorded yet at this point.' })
      : h('p', { class: `change-line${changedNow ? ' now' : ''}` },
        changedNow ? 'Changed at this event: ' : 'Last changed ',
        h('button', {
          class: 'linklike', text: `event ${fmtInt(change.index + 1)}`, attrs: { type: 'button' },
          on: { click: () => { app.pause(); app.seek(change.index); app.selectEvent(change.index); } },
        }),
        ` (t = ${fmtSecondsExact(ix.t[change.index]!)}${changedNow ? '' : `, ${fmtDuration(app.timeUs - ix.t[change.index]!)} ago`}): `,
        whole ? 'a full view (the process started)' : `${change.paths.length} field${change.paths.length === 1 ? '' : 's'} — highlighted below`,
      );
    const view = ps?.view ?? null;
    // The fields the change touched, before and after (the tree below shows them in place).
    const detail = change !== null && !whole ? r.changeDetail(p, change.index) : [];
    const show = (v: Json | undefined): string => (v === undefined ? '—' : clipText(JSON.stringify(v), 60));
    const diff = detail.length === 0 ? null : h('table', { class: 'grid diff', attrs: { 'data-testid': 'changes' } },
      h('tbody', null, ...detail.slice(0, 12).map((d) => h('tr', null,
        h('td', { class: 'mono path', text: d.path.map(String).join('.') }),
        h('td', { class: 'mono before', text: show(d.before) }),
        h('td', { class: 'arrow', text: '→' }),
        h('td', { class: 'mono after', text: show(d.after) }))),
      detail.length > 12 ? h('tr', null, h('td', { class: 'muted', text: `… ${detail.length - 12} more` })) : null));
    return h('div', { class: 'proc-detail', attrs: { 'data-proc': pi.name } },
      h('div', { class: 'row' }, sel, h('button', { class: 'linklike', text: 'all processes', attrs: { type: 'button' }, on: { click: () => app.selectProc(-1) } })),
      facts,
      changeLine,
      diff,
      view === null
        ? h('p', { class: 'muted', text: ps?.up === true ? 'Started; no view yet.' : 'Down: a crashed process has no memory to inspect; its disk survives.' })
        : h('div', { class: `json${changedNow ? ' fresh' : ''}` }, jsonTree(view, [], changed, ancestors, whole, 0)),
    );
  }
}

function pathKey(path: readonly (string | number)[]): string {
  return path.map(String).join('\u0001');
}

const MAX_ITEMS = 60;

/** A JSON view as nested lists; changed fields are marked. Text only. */
function jsonTree(v: Json, path: (string | number)[], changed: Set<string>, ancestors: Set<string>, whole: boolean, depth: number): Node {
  if (v === null || typeof v !== 'object') return h('span', { class: `jv ${v === null ? 'null' : typeof v}`, text: JSON.stringify(v) });
  const entries: [string | number, Json][] = Array.isArray(v) ? (v as readonly Json[]).map((x, i) => [i, x]) : Object.entries(v);
  const compact = Array.isArray(v) && entries.every(([, x]) => x === null || typeof x !== 'object') && entries.length <= 24;
  if (compact) return h('span', { class: 'jv arr', text: JSON.stringify(v) });
  if (depth > 8) return h('span', { class: 'jv', text: JSON.stringify(v).slice(0, 120) });
  const ul = h('ul', { class: 'jt' });
  for (const [k, x] of entries.slice(0, MAX_ITEMS)) {
    const p = [...path, k];
    const key = pathKey(p);
    const isChanged = whole || changed.has(key);
    const li = h('li', { class: isChanged ? 'changed' : ancestors.has(key) ? 'has-change' : '' },
      h('span', { class: 'jk', text: Array.isArray(v) ? `[${k}]` : String(k) }), h('span', { class: 'jc', text: ': ' }),
      jsonTree(x, p, changed, ancestors, false, depth + 1));
    ul.appendChild(li);
  }
  if (entries.length > MAX_ITEMS) ul.appendChild(h('li', { class: 'muted', text: `… ${entries.length - MAX_ITEMS} more` }));
  return ul;
}

function clipText(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
