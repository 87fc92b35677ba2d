import { TRACE_EVENT_TYPES } from '../../../sim/world/trace.ts';
import { summarize, T } from '../model/events.ts';
import { filterEvents, isEmptyFilter, NO_FILTER, positionIn, TYPE_GROUPS, type EventFilter } from '../model/filter.ts';
import { fmtInt } from '../model/format.ts';
import type { App, Aspect } from './app.ts';
import { typeColor } from './colors.ts';
import { h } from './dom.ts';

// The event log: a virtualized list of every line (only the visible rows exist in the DOM, and only
// their lines are parsed), with filters by process, system and type, and text search. Clicking a
// row seeks there; a delivery links to its send and a send to its delivery.

const ROW_PX = 24;
/** Browsers cap element heights; above this the scrollbar maps proportionally onto the rows. */
const MAX_SCROLL_PX = 8_000_000;
const FOLLOW_PAUSE_MS = 2500;

export class EventLog {
  readonly el: HTMLElement;
  private readonly procSel: HTMLSelectElement;
  private readonly sysSel: HTMLSelectElement;
  private readonly typeSel: HTMLSelectElement;
  private readonly search: HTMLInputElement;
  private readonly countEl: HTMLElement;
  private readonly clearBtn: HTMLButtonElement;
  private readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly layer: HTMLDivElement;
  /** Filtered event indexes, or null when every event is listed. */
  private list: Int32Array | null = null;
  private userScrollAt = -Infinity;
  private programmaticScroll = false;
  private searchTimer = 0;

  constructor(private readonly app: App) {
    const onFilter = (): void => this.readFilters();
    this.procSel = h('select', { attrs: { 'aria-label': 'Filter by process', 'data-testid': 'filter-process' }, on: { change: onFilter } });
    this.sysSel = h('select', { attrs: { 'aria-label': 'Filter by system', 'data-testid': 'filter-system' }, on: { change: onFilter } });
    this.typeSel = h('select', { attrs: { 'aria-label': 'Filter by event type', 'data-testid': 'filter-type' }, on: { change: onFilter } });
    this.search = h('input', {
      class: 'search',
      attrs: { type: 'search', placeholder: 'Search lines: ISR, broker-2, FetchRequest…', 'aria-label': 'Search event lines', 'data-testid': 'search' },
      on: { input: () => { window.clearTimeout(this.searchTimer); this.searchTimer = window.setTimeout(onFilter, 250); } },
    });
    this.countEl = h('span', { class: 'count', attrs: { 'data-testid': 'log-count' } });
    this.clearBtn = h('button', { class: 'linklike', text: 'clear filters', attrs: { type: 'button' }, on: { click: () => this.app.setFilter(NO_FILTER) } });
    this.spacer = h('div', { class: 'log-spacer' });
    this.layer = h('div', { class: 'log-rows', attrs: { role: 'list', 'aria-label': 'Events' } });
    this.viewport = h('div', { class: 'log-viewport', attrs: { tabindex: 0, 'data-testid': 'event-log' } }, this.spacer, this.layer);
    this.viewport.addEventListener('scroll', () => {
      if (!this.programmaticScroll) this.userScrollAt = performance.now();
      this.programmaticScroll = false;
      this.drawRows();
    });
    this.el = h('section', { class: 'panel eventlog', attrs: { 'aria-label': 'Event log' } },
      h('header', { class: 'panel-head' }, h('h2', { text: 'Events' }), this.procSel, this.sysSel, this.typeSel, this.search, this.clearBtn, h('div', { class: 'spacer' }), this.countEl),
      h('div', { class: 'panel-body log-body' }, this.viewport),
    );
    app.subscribe((c) => this.render(c));
  }

  private readFilters(): void {
    const pv = this.procSel.value;
    const tv = this.typeSel.value;
    const f: EventFilter = {
      procs: pv === '' ? [] : pv === '*custom' ? this.app.filter.procs : [pv],
      system: this.sysSel.value,
      types: tv === '' ? [] : tv === '*custom' ? this.app.filter.types : tv.startsWith('group:') ? [...TYPE_GROUPS[tv.slice(6)]!] : [tv.slice(5)],
      query: this.search.value,
    };
    this.app.setFilter(f);
  }

  private populate(): void {
    const ix = this.app.ix!;
    this.procSel.replaceChildren(h('option', { text: 'All processes', attrs: { value: '' } }), ...ix.procs.map((p) => h('option', { text: p.name, attrs: { value: p.name } })));
    const systems = [...new Set(ix.procs.map((p) => p.system))].sort();
    this.sysSel.replaceChildren(h('option', { text: 'All systems', attrs: { value: '' } }), ...systems.map((s) => h('option', { text: s, attrs: { value: s } })),
      h('option', { text: 'world (no process)', attrs: { value: 'world' } }));
    const present = new Set<number>();
    for (let i = 0; i < ix.count; i++) present.add(ix.type[i]!);
    this.typeSel.replaceChildren(
      h('option', { text: 'All types', attrs: { value: '' } }),
      h('optgroup', { attrs: { label: 'Groups' } }, ...Object.keys(TYPE_GROUPS).map((g) => h('option', { text: g, attrs: { value: `group:${g}` } }))),
      h('optgroup', { attrs: { label: 'Types' } }, ...TRACE_EVENT_TYPES.map((t, code) => (present.has(code) ? h('option', { text: t, attrs: { value: `type:${t}` } }) : null))),
    );
  }

  private syncControls(): void {
    const f = this.app.filter;
    const setSel = (sel: HTMLSelectElement, value: string, custom: boolean, label: string): void => {
      sel.querySelector('option[value="*custom"]')?.remove();
      if (custom) sel.appendChild(h('option', { text: label, attrs: { value: '*custom' } }));
      sel.value = custom ? '*custom' : value;
    };
    setSel(this.procSel, f.procs[0] ?? '', f.procs.length > 1, `${f.procs.length} processes`);
    const group = Object.entries(TYPE_GROUPS).find(([, ts]) => ts.length === f.types.length && ts.every((t) => f.types.includes(t)));
    setSel(this.typeSel, group !== undefined ? `group:${group[0]}` : f.types.length === 1 ? `type:${f.types[0]}` : '', f.types.length > 1 && group === undefined, `${f.types.length} types`);
    this.sysSel.value = f.system;
    if (this.search.value !== f.query && document.activeElement !== this.search) this.search.value = f.query;
    this.clearBtn.hidden = isEmptyFilter(f);
  }

  private render(changed: ReadonlySet<Aspect>): void {
    const r = this.app.replay;
    if (r === null) return;
    if (changed.has('trace')) this.populate();
    if (changed.has('trace') || changed.has('filter')) {
      this.list = isEmptyFilter(this.app.filter) ? null : filterEvents(r.ix, this.app.filter);
      this.syncControls();
      const n = this.length();
      this.countEl.textContent = this.list === null ? `${fmtInt(r.count)} events` : `${fmtInt(n)} of ${fmtInt(r.count)} events`;
      this.spacer.style.height = `${Math.min(n * ROW_PX, MAX_SCROLL_PX)}px`;
    }
    if (changed.has('cursor') || changed.has('filter') || changed.has('trace')) this.follow();
    this.drawRows();
  }

  private length(): number {
    return this.list === null ? this.app.count : this.list.length;
  }

  private at(k: number): number {
    return this.list === null ? k : this.list[k]!;
  }

  /** Row position of the cursor: the last listed event at or before it. */
  private cursorRow(): number {
    const c = this.app.cursor;
    if (c < 0) return -1;
    if (this.list === null) return c;
    return positionIn(this.list, c + 1) - 1;
  }

  private scale(): { total: number; visible: number; maxScroll: number; scaled: boolean } {
    const total = this.length();
    const viewH = this.viewport.clientHeight;
    const visible = Math.max(1, Math.floor(viewH / ROW_PX));
    const contentH = Math.min(total * ROW_PX, MAX_SCROLL_PX);
    return { total, visible, maxScroll: Math.max(0, contentH - viewH), scaled: total * ROW_PX > MAX_SCROLL_PX };
  }

  private firstRow(): { first: number; offset: number } {
    const s = this.scale();
    const top = this.viewport.scrollTop;
    if (!s.scaled) return { first: Math.floor(top / ROW_PX), offset: -(top % ROW_PX) };
    const frac = s.maxScroll > 0 ? top / s.maxScroll : 0;
    return { first: Math.floor(frac * Math.max(0, s.total - s.visible)), offset: 0 };
  }

  private scrollToRow(k: number): void {
    const s = this.scale();
    const target = Math.max(0, k - Math.floor(s.visible / 2));
    const top = s.scaled ? (target / Math.max(1, s.total - s.visible)) * s.maxScroll : target * ROW_PX;
    if (Math.abs(this.viewport.scrollTop - top) < 1) return;
    this.programmaticScroll = true;
    this.viewport.scrollTop = top;
  }

  private follow(): void {
    if (performance.now() - this.userScrollAt < FOLLOW_PAUSE_MS) return;
    const k = this.cursorRow();
    if (k < 0) return;
    const { first } = this.firstRow();
    const s = this.scale();
    if (k < first || k >= first + s.visible - 1) this.scrollToRow(k);
  }

  private drawRows(): void {
    const r = this.app.replay;
    if (r === null) return;
    const ix = r.ix;
    const s = this.scale();
    const { first, offset } = this.firstRow();
    const cursorRow = this.cursorRow();
    this.layer.style.transform = `translateY(${this.viewport.scrollTop + offset}px)`;
    const rows: HTMLElement[] = [];
    const end = Math.min(s.total, first + s.visible + 2);
    for (let k = first; k < end; k++) {
      const i = this.at(k);
      const ev = r.event(i);
      const code = ix.type[i]!;
      const p = ix.proc[i]!;
      const cls = ['log-row'];
      if (k === cursorRow) cls.push('cursor');
      if (i === this.app.selectedEvent) cls.push('selected');
      if (i > this.app.cursor) cls.push('future');
      if (code === T.violation) cls.push('violation');
      if (code === T.note) cls.push('note');
      let link: HTMLElement | null = null;
      const origin = ix.origin[i]!;
      const endIx = ix.end[i]!;
      if ((code === T.deliver || code === T.drop) && origin >= 0) {
        link = h('button', { class: 'rowlink', text: '⇠ send', title: `jump to the send (event ${fmtInt(origin + 1)})`, attrs: { type: 'button', 'data-jump': origin }, on: { click: (e) => { e.stopPropagation(); this.go(origin); } } });
      } else if ((code === T.send || code === T.dup) && endIx >= 0) {
        link = h('button', { class: 'rowlink', text: ix.type[endIx] === T.drop ? '⇢ drop' : '⇢ delivery', title: `jump to where it ended (event ${fmtInt(endIx + 1)})`, attrs: { type: 'button', 'data-jump': endIx }, on: { click: (e) => { e.stopPropagation(); this.go(endIx); } } });
      }
      const raw = r.rawLine(i);
      rows.push(h('div', {
        class: cls.join(' '),
        attrs: { role: 'listitem', 'data-index': i, title: raw.length > 2000 ? `${raw.slice(0, 2000)}…` : raw },
        on: { click: () => this.go(i) },
      },
      h('span', { class: 'c-ix', text: `#${fmtInt(i + 1)}` }),
      h('span', { class: 'c-t', text: (ix.t[i]! / 1e6).toFixed(6) }),
      h('span', { class: 'c-p', text: p >= 0 ? ix.procs[p]!.name : '—' }),
      h('span', { class: 'c-type', text: ev.type, style: { color: typeColor(ev.type), 'border-color': typeColor(ev.type) } }),
      h('span', { class: 'c-sum', text: summarize(ev) }),
      link));
    }
    this.layer.replaceChildren(...rows);
  }

  private go(i: number): void {
    this.app.pause();
    this.app.seek(i);
    this.app.selectEvent(i);
  }
}
