// Number and time formatting shared by the views. Locale-independent on purpose: screenshots and
// tests must not depend on the browser's language.

/** 1234567 -> "1,234,567". */
export function fmtInt(n: number): string {
  const neg = n < 0;
  const s = String(Math.trunc(Math.abs(n)));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return neg ? `-${out}` : out;
}

/** Seconds with millisecond precision: 12345678 us -> "12.346 s". */
export function fmtSeconds(us: number): string {
  return `${(us / 1e6).toFixed(3)} s`;
}

/** Full precision for the readout: 12345678 us -> "12.345678 s". */
export function fmtSecondsExact(us: number): string {
  return `${(us / 1e6).toFixed(6)} s`;
}

/** A duration in the most readable unit: 850 -> "850 µs", 12500 -> "12.5 ms", 2.5e6 -> "2.5 s". */
export function fmtDuration(us: number): string {
  const a = Math.abs(us);
  if (a < 1000) return `${round3(us)} µs`;
  if (a < 1e6) return `${round3(us / 1000)} ms`;
  if (a < 120e6) return `${round3(us / 1e6)} s`;
  return `${round3(us / 60e6)} min`;
}

function round3(x: number): string {
  return String(Number(x.toFixed(x >= 100 || x <= -100 ? 1 : 3)));
}

/** The scrubber's aria-valuetext: "t = 12.345 s, event 10,233 of 250,000". */
export function sliderText(tUs: number, index: number, count: number): string {
  return `t = ${fmtSeconds(tUs)}, event ${fmtInt(index + 1)} of ${fmtInt(count)}`;
}

/** A stable hue for a string (message types, epochs): FNV-1a folded onto the colour wheel. */
export function hueOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 360;
}
