import { summarize } from '../model/events.ts';
import { T } from '../model/events.ts';
import { fmtDuration, fmtInt, fmtSecondsExact } from '../model/format.ts';
import type { App, Aspect } from './app.ts';
import { messageColor, typeColor } from './colors.ts';
import { fitCanvas, h, Tooltip } from './dom.ts';
import { niceStep } from './timeline.ts';
import { TRACE_EVENT_TYPES } from '../../../sim/world/trace.ts';

// The space-time (Lamport) diagram: a lane per process, an arrow per message from its send to its
// delivery (or a cross where it was dropped), bands where a process was down or paused and where
// the network was cut, all in a window centred on the cursor. Drawn on a canvas; the hovered item
// gets a DOM tooltip.

type Mode = 'order' | 'time';

const GUTTER = 104;
const MAX_EVENTS = 6000;

interface Hit {
  readonly i: number;
  readonly x: number;
  readonly y: number;
}

interface Seg {
  readonly s: number;
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export class SpaceTime {
  readonly el: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tooltip: Tooltip;
  private readonly windowLabel: HTMLElement;
  private readonly modeSel: HTMLSelectElement;
  private mode: Mode = 'order';
  /** Window width: events (order mode) or microseconds (time mode). */
  private windowEvents = 120;
  private windowUs = 0;
  private hits: Hit[] = [];
  private segs: Seg[] = [];
  private hoverEvent = -1;

  constructor(private readonly app: App) {
    this.canvas = h('canvas', { class: 'st-canvas', attrs: { 'aria-label': 'Space-time diagram of messages between processes', role: 'img' } });
    this.windowLabel = h('span', { class: 'st-window' });
    this.modeSel = h('select', { attrs: { 'aria-label': 'Horizontal axis' }, on: { change: () => { this.mode = this.modeSel.value as Mode; this.draw(); } } },
      h('option', { text: 'x = event order', attrs: { value: 'order' } }),
      h('option', { text: 'x = simulated time', attrs: { value: 'time' } }));
    const zoom = (f: number): void => {
      if (this.mode === 'order') this.windowEvents = Math.round(Math.max(10, Math.min(20_000, this.windowEvents * f)));
      else this.windowUs = Math.max(10, Math.min(1e12, this.windowUs * f));
      this.draw();
    };
    const body = h('div', { class: 'panel-body st-body' }, this.canvas);
    this.el = h('section', { class: 'panel spacetime', attrs: { 'aria-label': 'Space-time diagram' } },
      h('header', { class: 'panel-head' },
        h('h2', { text: 'Space-time' }),
        h('span', { class: 'hint', text: 'a lane per process · arrows are messages · click an event to go there' }),
        h('div', { class: 'spacer' }),
        this.modeSel,
        h('button', { class: 'tbtn small', text: '−', title: 'Zoom out (wider window)', attrs: { type: 'button', 'aria-label': 'Zoom out' }, on: { click: () => zoom(2) } }),
        this.windowLabel,
        h('button', { class: 'tbtn small', text: '+', title: 'Zoom in (narrower window)', attrs: { type: 'button', 'aria-label': 'Zoom in' }, on: { click: () => zoom(0.5) } }),
      ),
      body,
    );
    this.tooltip = new Tooltip(body);
    this.canvas.addEventListener('pointermove', (e) => this.onMove(e));
    this.canvas.addEventListener('pointerleave', () => { this.tooltip.hide(); this.hoverEvent = -1; this.draw(); });
    this.canvas.addEventListener('click', () => {
      if (this.hoverEvent >= 0) {
        this.app.pause();
        this.app.seek(this.hoverEvent);
        this.app.selectEvent(this.hoverEvent);
      }
    });
    this.canvas.addEventListener('wheel', (e) => {
      if (!e.ctrlKey && !e.metaKey && !e.altKey) return;
      e.preventDefault();
      zoom(e.deltaY > 0 ? 1.25 : 0.8);
    }, { passive: false });
    app.subscribe((c) => this.render(c));
  }

  private render(changed: ReadonlySet<Aspect>): void {
    const r = this.app.replay;
    if (r === null) return;
    if (changed.has('trace')) {
      const span = Math.max(1, r.endUs - r.startUs);
      // About 150 events across the window on average, at least 1 ms.
      this.windowUs = Math.max(1000, Math.min(span, (span * 150) / Math.max(1, r.count)));
    }
    this.draw();
  }

  private draw(): void {
    const app = this.app;
    const r = app.replay;
    if (r === null) return;
    const ix = r.ix;
    const { ctx, width, height } = fitCanvas(this.canvas);
    ctx.clearRect(0, 0, width, height);
    const plotW = Math.max(10, width - GUTTER - 10);
    const top = 8;
    const axisH = 18;
    const nLanes = Math.max(1, ix.procs.length);
    const laneH = Math.max(3, Math.min(34, (height - top - axisH) / nLanes));
    const laneY = (p: number): number => top + (p + 0.5) * laneH;
    const cursorT = app.timeUs;
    const c = Math.max(0, app.cursor);
    let ia: number;
    let ib: number;
    let x: (i: number) => number;
    let xt: (t: number) => number;
    if (this.mode === 'order') {
      const half = this.windowEvents / 2;
      const lo = c - half;
      ia = Math.max(0, Math.floor(lo));
      ib = Math.min(ix.count - 1, Math.ceil(c + half));
      x = (i: number): number => GUTTER + ((i - lo) / this.windowEvents) * plotW;
      // Time maps to the position of the first event at or after it.
      xt = (t: number): number => x(r.firstAtOrAfter(t));
      this.windowLabel.textContent = `${fmtInt(this.windowEvents)} events`;
    } else {
      const lo = cursorT - this.windowUs / 2;
      const hi = cursorT + this.windowUs / 2;
      ia = r.firstAtOrAfter(lo);
      ib = r.lastAtOrBefore(hi);
      xt = (t: number): number => GUTTER + ((t - lo) / this.windowUs) * plotW;
      x = (i: number): number => xt(ix.t[i]!);
      this.windowLabel.textContent = fmtDuration(this.windowUs);
    }
    const xOfIndex = (i: number): number => (i >= ix.count ? width + 10 : x(i));
    // lanes
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    ix.procs.forEach((pi, p) => {
      const y = laneY(p);
      if (p % 2 === 0) {
        ctx.fillStyle = '#f8fafc';
        ctx.fillRect(GUTTER, y - laneH / 2, plotW, laneH);
      }
      ctx.fillStyle = p === app.selectedProc ? '#0f172a' : '#334155';
      ctx.font = p === app.selectedProc ? '600 11px system-ui, sans-serif' : '11px system-ui, sans-serif';
      if (laneH >= 9) ctx.fillText(pi.name, GUTTER - 8, y);
      ctx.strokeStyle = '#e2e8f0';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(GUTTER, y + 0.5);
      ctx.lineTo(GUTTER + plotW, y + 0.5);
      ctx.stroke();
    });
    ctx.save();
    ctx.beginPath();
    ctx.rect(GUTTER, 0, plotW, height);
    ctx.clip();
    // bands
    for (const b of ix.bands) {
      if (b.to < ia || b.from > ib) continue;
      const x0 = Math.max(GUTTER - 2, xOfIndex(b.from));
      const x1 = Math.min(GUTTER + plotW + 2, b.to >= ix.count ? width + 10 : xOfIndex(b.to));
      if (b.kind === 'cut') {
        ctx.fillStyle = 'rgba(239, 68, 68, 0.08)';
        ctx.fillRect(x0, top, x1 - x0, nLanes * laneH);
        // The fault script's words at the top of the band, on a light backing so lanes stay readable.
        const label = `network cut: ${b.label}`;
        ctx.font = '600 10px system-ui, sans-serif';
        ctx.textAlign = 'left';
        ctx.textBaseline = 'top';
        const lx = Math.max(GUTTER + 4, x0 + 10);
        const lw = ctx.measureText(label).width;
        ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
        ctx.fillRect(lx - 3, top + 1, lw + 6, 13);
        ctx.fillStyle = '#b91c1c';
        ctx.fillText(label, lx, top + 2);
      } else {
        const y = laneY(b.proc);
        ctx.fillStyle = b.kind === 'down' ? 'rgba(100, 116, 139, 0.28)' : 'rgba(245, 158, 11, 0.28)';
        ctx.fillRect(x0, y - laneH * 0.32, x1 - x0, laneH * 0.64);
      }
    }
    // messages: in flight at the window's start, then every send in the window
    this.segs = [];
    const arrows: number[] = [];
    if (ia > 0) for (const s of r.inflightAfter(ia - 1)) arrows.push(s);
    const n = ib - ia + 1;
    const stride = n > MAX_EVENTS ? Math.ceil(n / MAX_EVENTS) : 1;
    for (let i = ia; i <= ib; i += 1) {
      const code = ix.type[i]!;
      if ((code === T.send || code === T.dup) && (stride === 1 || i % stride === 0)) arrows.push(i);
    }
    for (const s of arrows) {
      const from = ix.type[s] === T.dup ? ix.peer[s]! : ix.proc[s]!;
      const to = ix.type[s] === T.dup ? ix.proc[s]! : ix.peer[s]!;
      if (from < 0 || to < 0) continue;
      const e = ix.end[s]!;
      const x0 = xOfIndex(s);
      const y0 = laneY(from);
      const x1 = e >= 0 ? xOfIndex(e) : width + 20;
      const y1 = laneY(to);
      const dropped = e >= 0 && ix.type[e] === T.drop;
      const col = messageColor(ix.labels[ix.label[s]!] ?? '');
      const hot = this.hoverEvent === s || this.hoverEvent === e || app.selectedEvent === s || app.selectedEvent === e;
      ctx.strokeStyle = col;
      ctx.globalAlpha = hot ? 1 : 0.7;
      ctx.lineWidth = hot ? 2.2 : 1.1;
      if (e < 0) ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.stroke();
      ctx.setLineDash([]);
      if (e >= 0 && !dropped) arrowHead(ctx, x0, y0, x1, y1, col);
      if (dropped) {
        ctx.strokeStyle = '#dc2626';
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(x1 - 4, y1 - 4); ctx.lineTo(x1 + 4, y1 + 4);
        ctx.moveTo(x1 + 4, y1 - 4); ctx.lineTo(x1 - 4, y1 + 4);
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
      this.segs.push({ s, x0, y0, x1, y1 });
    }
    // events
    this.hits = [];
    for (let i = ia; i <= ib; i += stride) {
      const code = ix.type[i]!;
      const p = ix.proc[i]!;
      const xi = x(i);
      const type = TRACE_EVENT_TYPES[code]!;
      if (p < 0) {
        if (code === T.violation || code === T.partition || code === T.heal || code === T.phase || code === T.powerOff || code === T.powerOn || code === T.fault) {
          ctx.strokeStyle = typeColor(type);
          ctx.lineWidth = code === T.violation ? 2 : 1;
          if (code === T.phase) ctx.setLineDash([3, 3]);
          ctx.beginPath();
          ctx.moveTo(xi, top);
          ctx.lineTo(xi, top + nLanes * laneH);
          ctx.stroke();
          ctx.setLineDash([]);
          if (code === T.violation) {
            ctx.fillStyle = '#dc2626';
            ctx.font = 'bold 12px system-ui, sans-serif';
            ctx.textAlign = 'center';
            ctx.textBaseline = 'top';
            ctx.fillText('▲', xi, top);
          }
          this.hits.push({ i, x: xi, y: top + 6 });
        }
        continue;
      }
      const y = laneY(p);
      const rad = code === T.note || code === T.crash || code === T.start ? 4 : code === T.state ? 2 : 2.6;
      ctx.fillStyle = typeColor(type);
      if (code === T.note) {
        ctx.beginPath();
        ctx.moveTo(xi, y - rad - 1); ctx.lineTo(xi + rad + 1, y); ctx.lineTo(xi, y + rad + 1); ctx.lineTo(xi - rad - 1, y);
        ctx.closePath();
        ctx.fill();
      } else if (code === T.crash) {
        ctx.strokeStyle = typeColor(type);
        ctx.lineWidth = 2.2;
        ctx.beginPath();
        ctx.moveTo(xi - 5, y - 5); ctx.lineTo(xi + 5, y + 5);
        ctx.moveTo(xi + 5, y - 5); ctx.lineTo(xi - 5, y + 5);
        ctx.stroke();
      } else {
        ctx.beginPath();
        ctx.arc(xi, y, rad, 0, Math.PI * 2);
        ctx.fill();
      }
      if (i === app.selectedEvent || i === this.hoverEvent) {
        ctx.strokeStyle = '#0f172a';
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.arc(xi, y, 7, 0, Math.PI * 2);
        ctx.stroke();
      }
      this.hits.push({ i, x: xi, y });
    }
    // cursor
    const cx = this.mode === 'order' ? x(c) : xt(cursorT);
    ctx.strokeStyle = '#0f172a';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(cx, 0);
    ctx.lineTo(cx, top + nLanes * laneH);
    ctx.stroke();
    ctx.restore();
    // axis
    ctx.fillStyle = '#64748b';
    ctx.font = '10px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'center';
    const axisY = Math.min(height - axisH + 2, top + nLanes * laneH + 4);
    if (this.mode === 'time') {
      const step = niceStep(this.windowUs / Math.max(1, plotW / 110));
      const lo = cursorT - this.windowUs / 2;
      for (let t = Math.ceil(lo / step) * step; t <= lo + this.windowUs; t += step) {
        const xx = xt(t);
        if (xx < GUTTER || xx > GUTTER + plotW) continue;
        ctx.fillText(fmtDuration(t), xx, axisY);
      }
    } else {
      const step = Math.max(1, niceStep(this.windowEvents / Math.max(1, plotW / 120)));
      for (let i = Math.ceil(ia / step) * step; i <= ib; i += step) {
        const xx = x(i);
        ctx.fillText(`#${fmtInt(i + 1)} · ${fmtDuration(ix.t[i]!)}`, xx, axisY);
      }
    }
    if (stride > 1) {
      ctx.textAlign = 'right';
      ctx.fillStyle = '#b45309';
      ctx.fillText(`showing every ${stride}th event: zoom in for all`, width - 8, 2);
    }
  }

  private onMove(e: PointerEvent): void {
    const r = this.app.replay;
    if (r === null) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    let best = -1;
    let bestD = 7 * 7;
    for (const hi of this.hits) {
      const d = (hi.x - x) ** 2 + (hi.y - y) ** 2;
      if (d < bestD) { bestD = d; best = hi.i; }
    }
    if (best < 0) {
      let segD = 4 * 4;
      for (const s of this.segs) {
        const d = distToSegment2(x, y, s);
        if (d < segD) { segD = d; best = s.s; }
      }
    }
    if (best !== this.hoverEvent) {
      this.hoverEvent = best;
      this.draw();
    }
    this.canvas.style.cursor = best >= 0 ? 'pointer' : 'default';
    if (best < 0) {
      this.tooltip.hide();
      return;
    }
    const ix = r.ix;
    const ev = r.event(best);
    const p = ix.proc[best]!;
    const lines = [
      `${ev.type}${p >= 0 ? ` at ${ix.procs[p]!.name}` : ''}`,
      summarize(ev),
      `t = ${fmtSecondsExact(ix.t[best]!)} · event ${fmtInt(best + 1)}`,
    ];
    const e2 = ix.end[best]!;
    if ((ix.type[best] === T.send || ix.type[best] === T.dup) && e2 >= 0) lines.push(`${ix.type[e2] === T.drop ? 'dropped' : 'delivered'} after ${fmtDuration(ix.t[e2]! - ix.t[best]!)}`);
    this.tooltip.show(x, y, lines);
  }
}

function arrowHead(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number, col: string): void {
  const a = Math.atan2(y1 - y0, x1 - x0);
  const s = 6;
  ctx.fillStyle = col;
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - s * Math.cos(a - 0.4), y1 - s * Math.sin(a - 0.4));
  ctx.lineTo(x1 - s * Math.cos(a + 0.4), y1 - s * Math.sin(a + 0.4));
  ctx.closePath();
  ctx.fill();
}

function distToSegment2(px: number, py: number, s: Seg): number {
  const dx = s.x1 - s.x0;
  const dy = s.y1 - s.y0;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - s.x0) * dx + (py - s.y0) * dy) / len2));
  const x = s.x0 + t * dx;
  const y = s.y0 + t * dy;
  return (px - x) ** 2 + (py - y) ** 2;
}
