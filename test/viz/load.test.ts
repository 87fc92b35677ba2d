import { describe, expect, it } from 'vitest';
import { loadTrace, TraceFormatError } from '../../viz/src/model/load.ts';
import { kafkaStory } from './lib/synthetic-kafka.ts';
import { TraceWriter } from './lib/trace-writer.ts';

// Opening a trace: malformed files are rejected with a message that names the problem and the
// line, and good ones are indexed.

const enc = new TextEncoder();

function small(): string {
  const w = new TraceWriter('tiny', [{ name: 'h1', rack: '/r' }], [{ name: 'a', host: 'h1', system: 'kernel', role: 'x' }, { name: 'b', host: 'h1', system: 'kernel', role: 'x' }]);
  w.at(0);
  w.start('a');
  w.state('a', { role: 'x', n: 0 });
  w.at(10);
  const id = w.send('a', 'b', { type: 'Ping', n: 1 });
  w.at(20);
  w.deliver('b', 'a', id);
  w.end();
  return w.text();
}

function rejects(text: string | Uint8Array): TraceFormatError {
  try {
    loadTrace(typeof text === 'string' ? enc.encode(text) : text);
  } catch (e) {
    expect(e).toBeInstanceOf(TraceFormatError);
    return e as TraceFormatError;
  }
  throw new Error('the trace was accepted');
}

describe('malformed traces are rejected with the right message', () => {
  it('an empty file', () => {
    expect(rejects('').message).toBe('empty file: a dsim trace starts with a header line');
  });

  it('a file that is not JSON Lines at all', () => {
    const e = rejects('<html><body>404</body></html>\n');
    expect(e.message).toBe('not a dsim trace: line 1 is not JSON');
    expect(e.line).toBe(1);
  });

  it('JSON with the wrong format name', () => {
    const e = rejects('{"format":"chrome-trace","version":1}\n');
    expect(e.message).toBe('not a dsim trace: line 1 has format "chrome-trace" (expected "dsim-trace")');
  });

  it('a JSON header without a format', () => {
    expect(rejects('{"traceEvents":[]}\n').message).toBe('not a dsim trace: line 1 has no "format" field (expected "dsim-trace")');
  });

  it('a newer trace version', () => {
    const text = small().replace('"version":1', '"version":2');
    expect(rejects(text).message).toBe('unsupported trace version 2: this viewer reads version 1');
  });

  it('a truncated last line', () => {
    const text = small();
    const cut = text.slice(0, text.length - 15);
    const e = rejects(cut);
    const lines = cut.split('\n').length;
    expect(e.message).toBe(`truncated trace: the last line (line ${lines}) is incomplete; the run or the copy was cut off`);
    expect(e.line).toBe(lines);
  });

  it('an unknown event type names the line and the known types', () => {
    const lines = small().split('\n');
    lines[3] = '{"seq":2,"t":5,"type":"teleport","p":"a"}';
    const e = rejects(lines.join('\n'));
    expect(e.message).toMatch(/^line 4: unknown event type "teleport" \(known: send, deliver, drop, /);
    expect(e.line).toBe(4);
  });

  it('a broken line in the middle is not called truncated', () => {
    const lines = small().split('\n');
    lines[2] = '{"seq":1,"t":0,"type":"state",';
    expect(rejects(lines.join('\n')).message).toMatch(/^line 3 is not valid JSON: /);
  });

  it('a line without a time', () => {
    const lines = small().split('\n');
    lines[2] = '{"seq":1,"type":"note","p":"a","text":"hi"}';
    expect(rejects(lines.join('\n')).message).toBe('line 3: "note" line has no numeric "t" (simulated time in microseconds)');
  });

  it('time going backwards', () => {
    const lines = small().split('\n');
    lines.splice(4, 0, '{"seq":3,"t":1,"type":"note","p":"a","text":"late"}');
    expect(rejects(lines.join('\n')).message).toBe('line 5: time goes backwards (1 us after 10 us)');
  });
});

describe('well-formed traces', () => {
  it('index every line, link the delivery to the send, and read the end line', () => {
    const ix = loadTrace(enc.encode(small()));
    expect(ix.count).toBe(5);
    expect(ix.header.scenario).toBe('tiny');
    expect(ix.origin[3]).toBe(2);
    expect(ix.end[2]).toBe(3);
    expect(ix.labels[ix.label[2]!]).toBe('Ping');
    expect(ix.endInfo).toEqual({ traceHash: 'synthetic0000000', events: 3, simulatedMs: 0.02 });
    expect(ix.warnings).toEqual([]);
  });

  it('accept a last line without a newline, CRLF line endings and blank lines', () => {
    const text = small().trimEnd().replace(/\n/g, '\r\n').replace('\r\n', '\r\n\r\n');
    const ix = loadTrace(enc.encode(text));
    expect(ix.count).toBe(5);
  });

  it('warn, without failing, when the run did not finish or a process is missing from the header', () => {
    const lines = small().split('\n').filter((l) => l !== '' && !l.includes('"end"'));
    lines.push('{"seq":9,"t":30,"type":"note","p":"ghost","text":"who?"}');
    const ix = loadTrace(enc.encode(lines.join('\n') + '\n'));
    expect(ix.warnings.join('\n')).toMatch(/no "end" line/);
    expect(ix.warnings.join('\n')).toMatch(/processes missing from the header: ghost/);
    expect(ix.procs.map((p) => p.name)).toContain('ghost');
  });

  it('read non-ASCII text in notes', () => {
    const w = new TraceWriter('utf8', [{ name: 'h', rack: '/r' }], [{ name: 'a', host: 'h', system: 'kernel', role: 'x' }]);
    w.at(0);
    w.note('a', 'ISR shrank: broker-2 — last caught up 10.4 s ago ✓');
    w.at(1);
    w.note('a', 'second');
    const ix = loadTrace(enc.encode(w.text()));
    expect(ix.count).toBe(2);
    expect(ix.narration.length).toBe(2);
  });

  it('keyframes every N events hold the state before their index', () => {
    const ix = loadTrace(enc.encode(kafkaStory('failover').text), { keyframeEvery: 100 });
    expect(ix.keyframes[0]!.index).toBe(0);
    expect(ix.keyframes[1]!.index).toBe(100);
    expect(ix.keyframes[ix.keyframes.length - 1]!.index).toBe(ix.count);
    const last = ix.keyframes[ix.keyframes.length - 1]!.state;
    expect(last.procs.filter((p) => p.up).length).toBe(4);
  });
});

describe('the fast line scanner', () => {
  it('indexes a real trace exactly as full JSON parsing does', async () => {
    const { sampledRun } = await import('./lib/sample-run.ts');
    const pingpong = (await import('../../scenarios/kernel/pingpong.ts')).default;
    const run = sampledRun({ ...pingpong, faultPhaseMs: 300 }, { seed: 5, sampleTimesUs: [], faults: [{ atMs: 100, durationMs: 100, action: { kind: 'crash', target: 'p2' } }] });
    const bytes = enc.encode(run.text);
    const a = loadTrace(bytes);
    const b = loadTrace(bytes, { fastScan: false });
    for (const col of ['lineStart', 'lineEnd', 'lineNo', 't', 'seq', 'type', 'proc', 'peer', 'host', 'end', 'origin', 'label'] as const) {
      expect([...a[col]], col).toEqual([...b[col]]);
    }
    expect(a.labels).toEqual(b.labels);
    expect(a.keyframes.map((k) => [...k.inflight])).toEqual(b.keyframes.map((k) => [...k.inflight]));
  });

  it('falls back to a full parse for lines of another shape, and shows a broken line it let through', async () => {
    const { Replay } = await import('../../viz/src/model/replay.ts');
    const lines = small().split('\n');
    // A send whose message has its fields in another order, and a delivery with extra fields.
    lines[3] = '{"seq":2,"t":10,"type":"send","p":"a","to":"b","id":1,"msg":{"n":1,"type":"Ping"},"bytes":100,"mode":"stream"}';
    lines[4] = '{"seq":3,"t":20,"type":"deliver","p":"b","from":"a","id":1,"extra":true}';
    const ix = loadTrace(enc.encode(lines.join('\n')));
    expect(ix.labels[ix.label[2]!]).toBe('Ping');
    expect(ix.origin[3]).toBe(2);
    // A send missing its last brace still passes the scanner (it reads up to msg.type); showing it says so.
    lines[3] = '{"seq":2,"t":10,"type":"send","p":"a","to":"b","id":1,"msg":{"type":"Ping","n":1,"bytes":100}';
    lines[4] = '{"seq":3,"t":20,"type":"deliver","p":"b","from":"a","id":1}';
    const bad = loadTrace(enc.encode(lines.join('\n')));
    const ev = new Replay(bad).event(2);
    expect(String(ev['unreadable'])).toMatch(/^line 4 is not valid JSON/);
    expect(ev.type).toBe('send');
  });
});
