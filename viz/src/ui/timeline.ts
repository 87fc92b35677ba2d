import { fmtDuration, fmtInt, fmtSecondsExact, sliderText } from '../model/format.ts';
import type { Marker } from '../model/load.ts';
import { SPEEDS, type App, type Aspect } from './app.ts';
import { typeColor } from './colors.ts';
import { fitCanvas, h, Tooltip } from './dom.ts';
import { icon } from './icons.ts';

// The timeline: transport controls, the position readout, and the scrubber, an ARIA slider drawn
// on a canvas with the event density, network-fault bands and markers for faults and violations.

const MARKER_GLYPH: { readonly [k in Marker['kind']]: string } = {
  crash: '✕', restart: '↻', pause: '❚❚', resume: '▶', 'power-off': '⏻', 'power-on': '⏻', partition: '⚡', heal: '✓',
  fault: '!', violation: '▲', phase: '|',
};

export const MARKER_LEGEND: readonly [Marker['kind'], string][] = [
  ['crash', 'crash'], ['restart', 'restart'], ['pause', 'pause'], ['partition', 'partition'], ['heal', 'heal'],
  ['power-off', 'power'], ['fault', 'other fault'], ['violation', 'violation'],
];

export function markerColor(kind: Marker['kind']): string {
  return typeColor(kind === 'restart' ? 'start' : kind);
}

const PAD_X = 12;

export class Timeline {
  readonly el: HTMLElement;
  private readonly playBtn: HTMLButtonElement;
  private readonly speedSel: HTMLSelectElement;
  private readonly readout: HTMLElement;
  private readonly violBtn: HTMLButtonElement;
  private readonly slider: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tooltip: Tooltip;
  private density: { width: number; bins: Float32Array; max: number } | null = null;
  private dragging = false;

  constructor(private readonly app: App) {
    const btn = (label: string | SVGSVGElement, title: string, fn: () => void, cls = ''): HTMLButtonElement =>
      h('button', { class: `tbtn ${cls}`, title, attrs: { type: 'button', 'aria-label': title }, on: { click: fn } }, label);
    this.playBtn = btn(icon('play'), 'Play (Space)', () => app.toggle(), 'play');
    this.speedSel = h('select', { class: 'speed', attrs: { 'aria-label': 'Playback speed' }, on: { change: () => app.setSpeed(Number(this.speedSel.value)) } },
      ...SPEEDS.map((s, i) => h('option', { text: s.label, attrs: { value: i } })));
    this.readout = h('div', { class: 'readout', attrs: { 'aria-live': 'off' } });
    this.violBtn = btn('No violations', 'Jump to the first checker violation (V)', () => app.jumpToFirstViolation(), 'viol');
    this.canvas = h('canvas', { class: 'scrub-canvas' });
    this.slider = h('div', {
      class: 'scrubber',
      attrs: { role: 'slider', tabindex: 0, 'aria-label': 'Replay position', 'aria-valuemin': 0, 'aria-valuemax': 0, 'aria-valuenow': 0, 'aria-valuetext': '' },
    }, this.canvas);
    this.el = h('section', { class: 'timeline', attrs: { 'aria-label': 'Timeline' } },
      h('div', { class: 'controls' },
        btn(icon('start'), 'Go to the start (Home)', () => { app.pause(); app.seek(0); }),
        btn(icon('prevMarker'), 'Previous fault or violation (Shift+←)', () => this.jumpMarker(-1)),
        btn(icon('stepBack'), 'Step back one event (←)', () => app.step(-1), 'stepb'),
        this.playBtn,
        btn(icon('stepForward'), 'Step forward one event (→)', () => app.step(1), 'stepf'),
        btn(icon('nextMarker'), 'Next fault or violation (Shift+→)', () => this.jumpMarker(1)),
        btn(icon('end'), 'Go to the end (End)', () => { app.pause(); app.seek(app.count - 1); }),
        h('label', { class: 'speed-label' }, 'Speed ', this.speedSel),
        this.readout,
        h('div', { class: 'spacer' }),
        this.violBtn,
      ),
      this.slider,
    );
    this.tooltip = new Tooltip(this.el);
    this.slider.addEventListener('pointerdown', (e) => this.onPointer(e, true));
    this.slider.addEventListener('pointermove', (e) => this.onPointer(e, false));
    this.slider.addEventListener('pointerup', (e) => {
      this.dragging = false;
      this.slider.releasePointerCapture(e.pointerId);
    });
    this.slider.addEventListener('pointerleave', () => this.tooltip.hide());
    app.subscribe((c) => this.render(c));
  }

  jumpMarker(dir: 1 | -1): void {
    const r = this.app.replay;
    if (r === null) return;
    this.app.pause();
    const i = dir > 0 ? r.markerAfter(this.app.cursor) : r.markerBefore(this.app.cursor);
    if (i >= 0) this.app.seek(i);
  }

  private xToTime(x: number, width: number): number {
    const r = this.app.replay!;
    const frac = Math.max(0, Math.min(1, (x - PAD_X) / (width - 2 * PAD_X)));
    return r.startUs + frac * (r.endUs - r.startUs);
  }

  private timeToX(t: number, width: number): number {
    const r = this.app.replay!;
    const span = Math.max(1, r.endUs - r.startUs);
    return PAD_X + ((t - r.startUs) / span) * (width - 2 * PAD_X);
  }

  private onPointer(e: PointerEvent, down: boolean): void {
    const r = this.app.replay;
    if (r === null) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    if (down) {
      this.dragging = true;
      this.slider.setPointerCapture(e.pointerId);
      this.slider.focus();
      this.app.pause();
    }
    if (this.dragging) {
      this.app.seekTime(this.xToTime(x, rect.width));
      this.tooltip.hide();
      return;
    }
    // Hover: the nearest marker within a few pixels, else the time under the pointer.
    let best: Marker | null = null;
    let bestD = 6;
    for (const m of r.ix.markers) {
      const d = Math.abs(this.timeToX(r.ix.t[m.index]!, rect.width) - x);
      if (d < bestD) { bestD = d; best = m; }
    }
    const t = this.xToTime(x, rect.width);
    const lines = best !== null
      ? [best.label, `t = ${fmtSecondsExact(r.ix.t[best.index]!)} · event ${fmtInt(best.index + 1)}`, 'click to jump here']
      : [`t = ${fmtSecondsExact(t)}`, 'click or drag to seek'];
    this.tooltip.show(x, e.clientY - this.el.getBoundingClientRect().top, lines);
  }

  private render(changed: ReadonlySet<Aspect>): void {
    const r = this.app.replay;
    if (r === null) return;
    if (changed.has('trace') || changed.has('layout')) this.density = null;
    if (changed.has('play') || changed.has('trace')) {
      this.playBtn.replaceChildren(icon(this.app.playing ? 'pause' : 'play'));
      this.playBtn.title = this.app.playing ? 'Pause (Space)' : 'Play (Space)';
      this.playBtn.setAttribute('aria-label', this.playBtn.title);
      this.speedSel.value = String(this.app.speed);
    }
    if (changed.has('trace')) {
      const n = r.ix.violations.length;
      this.violBtn.disabled = n === 0;
      this.violBtn.textContent = n === 0 ? 'No violations' : `⚠ Jump to first violation${n > 1 ? ` (${fmtInt(n)})` : ''}`;
      this.violBtn.classList.toggle('has', n > 0);
      this.slider.setAttribute('aria-valuemin', '0');
      this.slider.setAttribute('aria-valuemax', String(Math.max(0, r.count - 1)));
    }
    const i = this.app.cursor;
    const tUs = i >= 0 ? r.ix.t[i]! : r.startUs;
    this.slider.setAttribute('aria-valuenow', String(Math.max(0, i)));
    this.slider.setAttribute('aria-valuetext', i >= 0 ? sliderText(tUs, i, r.count) : `t = start, before event 1 of ${fmtInt(r.count)}`);
    const st = this.app.state();
    this.readout.replaceChildren(
      h('span', { class: 'ro-time', text: `t = ${fmtSecondsExact(this.app.timeUs)}` }),
      h('span', { class: 'ro-sep', text: '·' }),
      h('span', { class: 'ro-event', text: i >= 0 ? `event ${fmtInt(i + 1)} of ${fmtInt(r.count)}` : `before event 1 of ${fmtInt(r.count)}` }),
      ...(i >= 0 ? [h('span', { class: 'ro-sep', text: '·' }), h('span', { class: 'ro-seq', text: `world step ${fmtInt(r.ix.seq[i]!)}` })] : []),
      ...(st !== null && st.phase !== '' ? [h('span', { class: 'ro-sep', text: '·' }), h('span', { class: `ro-phase ph-${st.phase}`, text: `${st.phase} phase` })] : []),
    );
    this.draw();
  }

  private draw(): void {
    const r = this.app.replay!;
    const ix = r.ix;
    const { ctx, width, height } = fitCanvas(this.canvas);
    ctx.clearRect(0, 0, width, height);
    const top = 18;
    const barH = height - top - 16;
    const inner = width - 2 * PAD_X;
    // density
    if (this.density === null || this.density.width !== Math.floor(inner)) {
      const w = Math.max(1, Math.floor(inner));
      const bins = new Float32Array(w);
      const span = Math.max(1, r.endUs - r.startUs);
      for (let k = 0; k < ix.count; k++) bins[Math.min(w - 1, Math.floor(((ix.t[k]! - r.startUs) / span) * w))]!++;
      let max = 1;
      for (const b of bins) if (b > max) max = b;
      this.density = { width: w, bins, max };
    }
    ctx.fillStyle = '#eef1f5';
    roundRect(ctx, PAD_X, top, inner, barH, 5);
    ctx.fill();
    // bands: network faults and processes down
    for (const b of ix.bands) {
      const x0 = this.timeToX(ix.t[b.from]!, width);
      const x1 = this.timeToX(b.to < ix.count ? ix.t[b.to]! : r.endUs, width);
      ctx.fillStyle = b.kind === 'cut' ? 'rgba(234, 88, 12, 0.16)' : b.kind === 'down' ? 'rgba(107, 114, 128, 0.16)' : 'rgba(217, 119, 6, 0.14)';
      const y = b.kind === 'cut' ? top : b.kind === 'down' ? top + barH - 6 : top + barH - 11;
      const hh = b.kind === 'cut' ? barH : 5;
      ctx.fillRect(x0, y, Math.max(2, x1 - x0), hh);
    }
    const d = this.density;
    const logMax = Math.log1p(d.max);
    ctx.fillStyle = '#94a3b8';
    for (let k = 0; k < d.width; k++) {
      const v = d.bins[k]!;
      if (v === 0) continue;
      const hh = Math.max(1, (Math.log1p(v) / logMax) * (barH - 14));
      ctx.fillRect(PAD_X + k, top + barH - 12 - hh, 1, hh);
    }
    // markers
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    let lastX = -100;
    for (const m of ix.markers) {
      if (m.kind === 'resume' || m.kind === 'power-on') continue;
      const x = this.timeToX(ix.t[m.index]!, width);
      const col = markerColor(m.kind);
      ctx.strokeStyle = col;
      ctx.lineWidth = m.kind === 'violation' ? 2 : 1;
      if (m.kind === 'phase') ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(x + 0.5, top);
      ctx.lineTo(x + 0.5, top + barH);
      ctx.stroke();
      ctx.setLineDash([]);
      if (m.kind !== 'phase' && (x - lastX > 9 || m.kind === 'violation')) {
        ctx.fillStyle = col;
        ctx.fillText(MARKER_GLYPH[m.kind], x, top - 5);
        lastX = x;
      }
    }
    // axis
    ctx.fillStyle = '#64748b';
    ctx.font = '10px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    const span = r.endUs - r.startUs;
    const stepUs = niceStep(span / Math.max(1, inner / 90));
    if (stepUs > 0) {
      for (let t = Math.ceil(r.startUs / stepUs) * stepUs; t <= r.endUs; t += stepUs) {
        const x = this.timeToX(t, width);
        ctx.fillRect(x, top + barH, 1, 3);
        ctx.fillText(fmtDuration(t), x, top + barH + 4);
      }
    }
    // cursor
    const cx = this.timeToX(this.app.timeUs, width);
    ctx.strokeStyle = '#0f172a';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(cx, top - 2);
    ctx.lineTo(cx, top + barH + 2);
    ctx.stroke();
    ctx.fillStyle = '#0f172a';
    ctx.beginPath();
    ctx.arc(cx, top + barH / 2, 6, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.arc(cx, top + barH / 2, 2.5, 0, Math.PI * 2);
    ctx.fill();
  }
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 0;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

export function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, hgt: number, rad: number): void {
  ctx.beginPath();
  ctx.moveTo(x + rad, y);
  ctx.arcTo(x + w, y, x + w, y + hgt, rad);
  ctx.arcTo(x + w, y + hgt, x, y + hgt, rad);
  ctx.arcTo(x, y + hgt, x, y, rad);
  ctx.arcTo(x, y, x + w, y, rad);
  ctx.closePath();
}
