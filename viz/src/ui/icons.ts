// Transport icons as inline SVG (fonts differ between machines; these do not).

const SVG_NS = 'http://www.w3.org/2000/svg';

const PATHS: { readonly [name: string]: string } = {
  start: 'M3 2h2v12H3zM14 2v12L6 8z',
  end: 'M11 2h2v12h-2zM2 2v12l8-6z',
  back: 'M12 2v12L4 8z',
  forward: 'M4 2v12l8-6z',
  stepBack: 'M3 2h2v12H3zM13 2v12L6 8z',
  stepForward: 'M11 2h2v12h-2zM3 2v12l7-6z',
  prevMarker: 'M8 2v12L1 8zM15 2v12L8 8z',
  nextMarker: 'M1 2v12l7-6zM8 2v12l7-6z',
  play: 'M4 2v12l10-6z',
  pause: 'M3 2h4v12H3zM9 2h4v12H9z',
};

export function icon(name: keyof typeof PATHS & string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', PATHS[name] ?? '');
  path.setAttribute('fill', 'currentColor');
  svg.appendChild(path);
  return svg;
}
