import { T } from '../model/events.ts';
import { fmtInt, fmtSecondsExact } from '../model/format.ts';
import type { App, Aspect } from './app.ts';
import { h } from './dom.ts';

// Narration: the trace's annotations (why something happened) and checker violations, in order.
// The latest one at or before the cursor is highlighted; later ones are dimmed until the replay
// reaches them.

/** Entries rendered around the current one (the list can be long in big traces). */
const WINDOW = 150;

export class Narration {
  readonly el: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly countEl: HTMLElement;
  private lastCurrent = -2;

  constructor(private readonly app: App) {
    this.list = h('ol', { class: 'narration-list', attrs: { 'data-testid': 'narration' } });
    this.countEl = h('span', { class: 'count' });
    this.el = h('section', { class: 'panel narration', attrs: { 'aria-label': 'Narration' } },
      h('header', { class: 'panel-head' }, h('h2', { text: 'Narration' }), h('span', { class: 'hint', text: 'why things happened, as the systems explain it' }), h('div', { class: 'spacer' }), this.countEl),
      h('div', { class: 'panel-body narration-body' }, this.list),
    );
    app.subscribe((c) => this.render(c));
  }

  private render(changed: ReadonlySet<Aspect>): void {
    const r = this.app.replay;
    if (r === null) return;
    const ix = r.ix;
    const items = ix.narration;
    // Position of the last entry at or before the cursor.
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid]! <= this.app.cursor) lo = mid + 1;
      else hi = mid;
    }
    const current = lo - 1;
    if (!changed.has('trace') && !changed.has('selection') && current === this.lastCurrent) return;
    this.lastCurrent = current;
    this.countEl.textContent = `${fmtInt(Math.max(0, current + 1))} of ${fmtInt(items.length)}`;
    if (items.length === 0) {
      this.list.replaceChildren(h('li', { class: 'muted empty', text: 'This trace has no annotations. Systems add them with ctx.annotate("why…"); checker violations appear here too.' }));
      return;
    }
    const from = Math.max(0, current - WINDOW);
    const to = Math.min(items.length, current + WINDOW);
    const rows: HTMLElement[] = [];
    if (from > 0) rows.push(h('li', { class: 'muted more', text: `… ${fmtInt(from)} earlier` }));
    for (let k = from; k < to; k++) {
      const i = items[k]!;
      const ev = r.event(i);
      const violation = ix.type[i] === T.violation;
      const p = ix.proc[i]!;
      const who = violation ? `violation · ${String(ev['checker'])}` : p >= 0 ? ix.procs[p]!.name : 'world';
      const text = violation ? String(ev['message'] ?? '') : String(ev['text'] ?? '');
      rows.push(h('li', {
        class: `nar${violation ? ' violation' : ''}${k === current ? ' current' : ''}${k > current ? ' future' : ''}${i === this.app.selectedEvent ? ' selected' : ''}`,
        attrs: { 'data-index': i, tabindex: 0 },
        on: {
          click: () => { this.app.pause(); this.app.seek(i); this.app.selectEvent(i); },
          keydown: (e) => { if ((e as KeyboardEvent).key === 'Enter') { this.app.pause(); this.app.seek(i); } },
        },
      },
      h('div', { class: 'nar-meta' }, h('span', { class: 'nar-who', text: who }), h('span', { class: 'nar-t', text: `t = ${fmtSecondsExact(ix.t[i]!)}` })),
      h('div', { class: 'nar-text', text })));
    }
    if (to < items.length) rows.push(h('li', { class: 'muted more', text: `… ${fmtInt(items.length - to)} later` }));
    this.list.replaceChildren(...rows);
    const cur = this.list.querySelector('.current');
    if (cur !== null) (cur as HTMLElement).scrollIntoView({ block: 'nearest' });
  }
}
