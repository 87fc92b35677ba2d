// DOM helpers. Trace content is only ever inserted as text (textContent, text nodes, attribute
// values): a trace is data from wherever the user got it, and must not become markup.

type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  text?: string;
  title?: string;
  attrs?: { [name: string]: string | number | boolean | null | undefined };
  on?: { [event: string]: (e: Event) => void };
  style?: { [prop: string]: string };
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props !== null) {
    if (props.class !== undefined) el.className = props.class;
    if (props.text !== undefined) el.textContent = props.text;
    if (props.title !== undefined) el.title = props.title;
    if (props.attrs !== undefined) {
      for (const [k, v] of Object.entries(props.attrs)) {
        if (v === null || v === undefined || v === false) continue;
        el.setAttribute(k, v === true ? '' : String(v));
      }
    }
    if (props.on !== undefined) for (const [k, fn] of Object.entries(props.on)) el.addEventListener(k, fn);
    if (props.style !== undefined) for (const [k, v] of Object.entries(props.style)) el.style.setProperty(k, v);
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces an element's children. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A canvas sized to its CSS box at the device pixel ratio; returns the 2D context scaled to CSS pixels. */
export function fitCanvas(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; width: number; height: number } {
  const dpr = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  const width = Math.max(1, Math.floor(rect.width));
  const height = Math.max(1, Math.floor(rect.height));
  if (canvas.width !== Math.floor(width * dpr) || canvas.height !== Math.floor(height * dpr)) {
    canvas.width = Math.floor(width * dpr);
    canvas.height = Math.floor(height * dpr);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, width, height };
}

/** A floating tooltip (one per view) positioned near the pointer. Text only. */
export class Tooltip {
  readonly el: HTMLDivElement;
  constructor(parent: HTMLElement) {
    this.el = h('div', { class: 'tooltip', attrs: { role: 'tooltip', hidden: true } });
    parent.appendChild(this.el);
  }
  show(x: number, y: number, lines: readonly string[]): void {
    this.el.replaceChildren();
    lines.forEach((l, i) => this.el.appendChild(h('div', { class: i === 0 ? 'tt-title' : 'tt-line', text: l })));
    this.el.hidden = false;
    const parent = this.el.parentElement!.getBoundingClientRect();
    const w = this.el.offsetWidth;
    const hgt = this.el.offsetHeight;
    const left = Math.min(Math.max(4, x + 14), parent.width - w - 4);
    const top = y + 16 + hgt > parent.height ? Math.max(4, y - hgt - 10) : y + 16;
    this.el.style.left = `${left}px`;
    this.el.style.top = `${top}px`;
  }
  hide(): void {
    this.el.hidden = true;
  }
}
