import { describe, expect, it } from 'vitest';
import { applyPatch, type PatchOp } from '../../sim/world/trace.ts';
import type { Json } from '../../sim/core/types.ts';
import { MS, SEC } from '../../sim/core/types.ts';
import pingpong from '../../scenarios/kernel/pingpong.ts';
import { Rng } from '../../sim/core/rng.ts';
import { T } from '../../viz/src/model/events.ts';
import { loadTrace, type TraceIndex } from '../../viz/src/model/load.ts';
import { Replay } from '../../viz/src/model/replay.ts';
import { kafkaStory } from './lib/synthetic-kafka.ts';
import { sampledRun } from './lib/sample-run.ts';
import { realScenarios } from './lib/scenarios.ts';
import { crashLabel } from '../../viz/src/model/timeline.ts';
import { TEST_SCALE } from '../golden/cases.ts';

// The replay engine against the simulator: at sampled moments of real runs, the state rebuilt from
// the trace equals what every process's inspect() returned at that moment; and seeking in any
// order gives the same states as a plain replay from the first line.

const enc = new TextEncoder();

function load(text: string, keyframeEvery?: number): TraceIndex {
  return loadTrace(enc.encode(text), keyframeEvery !== undefined ? { keyframeEvery } : {});
}

const pingpongFaults = [
  { atMs: 300, durationMs: 400, action: { kind: 'crash' as const, target: 'p1' } },
  { atMs: 500, durationMs: 300, action: { kind: 'partition' as const, groups: [['p0', 'p2'], ['p3', 'p4', 'p5', 'p6', 'p7']] } },
  { atMs: 600, durationMs: 200, action: { kind: 'pause' as const, target: 'p4' } },
  { atMs: 650, durationMs: 100, action: { kind: 'power-off' as const, target: 'h6' } },
];

const shortPingpong = { ...pingpong, faultPhaseMs: 1_000 };

function expectMatchesSamples(text: string, samples: ReturnType<typeof sampledRun>['samples'], keyframeEvery: number): void {
  const ix = load(text, keyframeEvery);
  const r = new Replay(ix);
  expect(samples.length).toBeGreaterThan(0);
  for (const s of samples) {
    // s.lines counts the header: events 0..s.lines-2 had been written.
    const st = r.stateAfter(s.lines - 2);
    s.views.forEach((view, p) => {
      expect(st.procs[p]!.view, `${ix.procs[p]!.name} at t=${s.tUs} us`).toEqual(view);
      expect(st.procs[p]!.up, `${ix.procs[p]!.name} up at t=${s.tUs} us`).toBe(s.up[p]);
      expect(st.procs[p]!.paused, `${ix.procs[p]!.name} paused at t=${s.tUs} us`).toBe(s.paused[p]);
    });
  }
}

describe('replay engine reconstructs inspect() views', () => {
  it('kernel-pingpong with a crash, a partition, a pause and a power loss: every sampled view matches', () => {
    const times: number[] = [];
    for (let t = 0; t <= 1_000 * MS; t += 37 * MS) times.push(t);
    const run = sampledRun(shortPingpong, { seed: 7, sampleTimesUs: times, faults: pingpongFaults });
    expectMatchesSamples(run.text, run.samples, 256);
  });

  const real = realScenarios();
  it.runIf(real.length === 0)("no other real scenarios are present yet", () => expect(real).toEqual([]));
  for (const sc of real) {
    it(`${sc.name}: views match at 12 sampled moments`, () => {
      const cfgEnd = typeof sc.faultPhaseMs === 'number' && typeof sc.quiesceMs === 'number' ? (sc.faultPhaseMs + sc.quiesceMs) * MS : 20 * SEC;
      const times = Array.from({ length: 12 }, (_, k) => Math.round(((k + 1) * cfgEnd) / 13));
      // At the test suite's size (TEST_SCALE): a 10,000-host benchmark's trace does not fit a worker.
      const run = sampledRun(sc, { seed: 3, sampleTimesUs: times, overrides: TEST_SCALE[sc.name] ?? {} });
      expectMatchesSamples(run.text, run.samples, 512);
    });
  }
});

/** An independent reference: fold every line in order with plain mutation (no keyframes, no immer). */
function referenceViews(text: string): { views: Json[]; up: boolean[]; paused: boolean[] }[] {
  const lines = text.split('\n').filter((l) => l !== '');
  const header = JSON.parse(lines[0]!) as { processes: { name: string }[] };
  const idx = new Map(header.processes.map((p, i) => [p.name, i]));
  const views: Json[] = header.processes.map(() => null);
  const up = header.processes.map(() => false);
  const paused = header.processes.map(() => false);
  const out: { views: Json[]; up: boolean[]; paused: boolean[] }[] = [];
  for (const line of lines.slice(1)) {
    const ev = JSON.parse(line) as { type: string; p?: string; view?: Json; patch?: PatchOp[] };
    const p = ev.p !== undefined ? idx.get(ev.p) : undefined;
    if (p !== undefined) {
      if (ev.type === 'state') views[p] = ev.view !== undefined ? ev.view : applyPatch(structuredClone(views[p]!), ev.patch!);
      if (ev.type === 'start') { up[p] = true; paused[p] = false; views[p] = null; }
      if (ev.type === 'crash') { up[p] = false; paused[p] = false; views[p] = null; }
      if (ev.type === 'pause') paused[p] = true;
      if (ev.type === 'resume') paused[p] = false;
    }
    out.push({ views: views.slice(), up: up.slice(), paused: paused.slice() });
  }
  return out;
}

describe('seeking', () => {
  const run = sampledRun(shortPingpong, { seed: 11, sampleTimesUs: [], faults: pingpongFaults });
  const story = kafkaStory('unclean');

  for (const [name, text] of [['kernel-pingpong', run.text], ['synthetic Kafka unclean election', story.text]] as const) {
    it(`${name}: random seeks, steps back and steps forward give the states of a replay from the start`, () => {
      const ref = referenceViews(text);
      const ix = load(text, 64);
      const r = new Replay(ix);
      expect(ix.count).toBe(ref.length);
      const rng = new Rng(5);
      const check = (i: number): void => {
        const st = r.stateAfter(i);
        const want = ref[i]!;
        for (let p = 0; p < want.views.length; p++) {
          expect(st.procs[p]!.view, `event ${i}, process ${p}`).toEqual(want.views[p]);
          expect(st.procs[p]!.up).toBe(want.up[p]);
          expect(st.procs[p]!.paused).toBe(want.paused[p]);
        }
      };
      for (let k = 0; k < 150; k++) {
        const i = rng.int(0, ix.count - 1);
        check(i);
        if (i + 1 < ix.count) check(i + 1); // step forward
        if (i > 0) check(i - 1); // step back
      }
      check(0);
      check(ix.count - 1);
      expect(r.stats.fromKeyframe).toBeGreaterThan(0);
      expect(r.stats.forward).toBeGreaterThan(0);
    });
  }

  it('a seek applies at most one keyframe interval of lines', () => {
    const ix = load(run.text, 128);
    const r = new Replay(ix);
    for (const i of [5000, 100, ix.count - 1, 77_777 % ix.count]) {
      const before = r.stats.applied;
      r.stateAfter(i);
      expect(r.stats.applied - before).toBeLessThanOrEqual(128);
    }
  });

  it('state before the first event is every process not yet started', () => {
    const r = new Replay(load(run.text));
    const st = r.stateAfter(-1);
    expect(st.procs.every((p) => !p.started && !p.up && p.view === null)).toBe(true);
  });
});

describe('messages in flight', () => {
  it('match a brute-force scan of sends and their deliveries or drops at every sampled event', () => {
    const run = sampledRun(shortPingpong, { seed: 3, sampleTimesUs: [], faults: pingpongFaults });
    const ix = load(run.text, 100);
    const r = new Replay(ix);
    // Brute force from the raw lines: ids sent and not yet ended.
    const lines = run.lines.slice(1).map((l) => JSON.parse(l) as { type: string; id?: number; dupOf?: number });
    const open = new Map<number, number>();
    const rng = new Rng(9);
    const probes = new Set(Array.from({ length: 60 }, () => rng.int(0, ix.count - 1)));
    lines.forEach((ev, i) => {
      if ((ev.type === 'send' || ev.type === 'dup') && ev.id !== undefined) open.set(ev.id, i);
      if ((ev.type === 'deliver' || ev.type === 'drop') && ev.id !== undefined) open.delete(ev.id);
      if (probes.has(i)) expect(r.inflightAfter(i).sort((a, b) => a - b)).toEqual([...open.values()].sort((a, b) => a - b));
    });
  });

  it('links every delivery to its send and back', () => {
    const run = sampledRun(shortPingpong, { seed: 4, sampleTimesUs: [] });
    const ix = load(run.text);
    const r = new Replay(ix);
    let checked = 0;
    for (let i = 0; i < ix.count && checked < 500; i++) {
      if (ix.type[i] !== T.deliver) continue;
      const s = ix.origin[i]!;
      expect(ix.type[s]).toBe(T.send);
      expect(ix.end[s]).toBe(i);
      expect(r.event(s)['id']).toBe(r.event(i)['id']);
      expect(ix.peer[i]).toBe(ix.proc[s]);
      checked++;
    }
    expect(checked).toBe(500);
  });
});

describe('fault bands and markers', () => {
  it('record the crash, the pause and the partition of the fault script with their ends', () => {
    const run = sampledRun(shortPingpong, { seed: 3, sampleTimesUs: [], faults: pingpongFaults });
    const ix = load(run.text);
    const p1 = ix.procByName.get('p1')!;
    const down = ix.bands.find((b) => b.kind === 'down' && b.proc === p1)!;
    expect(ix.t[down.from]).toBe(300 * MS);
    expect(ix.t[down.to]).toBe(700 * MS);
    const cut = ix.bands.find((b) => b.kind === 'cut')!;
    expect(ix.t[cut.from]).toBe(500 * MS);
    expect(ix.t[cut.to]).toBe(800 * MS);
    const paused = ix.bands.find((b) => b.kind === 'paused')!;
    expect(ix.t[paused.from]).toBe(600 * MS);
    expect(ix.markers.map((m) => m.kind)).toEqual(expect.arrayContaining(['crash', 'restart', 'partition', 'heal', 'pause', 'resume', 'power-off', 'power-on']));
  });

  it('name a deliberate stop, an exit (an orderly shutdown ends with one) and a crash apart', () => {
    expect(crashLabel('broker-1', 'stopped')).toBe('broker-1 stopped');
    expect(crashLabel('broker-1', 'exit: shutdown complete')).toBe('broker-1 exited (shutdown complete)');
    expect(crashLabel('broker-1', 'nemesis')).toBe('broker-1 crashed (nemesis)');
  });
});
