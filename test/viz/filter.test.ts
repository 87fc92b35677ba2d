import { describe, expect, it } from 'vitest';
import { formatLink, parseLink } from '../../viz/src/model/deeplink.ts';
import { describePatch, summarize, type TraceLine } from '../../viz/src/model/events.ts';
import { filterEvents, positionIn, searchMask } from '../../viz/src/model/filter.ts';
import { fmtDuration, fmtInt, sliderText } from '../../viz/src/model/format.ts';
import { loadTrace } from '../../viz/src/model/load.ts';
import { Replay } from '../../viz/src/model/replay.ts';
import { kafkaStory } from './lib/synthetic-kafka.ts';

// Event log filters and search, deep links and the text the UI shows.

const story = kafkaStory('unclean');
const ix = loadTrace(new TextEncoder().encode(story.text));
const r = new Replay(ix);
const lines = story.text.split('\n').filter((l) => l !== '').slice(1);

describe('event log filters', () => {
  it('by process keeps exactly the lines of that process', () => {
    const got = filterEvents(ix, { procs: ['broker-2'], types: [], system: '', query: '' });
    const want = lines.flatMap((l, i) => ((JSON.parse(l) as { p?: string }).p === 'broker-2' ? [i] : []));
    expect([...got]).toEqual(want);
  });

  it('by type and system together', () => {
    const got = filterEvents(ix, { procs: [], types: ['note', 'violation'], system: 'kafka', query: '' });
    expect(got.length).toBeGreaterThan(0);
    for (const i of got) expect(['note']).toContain(r.event(i).type); // violations have no process, so no system
    const world = filterEvents(ix, { procs: [], types: ['violation'], system: 'world', query: '' });
    expect(world.length).toBe(1);
  });

  it('search is case-insensitive, matches raw line text, and agrees with a naive scan', () => {
    for (const q of ['ISR shrank', 'isr SHRANK', 'FetchRequest', 'unclean', '"leader":2', 'no such text']) {
      const mask = searchMask(ix, q);
      const want = lines.map((l) => (l.toLowerCase().includes(q.toLowerCase()) ? 1 : 0));
      expect([...mask], q).toEqual(want);
    }
  });

  it('positionIn finds where an event sits in a filtered list', () => {
    const list = Int32Array.from([3, 8, 20]);
    expect(positionIn(list, 0)).toBe(0);
    expect(positionIn(list, 8)).toBe(1);
    expect(positionIn(list, 9)).toBe(2);
    expect(positionIn(list, 99)).toBe(3);
  });
});

describe('deep links', () => {
  it('round-trip the trace, cursor, selection, tab and filters', () => {
    const state = {
      trace: '/trace.jsonl', cursor: 10233, selected: 'broker-2', event: 10200, tab: 'kafka',
      filter: { procs: ['broker-1', 'broker-2'], types: ['send', 'deliver'], system: 'kafka', query: 'ISR shrank' },
    };
    const link = formatLink(state);
    expect(link).toBe('?trace=%2Ftrace.jsonl&e=10233&sel=broker-2&ev=10200&tab=kafka&fp=broker-1%2Cbroker-2&ft=send%2Cdeliver&fs=kafka&q=ISR+shrank');
    expect(parseLink(link)).toEqual(state);
  });

  it('ignore malformed numbers', () => {
    expect(parseLink('?e=abc&ev=-3').cursor).toBeNull();
    expect(parseLink('?e=abc&ev=-3').event).toBeNull();
  });
});

describe('text', () => {
  it('formats the scrubber value text as the ARIA slider pattern asks', () => {
    expect(sliderText(12_345_000, 10_232, 250_000)).toBe('t = 12.345 s, event 10,233 of 250,000');
    expect(fmtInt(1_000_000)).toBe('1,000,000');
    expect(fmtDuration(850)).toBe('850 µs');
    expect(fmtDuration(12_500)).toBe('12.5 ms');
  });

  it('summarizes lines in words', () => {
    const send: TraceLine = { seq: 1, t: 0, type: 'send', p: 'a', to: 'b', id: 3, msg: { type: 'Fetch', offset: 5 }, bytes: 90, mode: 'stream' };
    expect(summarize(send)).toBe('→ b  Fetch {"offset":5}  (90 B)');
    expect(describePatch([[['role'], 'leader'], [['isr'], [1, 2]], [['gone']]])).toBe('role="leader", isr=[1,2], -gone');
    const v = ix.violations[0]!;
    expect(summarize(r.event(v))).toMatch(/^lost-acknowledged-writes: events-0 offsets/);
  });
});
