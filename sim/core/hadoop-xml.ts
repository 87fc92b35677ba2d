import { UsageError } from './invariant.ts';

// A small XML reader for Hadoop's configuration files: *-site.xml and capacity-scheduler.xml
// (<configuration><property><name/><value/></property>...) and the Fair Scheduler's allocation
// file (an element tree with attributes). Shared by every Hadoop system in dsim (HDFS, YARN,
// MapReduce). It handles what those files contain: the XML declaration, comments, CDATA,
// elements with attributes, text and the five predefined entities; no DTDs or namespaces.
// Errors are UsageErrors naming the file and line.

export interface XmlElement {
  readonly name: string;
  readonly attrs: { readonly [name: string]: string };
  readonly children: readonly XmlElement[];
  /** The element's own text (children's text excluded), entities decoded, trimmed. */
  readonly text: string;
  readonly line: number;
}

const ENTITIES: { readonly [k: string]: string } = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string, source: string, line: number): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (_m, e: string | undefined) => {
    if (e === undefined) throw new UsageError(`${source}:${line}: bare '&' (write &amp;)`);
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw new UsageError(`${source}:${line}: unknown XML entity &${e};`);
    return v;
  });
}

interface Building {
  name: string;
  attrs: { [name: string]: string };
  children: XmlElement[];
  text: string;
  line: number;
}

/** Parses an XML document and returns its root element. */
export function parseXml(text: string, source: string): XmlElement {
  let i = 0;
  let line = 1;
  const stack: Building[] = [];
  let root: XmlElement | null = null;
  const advance = (to: number): void => {
    for (let k = i; k < to; k++) if (text.charCodeAt(k) === 10) line++;
    i = to;
  };
  const fail = (msg: string): never => {
    throw new UsageError(`${source}:${line}: ${msg}`);
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) {
      if (text.slice(i).trim() !== '' && stack.length === 0) fail('text outside the root element');
      if (stack.length > 0) stack[stack.length - 1]!.text += decode(text.slice(i), source, line);
      advance(text.length);
      break;
    }
    if (lt > i) {
      const chunk = text.slice(i, lt);
      if (stack.length > 0) stack[stack.length - 1]!.text += decode(chunk, source, line);
      else if (chunk.trim() !== '') fail('text outside the root element');
      advance(lt);
    }
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment');
      advance(end + 3);
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      if (end < 0) fail('unterminated CDATA section');
      if (stack.length === 0) fail('CDATA outside the root element');
      stack[stack.length - 1]!.text += text.slice(i + 9, end);
      advance(end + 3);
    } else if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end < 0) fail('unterminated processing instruction');
      advance(end + 2);
    } else if (text.startsWith('<!', i)) {
      const end = text.indexOf('>', i);
      if (end < 0) fail('unterminated declaration');
      advance(end + 1);
    } else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i);
      if (end < 0) fail('unterminated end tag');
      const name = text.slice(i + 2, end).trim();
      const open = stack.pop();
      if (open === undefined || open.name !== name) fail(`end tag </${name}> does not match ${open === undefined ? 'any open element' : `<${open.name}> (line ${open.line})`}`);
      const el: XmlElement = { name: open!.name, attrs: open!.attrs, children: open!.children, text: open!.text.trim(), line: open!.line };
      advance(end + 1);
      if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
      else if (root === null) root = el;
      else fail('more than one root element');
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(text.slice(i, i + 4096));
      if (m === null) fail('malformed start tag');
      const attrs: { [name: string]: string } = {};
      const re = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
      let a: RegExpExecArray | null;
      while ((a = re.exec(m![2]!)) !== null) attrs[a[1]!] = decode(a[2] ?? a[3] ?? '', source, line);
      const el: Building = { name: m![1]!, attrs, children: [], text: '', line };
      advance(i + m![0].length);
      if (m![3] === '/') {
        const done: XmlElement = { name: el.name, attrs, children: [], text: '', line: el.line };
        if (stack.length > 0) stack[stack.length - 1]!.children.push(done);
        else if (root === null) root = done;
        else fail('more than one root element');
      } else {
        if (stack.length === 0 && root !== null) fail('more than one root element');
        stack.push(el);
      }
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> (line ${stack[stack.length - 1]!.line}) is never closed`);
  if (root === null) fail('no root element');
  return root!;
}

/** One <property> of a Hadoop configuration file. */
export interface ConfProperty {
  readonly name: string;
  readonly value: string;
  readonly line: number;
}

/** What Configuration.loadResource accepts inside a <property>. */
const PROPERTY_CHILDREN = new Set(['name', 'value', 'description', 'final', 'source', 'tag']);

/**
 * Reads a Hadoop configuration file (core-site.xml, hdfs-site.xml, yarn-site.xml, mapred-site.xml,
 * capacity-scheduler.xml): `<configuration>` holding `<property>` elements, each with one `<name>`
 * and one `<value>` (`<description>`, `<final>`, `<source>`, `<tag>` accepted and ignored); names
 * and values trimmed, as Configuration does. The properties in file order. Anything else is a
 * UsageError naming the file and the line (the CLI prints it in one line and exits 2).
 */
export function readConfigurationProperties(text: string, source: string): ConfProperty[] {
  const root = parseXml(text, source);
  if (root.name !== 'configuration') throw new UsageError(`${source}:${root.line}: expected <configuration> as the root element, found <${root.name}>`);
  const out: ConfProperty[] = [];
  for (const p of root.children) {
    if (p.name !== 'property') throw new UsageError(`${source}:${p.line}: expected <property> in <configuration>, found <${p.name}>`);
    const seen = new Map<string, XmlElement>();
    for (const c of p.children) {
      if (!PROPERTY_CHILDREN.has(c.name)) throw new UsageError(`${source}:${c.line}: unexpected <${c.name}> in <property> (expected <name>, <value>, <description>, <final>)`);
      if (c.children.length > 0) throw new UsageError(`${source}:${c.children[0]!.line}: unexpected <${c.children[0]!.name}> inside <${c.name}>`);
      if (seen.has(c.name)) throw new UsageError(`${source}:${c.line}: duplicate <${c.name}> in <property>`);
      seen.set(c.name, c);
    }
    const name = seen.get('name');
    if (name === undefined || name.text === '') throw new UsageError(`${source}:${p.line}: <property> without a <name>`);
    const value = seen.get('value');
    if (value === undefined) throw new UsageError(`${source}:${p.line}: property '${name.text}' has no <value>`);
    out.push({ name: name.text, value: value.text, line: p.line });
  }
  return out;
}

/** readConfigurationProperties as name -> value: a later duplicate replaces an earlier one, as Configuration does. */
export function parseHadoopConfiguration(text: string, source: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of readConfigurationProperties(text, source)) out.set(p.name, p.value);
  return out;
}
