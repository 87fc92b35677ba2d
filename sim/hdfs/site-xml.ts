import { UsageError } from '../core/invariant.ts';

// A strict reader for Hadoop's *-site.xml files (hdfs-site.xml, core-site.xml): the one shape
// Configuration.loadResource accepts for properties,
//   <?xml ...?> <!-- comments --> <configuration> <property> <name>k</name> <value>v</value>
//   [<description>..</description>] [<final>true</final>] [<source>..</source>] </property> ... </configuration>
// Anything else is a UsageError naming the file and line. Entities: &lt; &gt; &amp; &quot; &apos; and
// numeric references. Values keep their text trimmed, as Configuration does for names and values.

export interface SiteProperty {
  readonly name: string;
  readonly value: string;
  readonly line: number;
}

type Token =
  | { kind: 'open'; name: string; line: number }
  | { kind: 'close'; name: string; line: number }
  | { kind: 'text'; text: string; line: number };

function decodeEntities(s: string, source: string, line: number): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);|&/g, (m, e: string | undefined) => {
    if (e === undefined) throw new UsageError(`${source}:${line}: bare '&' (write &amp;)`);
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    const v = named[e];
    if (v === undefined) throw new UsageError(`${source}:${line}: unknown entity '${m}'`);
    return v;
  });
}

function tokenize(text: string, source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  const advance = (to: number): void => {
    for (let k = i; k < to; k++) if (text.charCodeAt(k) === 10) line++;
    i = to;
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) {
      const rest = text.slice(i);
      if (rest.trim() !== '') throw new UsageError(`${source}:${line}: text after the end of the document`);
      break;
    }
    if (lt > i) {
      const t = text.slice(i, lt);
      out.push({ kind: 'text', text: t, line });
      advance(lt);
    }
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) throw new UsageError(`${source}:${line}: unterminated comment`);
      advance(end + 3);
      continue;
    }
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) throw new UsageError(`${source}:${line}: unterminated processing instruction`);
      advance(end + 2);
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) throw new UsageError(`${source}:${line}: unterminated CDATA section`);
      out.push({ kind: 'text', text: text.slice(i + 9, end).replace(/&/g, '&amp;').replace(/</g, '&lt;'), line });
      advance(end + 3);
      continue;
    }
    if (text.startsWith('<!', i)) throw new UsageError(`${source}:${line}: DOCTYPE and declarations are not supported`);
    const gt = text.indexOf('>', i);
    if (gt < 0) throw new UsageError(`${source}:${line}: unterminated tag`);
    const body = text.slice(i + 1, gt);
    const startLine = line;
    advance(gt + 1);
    const close = /^\/\s*([A-Za-z_][\w.-]*)\s*$/.exec(body);
    if (close !== null) {
      out.push({ kind: 'close', name: close[1]!, line: startLine });
      continue;
    }
    const open = /^([A-Za-z_][\w.-]*)(\s+[^>]*?)?\s*(\/)?$/.exec(body);
    if (open === null) throw new UsageError(`${source}:${startLine}: malformed tag '<${body}>'`);
    out.push({ kind: 'open', name: open[1]!, line: startLine });
    if (open[3] === '/') out.push({ kind: 'close', name: open[1]!, line: startLine });
  }
  return out;
}

const PROPERTY_CHILDREN = new Set(['name', 'value', 'description', 'final', 'source', 'tag']);

/** Parses a *-site.xml text into its properties, in file order. */
export function parseSiteXml(text: string, source: string): SiteProperty[] {
  const toks = tokenize(text, source);
  let p = 0;
  const skipSpace = (): void => {
    while (p < toks.length) {
      const t = toks[p]!;
      if (t.kind !== 'text' || t.text.trim() !== '') return;
      p++;
    }
  };
  const expectOpen = (name: string): Token => {
    skipSpace();
    const t = toks[p];
    if (t === undefined) throw new UsageError(`${source}: unexpected end of file, expected <${name}>`);
    if (t.kind !== 'open' || t.name !== name) throw new UsageError(`${source}:${t.line}: expected <${name}>, found ${describe(t)}`);
    p++;
    return t;
  };
  expectOpen('configuration');
  const props: SiteProperty[] = [];
  for (;;) {
    skipSpace();
    const t = toks[p];
    if (t === undefined) throw new UsageError(`${source}: unexpected end of file, expected </configuration>`);
    if (t.kind === 'close' && t.name === 'configuration') {
      p++;
      break;
    }
    const open = expectOpen('property');
    const fields = new Map<string, string>();
    for (;;) {
      skipSpace();
      const f = toks[p];
      if (f === undefined) throw new UsageError(`${source}: unexpected end of file inside <property> opened at line ${open.line}`);
      if (f.kind === 'close' && f.name === 'property') {
        p++;
        break;
      }
      if (f.kind !== 'open' || !PROPERTY_CHILDREN.has(f.name)) throw new UsageError(`${source}:${f.line}: unexpected ${describe(f)} in <property>`);
      p++;
      let value = '';
      while (p < toks.length && toks[p]!.kind === 'text') {
        const tt = toks[p] as { text: string; line: number };
        value += decodeEntities(tt.text, source, tt.line);
        p++;
      }
      const c = toks[p];
      if (c === undefined || c.kind !== 'close' || c.name !== f.name) {
        throw new UsageError(`${source}:${c?.line ?? f.line}: <${f.name}> opened at line ${f.line} is not closed by </${f.name}>`);
      }
      p++;
      if (fields.has(f.name)) throw new UsageError(`${source}:${f.line}: duplicate <${f.name}> in <property>`);
      fields.set(f.name, value.trim());
    }
    const name = fields.get('name');
    if (name === undefined || name === '') throw new UsageError(`${source}:${open.line}: <property> without a <name>`);
    const value = fields.get('value');
    if (value === undefined) throw new UsageError(`${source}:${open.line}: property '${name}' has no <value>`);
    props.push({ name, value, line: open.line });
  }
  skipSpace();
  if (p < toks.length) throw new UsageError(`${source}:${toks[p]!.line}: content after </configuration>`);
  return props;
}

function describe(t: Token): string {
  return t.kind === 'open' ? `<${t.name}>` : t.kind === 'close' ? `</${t.name}>` : `text '${t.text.trim().slice(0, 20)}'`;
}
