// Number formats of Hadoop's command-line reports, so dsim's summaries read like the real tools'.

const PREFIXES = ['K', 'M', 'G', 'T', 'P', 'E'];

/**
 * StringUtils.byteDesc (TraditionalBinaryPrefix.long2String(n, "B", 2)): below 1 KiB the plain
 * count, else the largest binary prefix not above n, exact as an integer ("50 MB", "1 TB"),
 * otherwise with two decimals ("91.54 GB").
 */
export function byteDesc(n: number): string {
  const neg = n < 0;
  const a = Math.abs(n);
  if (a < 1024) return `${neg ? '-' : ''}${a} B`;
  let i = 0;
  while (i + 1 < PREFIXES.length && a >= 2 ** (10 * (i + 2))) i++;
  const unit = 2 ** (10 * (i + 1));
  const text = a % unit === 0 ? String(a / unit) : (a / unit).toFixed(2);
  return `${neg ? '-' : ''}${text} ${PREFIXES[i]}B`;
}

/** `<n> (<byteDesc>)`, as dfsadmin prints every size. */
export function sizeLine(n: number): string {
  return `${n} (${byteDesc(n)})`;
}

/** StringUtils.formatPercent(fraction, 2): "0.00%", "NaN%" for 0/0 as Java prints it. */
export function formatPercent(fraction: number): string {
  if (Number.isNaN(fraction)) return 'NaN%';
  return `${(fraction * 100).toFixed(2)}%`;
}

/**
 * Java's Float.toString of a float expression (fsck's percentages and average replication):
 * the shortest decimal that reads back as the same float, with at least one decimal ("100.0",
 * "33.333332", "2.6666667").
 */
export function javaFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const f = Math.fround(x);
  let text = String(f);
  for (let p = 1; p <= 9; p++) {
    const t = Number(f.toPrecision(p));
    if (Math.fround(t) === f) { text = String(t); break; }
  }
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/** Simulated time as the reports print a date: seconds since the run began. */
export function simTime(ms: number): string {
  return `t=${(ms / 1000).toFixed(3)} s (simulated)`;
}
