import { isRecord } from '../model/events.ts';
import { fmtDuration } from '../model/format.ts';
import { parseCutKey, type ProcState, type ReplayState } from '../model/state.ts';
import type { App, Aspect } from './app.ts';
import { messageColor, ROLE_COLOR, ROLE_LABEL, roleKind, STATUS_COLOR, type RoleKind } from './colors.ts';
import { fitCanvas, h, Tooltip } from './dom.ts';
import { roundRect } from './timeline.ts';
import { systemViz } from '../systems/index.ts';

// The topology: racks, hosts in them, processes on the hosts coloured by role and status, messages
// in flight moving between processes, and cut links drawn between hosts.

interface ProcBox {
  readonly p: number;
  x: number;
  y: number;
  r: number;
  /** Labels to the right of the circle (wide hosts) or below it (narrow ones). */
  side: boolean;
  /** Name and status on one line (short hosts). */
  compact: boolean;
}

interface HostBox {
  readonly h: number;
  x: number;
  y: number;
  w: number;
  hgt: number;
}

const MAX_DOTS = 400;

export function statusOf(ps: ProcState | undefined, cutOff: boolean): 'not started' | 'down' | 'paused' | 'cut off' | 'up' {
  if (ps === undefined || !ps.started) return 'not started';
  if (!ps.up) return 'down';
  if (ps.paused) return 'paused';
  if (cutOff) return 'cut off';
  return 'up';
}

/** The role a process shows now: its view's `role`, else its header role. */
export function roleOf(ps: ProcState | undefined, headerRole: string): string {
  const v = ps?.view;
  return isRecord(v) && typeof v['role'] === 'string' ? v['role'] : headerRole;
}

export class Topology {
  readonly el: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tooltip: Tooltip;
  private readonly srList: HTMLUListElement;
  private readonly legend: HTMLElement;
  private procs: ProcBox[] = [];
  private hosts: HostBox[] = [];
  private hover = -1;

  constructor(private readonly app: App) {
    this.canvas = h('canvas', { class: 'topo-canvas', attrs: { 'aria-hidden': 'true' } });
    this.srList = h('ul', { class: 'sr-only', attrs: { 'aria-label': 'Processes and their status', 'data-testid': 'process-status' } });
    this.legend = h('div', { class: 'legend' });
    const body = h('div', { class: 'panel-body topo-body' }, this.canvas, this.srList);
    this.el = h('section', { class: 'panel topo', attrs: { 'aria-label': 'Topology' } },
      h('header', { class: 'panel-head' }, h('h2', { text: 'Topology' }), h('span', { class: 'hint', text: 'racks › hosts › processes · dots are messages in flight · click a process to inspect it' })),
      body,
      this.legend,
    );
    this.tooltip = new Tooltip(body);
    this.canvas.addEventListener('pointermove', (e) => this.onMove(e));
    this.canvas.addEventListener('pointerleave', () => { this.hover = -1; this.tooltip.hide(); this.draw(); });
    this.canvas.addEventListener('click', () => {
      if (this.hover >= 0) {
        this.app.selectProc(this.hover);
        this.app.setTab('process');
      }
    });
    this.renderLegend();
    app.subscribe((c) => this.render(c));
  }

  private renderLegend(): void {
    const item = (color: string, label: string, cls = ''): HTMLElement =>
      h('span', { class: 'lg-item' }, h('span', { class: `lg-dot ${cls}`, style: { background: color } }), label);
    this.legend.replaceChildren(
      ...(['lead', 'follow', 'elect', 'client', 'other'] as RoleKind[]).map((k) => item(ROLE_COLOR[k], ROLE_LABEL[k])),
      item(STATUS_COLOR.down, 'down', 'down'),
      item('#ffffff', 'paused', 'paused'),
      item('#ffffff', 'cut off', 'cut'),
      h('span', { class: 'lg-item' }, h('span', { class: 'lg-line cut' }), 'cut link'),
    );
  }

  private render(changed: ReadonlySet<Aspect>): void {
    if (this.app.replay === null) return;
    if (changed.has('trace') || changed.has('layout')) this.layout();
    this.draw();
    if (changed.has('cursor') || changed.has('trace')) this.renderSr();
  }

  private cutHosts(st: ReplayState): Set<number> {
    const out = new Set<number>();
    for (const k of Object.keys(st.cuts)) {
      const [a, b] = parseCutKey(k);
      out.add(a);
      out.add(b);
    }
    return out;
  }

  private renderSr(): void {
    const ix = this.app.ix!;
    const st = this.app.state()!;
    const cut = this.cutHosts(st);
    this.srList.replaceChildren(...ix.procs.map((pi, p) => {
      const ps = st.procs[p];
      const status = statusOf(ps, cut.has(pi.host));
      return h('li', { text: `${pi.name}: ${status}, role ${roleOf(ps, pi.role)}`, attrs: { 'data-proc': pi.name, 'data-status': status, 'data-role': roleOf(ps, pi.role) } });
    }));
  }

  /** Racks side by side, hosts stacked in each rack, processes in a row inside their host. */
  private layout(): void {
    const ix = this.app.ix!;
    const rect = this.canvas.getBoundingClientRect();
    const W = Math.max(200, rect.width);
    const H = Math.max(150, rect.height);
    const racks = [...new Set(ix.hosts.map((x) => x.rack))].sort();
    const pad = 12;
    const rackW = (W - pad * (racks.length + 1)) / Math.max(1, racks.length);
    this.hosts = [];
    this.procs = [];
    const procsOn = new Map<number, number[]>();
    ix.procs.forEach((pi, p) => {
      let l = procsOn.get(pi.host);
      if (l === undefined) procsOn.set(pi.host, (l = []));
      l.push(p);
    });
    // First pass: host boxes; second: one circle size for every host (the smallest that fits).
    const perHost: { hb: HostBox; procs: number[] }[] = [];
    racks.forEach((rack, ri) => {
      const hostsIn = ix.hosts.map((_, i) => i).filter((i) => ix.hosts[i]!.rack === rack && (procsOn.get(i)?.length ?? 0) > 0);
      const x = pad + ri * (rackW + pad);
      const top = pad + 18;
      const avail = H - top - pad - 14; // the bottom line says what is cut and how much is in flight
      const gap = 8;
      // Hosts in a grid: the fewest columns that give each host at least MIN_HOST_H of height,
      // as long as a host stays at least MIN_HOST_W wide.
      const MIN_HOST_H = 52;
      const MIN_HOST_W = 130;
      const n = hostsIn.length;
      const innerW = rackW - 16;
      let cols = 1;
      const heightFor = (c: number): number => {
        const rows = Math.ceil(n / c);
        return (avail - gap * (rows - 1)) / Math.max(1, rows);
      };
      while (cols < n && heightFor(cols) < MIN_HOST_H && (innerW - gap * cols) / (cols + 1) >= MIN_HOST_W) cols++;
      const rows = Math.ceil(n / cols);
      const hostH = Math.min(104, heightFor(cols));
      const hostW = (innerW - gap * (cols - 1)) / cols;
      const totalH = rows * hostH + (rows - 1) * gap;
      const y0 = top + Math.max(0, (avail - totalH) / 2);
      hostsIn.forEach((hi, k) => {
        const col = k % cols;
        const row = Math.floor(k / cols);
        const hb: HostBox = { h: hi, x: x + 8 + col * (hostW + gap), y: y0 + row * (hostH + gap), w: hostW, hgt: hostH };
        this.hosts.push(hb);
        perHost.push({ hb, procs: procsOn.get(hi)! });
      });
    });
    // Wide hosts put the labels beside each circle; narrow ones below it.
    const SIDE_LABEL_PX = 96;
    let r = 17;
    let side = true;
    for (const { hb, procs } of perHost) if (hb.w / procs.length < 2 * 12 + SIDE_LABEL_PX) side = false;
    for (const { hb, procs } of perHost) {
      r = Math.min(r, side ? (hb.hgt - 8) / 2 : (hb.hgt - 50) / 2, side ? (hb.w / procs.length - SIDE_LABEL_PX) / 2 - 4 : (hb.w / procs.length) * 0.3);
    }
    r = Math.max(4, r);
    for (const { hb, procs } of perHost) {
      procs.forEach((p, j) => {
        const slot = hb.w / procs.length;
        if (side) this.procs.push({ p, x: hb.x + j * slot + 12 + r, y: hb.y + hb.hgt / 2, r, side, compact: hb.hgt < 46 });
        else this.procs.push({ p, x: hb.x + (j + 0.5) * slot, y: hb.y + 18 + r + Math.max(0, (hb.hgt - 50 - 2 * r) / 2), r, side, compact: false });
      });
    }
  }

  private onMove(e: PointerEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    let hit = -1;
    for (const b of this.procs) if ((b.x - x) ** 2 + (b.y - y) ** 2 <= (b.r + 4) ** 2) hit = b.p;
    if (hit !== this.hover) {
      this.hover = hit;
      this.draw();
    }
    this.canvas.style.cursor = hit >= 0 ? 'pointer' : 'default';
    if (hit < 0) {
      this.tooltip.hide();
      return;
    }
    const ix = this.app.ix!;
    const st = this.app.state()!;
    const pi = ix.procs[hit]!;
    const ps = st.procs[hit];
    const status = statusOf(ps, this.cutHosts(st).has(pi.host));
    this.tooltip.show(x, y, [
      pi.name,
      `${pi.system} · role ${roleOf(ps, pi.role)} · ${status}${ps?.downReason !== null && ps?.downReason !== undefined && !ps.up ? ` (${ps.downReason})` : ''}`,
      `host ${ix.hosts[pi.host]!.name} · rack ${ix.hosts[pi.host]!.rack}${ps !== undefined && ps.incarnation > 1 ? ` · incarnation ${ps.incarnation}` : ''}`,
      'click to inspect',
    ]);
  }

  private draw(): void {
    const app = this.app;
    const ix = app.ix;
    const st = app.state();
    if (ix === null || st === null) return;
    const { ctx, width, height } = fitCanvas(this.canvas);
    ctx.clearRect(0, 0, width, height);
    if (this.procs.length === 0 && ix.procs.length > 0) this.layout();
    const cutHosts = this.cutHosts(st);
    // racks
    const racks = new Map<string, { x0: number; y0: number; x1: number; y1: number }>();
    for (const hb of this.hosts) {
      const rack = ix.hosts[hb.h]!.rack;
      const r = racks.get(rack) ?? { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
      r.x0 = Math.min(r.x0, hb.x - 8);
      r.y0 = Math.min(r.y0, hb.y - 22);
      r.x1 = Math.max(r.x1, hb.x + hb.w + 8);
      r.y1 = Math.max(r.y1, hb.y + hb.hgt + 8);
      racks.set(rack, r);
    }
    ctx.font = '600 11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    for (const [rack, r] of racks) {
      ctx.fillStyle = '#f1f5f9';
      roundRect(ctx, r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0, 10);
      ctx.fill();
      ctx.fillStyle = '#64748b';
      ctx.fillText(`rack ${rack}`, r.x0 + 10, r.y0 + 6);
    }
    // cut links (directed pairs; a symmetric cut is drawn once)
    const hostCenter = new Map<number, [number, number]>();
    for (const hb of this.hosts) hostCenter.set(hb.h, [hb.x + hb.w / 2, hb.y + hb.hgt / 2]);
    const drawn = new Set<string>();
    ctx.strokeStyle = STATUS_COLOR.cut;
    ctx.globalAlpha = 0.55;
    ctx.lineWidth = 1.5;
    ctx.setLineDash([5, 4]);
    for (const k of Object.keys(st.cuts)) {
      const [a, b] = parseCutKey(k);
      const key = a < b ? `${a}-${b}` : `${b}-${a}`;
      if (drawn.has(key)) continue;
      drawn.add(key);
      const pa = hostCenter.get(a);
      const pb = hostCenter.get(b);
      if (pa === undefined || pb === undefined) continue;
      ctx.beginPath();
      ctx.moveTo(pa[0], pa[1]);
      ctx.lineTo(pb[0], pb[1]);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    // hosts
    for (const hb of this.hosts) {
      const powered = st.powered[hb.h] !== false;
      ctx.fillStyle = powered ? '#ffffff' : '#374151';
      ctx.strokeStyle = cutHosts.has(hb.h) ? STATUS_COLOR.cut : '#cbd5e1';
      ctx.lineWidth = cutHosts.has(hb.h) ? 1.5 : 1;
      roundRect(ctx, hb.x, hb.y, hb.w, hb.hgt, 7);
      ctx.fill();
      ctx.stroke();
      ctx.fillStyle = powered ? '#64748b' : '#f9fafb';
      ctx.font = '10px system-ui, sans-serif';
      // Host name: top left above the circles, or top right when the labels sit beside them.
      const sideLabels = this.procs.length > 0 && this.procs[0]!.side;
      ctx.textAlign = sideLabels ? 'right' : 'left';
      ctx.fillText(powered ? ix.hosts[hb.h]!.name : `${ix.hosts[hb.h]!.name} · power off`, sideLabels ? hb.x + hb.w - 7 : hb.x + 7, hb.y + 5);
    }
    // cut links over hosts get an ✕ at their middle
    ctx.fillStyle = STATUS_COLOR.cut;
    ctx.font = 'bold 12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (const key of drawn.size <= 6 ? drawn : []) {
      const [a, b] = key.split('-').map(Number) as [number, number];
      const pa = hostCenter.get(a);
      const pb = hostCenter.get(b);
      if (pa === undefined || pb === undefined) continue;
      ctx.fillText('✕', (pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2);
    }
    // messages in flight
    const pos = new Map<number, ProcBox>();
    for (const b of this.procs) pos.set(b.p, b);
    const r = app.replay!;
    const inflight = app.cursor >= 0 ? r.inflightAfter(app.cursor) : [];
    const now = app.timeUs;
    let drawnDots = 0;
    for (const s of inflight) {
      if (drawnDots >= MAX_DOTS) break;
      const from = pos.get(ix.proc[s]!);
      const to = pos.get(ix.peer[s]!);
      if (from === undefined || to === undefined) continue;
      const e = ix.end[s]!;
      const t0 = ix.t[s]!;
      const t1 = e >= 0 ? ix.t[e]! : r.endUs;
      const f = t1 > t0 ? Math.max(0, Math.min(1, (now - t0) / (t1 - t0))) : 0.5;
      const x = from.x + (to.x - from.x) * f;
      const y = from.y + (to.y - from.y) * f;
      const col = messageColor(ix.labels[ix.label[s]!] ?? '');
      ctx.strokeStyle = col;
      ctx.globalAlpha = 0.25;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(from.x, from.y);
      ctx.lineTo(x, y);
      ctx.stroke();
      ctx.globalAlpha = 1;
      ctx.fillStyle = col;
      ctx.beginPath();
      ctx.arc(x, y, 3.5, 0, Math.PI * 2);
      ctx.fill();
      drawnDots++;
    }
    // processes
    for (const b of this.procs) {
      const pi = ix.procs[b.p]!;
      const ps = st.procs[b.p];
      const status = statusOf(ps, cutHosts.has(pi.host));
      const role = roleOf(ps, pi.role);
      const down = status === 'down' || status === 'not started';
      ctx.fillStyle = down ? STATUS_COLOR.down : ROLE_COLOR[roleKind(role)];
      ctx.beginPath();
      ctx.arc(b.x, b.y, b.r, 0, Math.PI * 2);
      ctx.fill();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = down ? STATUS_COLOR.downStroke : 'rgba(15,23,42,0.35)';
      if (down) ctx.setLineDash([3, 2]);
      ctx.stroke();
      ctx.setLineDash([]);
      if (status === 'down') {
        ctx.strokeStyle = '#4b5563';
        ctx.lineWidth = 2;
        const k = b.r * 0.45;
        ctx.beginPath();
        ctx.moveTo(b.x - k, b.y - k); ctx.lineTo(b.x + k, b.y + k);
        ctx.moveTo(b.x + k, b.y - k); ctx.lineTo(b.x - k, b.y + k);
        ctx.stroke();
      }
      if (status === 'paused') {
        ctx.fillStyle = 'rgba(255,255,255,0.9)';
        const bw = Math.max(2, b.r * 0.22);
        ctx.fillRect(b.x - bw * 1.6, b.y - b.r * 0.45, bw, b.r * 0.9);
        ctx.fillRect(b.x + bw * 0.6, b.y - b.r * 0.45, bw, b.r * 0.9);
        ctx.strokeStyle = STATUS_COLOR.paused;
        ctx.lineWidth = 3;
        ctx.beginPath();
        ctx.arc(b.x, b.y, b.r + 3, 0, Math.PI * 2);
        ctx.stroke();
      }
      if (status === 'cut off') {
        ctx.strokeStyle = STATUS_COLOR.cut;
        ctx.lineWidth = 2;
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.arc(b.x, b.y, b.r + 4, 0, Math.PI * 2);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      if (b.p === app.selectedProc || b.p === this.hover) {
        ctx.strokeStyle = b.p === app.selectedProc ? '#0f172a' : '#475569';
        ctx.lineWidth = b.p === app.selectedProc ? 2.5 : 1.5;
        ctx.beginPath();
        ctx.arc(b.x, b.y, b.r + (status === 'cut off' || status === 'paused' ? 8 : 4), 0, Math.PI * 2);
        ctx.stroke();
      }
      const badge = systemViz(pi.system)?.badge?.(ps) ?? null;
      if (badge !== null) {
        const bx = b.x + b.r * 0.8;
        const by = b.y - b.r * 0.8;
        ctx.fillStyle = '#0f172a';
        ctx.beginPath();
        ctx.arc(bx, by, 7, 0, Math.PI * 2);
        ctx.fill();
        ctx.fillStyle = '#fff';
        ctx.font = 'bold 9px system-ui, sans-serif';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(badge, bx, by + 0.5);
      }
      // labels
      const sub = status === 'down' ? `down${ps?.downReason !== null && ps?.downReason !== undefined ? `: ${ps.downReason}` : ''}` : status === 'not started' ? 'not started' : status === 'up' ? role : `${role} · ${status}`;
      const lx = b.side ? b.x + b.r + 10 : b.x;
      const host = this.hosts.find((hb) => hb.h === pi.host);
      const maxW = host === undefined ? 200 : b.side ? host.x + host.w - lx - 6 : host.w / Math.max(1, this.procs.filter((o) => ix.procs[o.p]!.host === pi.host).length) - 6;
      const subColor = down ? '#6b7280' : status === 'cut off' ? STATUS_COLOR.cut : '#475569';
      ctx.textAlign = b.side ? 'left' : 'center';
      if (b.compact) {
        ctx.textBaseline = 'middle';
        ctx.fillStyle = '#0f172a';
        ctx.font = '600 12px system-ui, sans-serif';
        const name = fitText(ctx, pi.name, maxW);
        ctx.fillText(name, lx, b.y);
        const w = ctx.measureText(name).width;
        ctx.fillStyle = subColor;
        ctx.font = '11px system-ui, sans-serif';
        ctx.fillText(fitText(ctx, sub, maxW - w - 8), lx + w + 8, b.y);
      } else {
        const ly = b.side ? b.y - 13 : b.y + b.r + 4;
        ctx.textBaseline = 'top';
        ctx.fillStyle = '#0f172a';
        ctx.font = `600 ${b.side ? 12 : 11}px system-ui, sans-serif`;
        ctx.fillText(fitText(ctx, pi.name, maxW), lx, ly);
        ctx.fillStyle = subColor;
        ctx.font = '11px system-ui, sans-serif';
        ctx.fillText(fitText(ctx, sub, maxW), lx, ly + 15);
      }
    }
    // active network faults, in the fault script's words
    const cuts = app.ix!.bands.filter((b) => b.kind === 'cut' && b.from <= app.cursor && app.cursor < b.to);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    ctx.font = '600 10px system-ui, sans-serif';
    ctx.fillStyle = STATUS_COLOR.cut;
    cuts.slice(0, 3).forEach((b, k) => ctx.fillText(`✕ ${b.label}`, 8, height - 4 - 13 * (cuts.length > 3 ? 2 - k : Math.min(cuts.length, 3) - 1 - k)));
    // the count of messages in flight
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    ctx.fillStyle = '#64748b';
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillText(`${inflight.length} message${inflight.length === 1 ? '' : 's'} in flight${inflight.length > MAX_DOTS ? ` (${MAX_DOTS} drawn)` : ''}`, width - 8, height - 4);
    if (app.playing && cuts.length === 0) {
      ctx.textAlign = 'left';
      ctx.fillText(`animating at ${fmtDuration(now)}`, 8, height - 4);
    }
  }
}

/** The text, cut with an ellipsis to fit `maxW` pixels in the context's current font. */
function fitText(ctx: CanvasRenderingContext2D, text: string, maxW: number): string {
  if (maxW <= 0) return '';
  if (ctx.measureText(text).width <= maxW) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= maxW) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '' : `${text.slice(0, lo)}…`;
}
