import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { traceToPerfetto, type ChromeEvent } from '../../sim/world/perfetto.ts';
import { UsageError } from '../../sim/core/invariant.ts';
import { dsim, expectOneLineError, FRAGILE, tempDir } from './helpers.ts';

// `dsim export --format perfetto`: trace lines become Chrome trace-event JSON with a track per
// simulated process and flow arrows for messages; malformed traces are refused line by line.

let dir = '';
let trace = '';
let traceText = '';

beforeAll(() => {
  dir = tempDir();
  trace = join(dir, 'fragile.jsonl');
  // A seed with crashes, pauses and partitions, and a violation from p1's restart.
  const faults = join(dir, 'f.faults');
  writeFileSync(faults, 'at 300ms pause p2 for 400ms\nat 1s crash p1 for 500ms\nat 2s partition h0 | h1,h2 for 1s\n');
  const r = dsim(['run', FRAGILE, '--seed', '5', '--faults', faults, '--trace', trace]);
  expect(r.code).toBe(1);
  traceText = readFileSync(trace, 'utf8');
});

function byPh(events: ChromeEvent[], ph: string): ChromeEvent[] {
  return events.filter((e) => e.ph === ph);
}

describe('dsim export --format perfetto', () => {
  it('writes valid Chrome trace JSON: tracks per process, flows per message, instants for faults', () => {
    const out = join(dir, 'out', 'fragile.perfetto.json');
    const r = dsim(['export', trace, '--format', 'perfetto', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*fragile\.perfetto\.json: [\d,]+ trace events/);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: ChromeEvent[]; metadata: Record<string, unknown> };
    const ev = doc.traceEvents;
    expect(doc.metadata).toMatchObject({ 'dsim-scenario': 'cli-fragile', 'dsim-seed': 5 });

    const threads = byPh(ev, 'M').filter((e) => e.name === 'thread_name').map((e) => String(e.args!['name']));
    expect(threads).toEqual(expect.arrayContaining(['p0 (peer)', 'p1 (peer)', 'p2 (peer)']));
    const procs = byPh(ev, 'M').filter((e) => e.name === 'process_name').map((e) => String(e.args!['name']));
    expect(procs).toEqual(expect.arrayContaining(['h0', 'h1', 'h2']));

    // Every flow end has a start with the same id and name, on another thread, no later in time.
    const starts = new Map(byPh(ev, 's').map((e) => [e.id, e]));
    const ends = byPh(ev, 'f');
    expect(ends.length).toBeGreaterThan(10);
    for (const f of ends) {
      const s = starts.get(f.id);
      expect(s).toBeDefined();
      expect(s!.name).toBe(f.name);
      expect(f.bp).toBe('e');
      expect(s!.ts!).toBeLessThanOrEqual(f.ts!);
      expect(s!.tid).not.toBe(f.tid);
    }
    // Each flow end sits on a handling slice of the receiver at the same time.
    const slices = byPh(ev, 'X');
    const sliceAt = new Set(slices.map((x) => `${x.tid}@${x.ts}`));
    for (const f of ends.slice(0, 50)) expect(sliceAt.has(`${f.tid}@${f.ts}`)).toBe(true);
    expect(slices.some((x) => x.name === 'Beat from p0')).toBe(true);
    expect(slices.some((x) => x.name.startsWith('start (incarnation 2)') && x.tid === 2)).toBe(true);
    expect(slices.some((x) => x.args !== undefined && ('view' in x.args || 'patch' in x.args))).toBe(true);

    const globals = byPh(ev, 'i').filter((e) => e.s === 'g').map((e) => e.name);
    expect(globals).toEqual(expect.arrayContaining([
      'crash p1 (nemesis)',
      expect.stringMatching(/^VIOLATION no-restart-of-p1: p1 restarted/),
      expect.stringMatching(/^partition: at 2s partition h0 \| h1,h2 for 1s/),
      expect.stringMatching(/^end \(trace hash [0-9a-f]{16}\)/),
    ]));
    const threadInstants = byPh(ev, 'i').filter((e) => e.s === 't').map((e) => e.name);
    expect(threadInstants).toEqual(expect.arrayContaining(['timer "beat"', 'heartbeat round', expect.stringMatching(/^pause: /), 'resume']));
  });

  it('slices of one thread never overlap (several handlers in one microsecond are laid end to end)', () => {
    const { traceEvents } = traceToPerfetto(traceText, 'fragile.jsonl');
    const byTid = new Map<number, ChromeEvent[]>();
    for (const x of byPh(traceEvents, 'X')) byTid.set(x.tid, [...(byTid.get(x.tid) ?? []), x]);
    for (const xs of byTid.values()) {
      xs.sort((a, b) => a.ts! - b.ts!);
      for (let i = 1; i < xs.length; i++) expect(xs[i]!.ts!).toBeGreaterThanOrEqual(xs[i - 1]!.ts! + xs[i - 1]!.dur!);
    }
  });

  it('the in-memory converter (for the visualizer) gives the same events as the CLI export', () => {
    const out = join(dir, 'again.json');
    expect(dsim(['export', trace, '-o', out]).code).toBe(0);
    const fromCli = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: ChromeEvent[] };
    expect(traceToPerfetto(traceText, trace).traceEvents).toEqual(fromCli.traceEvents);
  });
});

describe('malformed traces are refused with one line naming the line, exit 2', () => {
  const write = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const lines = (): string[] => traceText.split('\n');

  it('missing file', () => {
    expectOneLineError(dsim(['export', join(dir, 'nope.jsonl'), '-o', join(dir, 'x.json')]), /cannot read trace .*nope\.jsonl: no such file/);
  });

  it('not a dsim trace', () => {
    const f = write('other.jsonl', '{"hello":"world"}\n');
    expectOneLineError(dsim(['export', f, '-o', join(dir, 'x.json')]), /other\.jsonl:1: not a dsim trace/);
  });

  it('an unsupported version', () => {
    const header = JSON.parse(lines()[0]!) as Record<string, unknown>;
    const f = write('v99.jsonl', JSON.stringify({ ...header, version: 99 }) + '\n');
    expectOneLineError(dsim(['export', f, '-o', join(dir, 'x.json')]), /v99\.jsonl:1: unsupported trace version 99/);
  });

  it('a line that is not JSON', () => {
    const ls = lines();
    ls[5] = '{"seq":3,"t":';
    const f = write('broken.jsonl', ls.join('\n'));
    expectOneLineError(dsim(['export', f, '-o', join(dir, 'x.json')]), /broken\.jsonl:6: not valid JSON/);
  });

  it('an unknown event type', () => {
    const ls = lines();
    ls.splice(3, 0, '{"seq":1,"t":0,"type":"teleport","p":"p0"}');
    const f = write('unknown.jsonl', ls.join('\n'));
    expectOneLineError(dsim(['export', f, '-o', join(dir, 'x.json')]), /unknown\.jsonl:4: unknown event type 'teleport'/);
  });

  it('a truncated last line, and no output file is left behind', () => {
    const cut = traceText.slice(0, traceText.length - 40);
    const f = write('cut.jsonl', cut);
    const out = join(dir, 'cut.json');
    const n = cut.split('\n').length;
    expectOneLineError(dsim(['export', f, '-o', out]), new RegExp(`cut\\.jsonl:${n}: truncated last line`));
    expect(existsSync(out)).toBe(false);
  });

  it('an empty file', () => {
    const f = write('empty.jsonl', '');
    expectOneLineError(dsim(['export', f, '-o', join(dir, 'x.json')]), /empty\.jsonl: empty file/);
  });

  it('unknown format and missing -o', () => {
    expectOneLineError(dsim(['export', trace, '--format', 'perfeto', '-o', join(dir, 'x.json')]), /unknown format 'perfeto' \(did you mean 'perfetto'\?\)/);
    expectOneLineError(dsim(['export', trace, '--format', 'perfetto']), /missing -o FILE/);
  });

  it('the pure converter throws a UsageError naming the line', () => {
    expect(() => traceToPerfetto(lines()[0] + '\n{"seq":1,"t":5,"type":"send"', 'mem')).toThrowError(UsageError);
    expect(() => traceToPerfetto(lines()[0] + '\n{"seq":1,"t":5,"type":"send"', 'mem')).toThrowError(/^mem:2: truncated last line/);
    expect(() => traceToPerfetto(lines()[0] + '\n[1,2]\n', 'mem')).toThrowError(/^mem:2: an event line must be a JSON object/);
    expect(() => traceToPerfetto(lines()[0] + '\n{"seq":1,"t":9,"type":"note","p":"-","text":"a"}\n{"seq":2,"t":3,"type":"note","p":"-","text":"b"}\n', 'mem'))
      .toThrowError(/^mem:3: time goes backwards/);
  });
});
