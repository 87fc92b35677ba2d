import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/core/rng.ts';
import { Hash64 } from '../../sim/core/hash.ts';
import { formatScript } from '../../sim/harness/faults.ts';
import { generateFaults, type NemesisOptions } from '../../sim/harness/nemesis.ts';
import { runScenario, type RunBranch } from '../../sim/harness/run.ts';
import type { Scenario } from '../../sim/harness/scenario.ts';
import type { TraceSink } from '../../sim/world/trace.ts';
import pbCrash from '../../scenarios/kernel/pb-crash.ts';
import zkRandomFaults from '../../scenarios/zookeeper/zk-random-faults.ts';

// The multiverse (dsim fork): a branch replays the run exactly up to its fork time, then draws
// from its own random streams.

describe('Rng.branch', () => {
  it('leaves what was drawn, re-keys every stream of the lineage and later forks', () => {
    const draw = (r: Rng, n: number) => Array.from({ length: n }, () => r.float());
    const plain = new Rng(7);
    const plainNet = plain.fork('net');
    const a = new Rng(7);
    const aNet = a.fork('net');
    expect(draw(aNet, 5)).toEqual(draw(plainNet, 5));
    a.branch('b1');
    const afterPlain = draw(plainNet, 5);
    const afterA = draw(aNet, 5);
    expect(afterA).not.toEqual(afterPlain);
    expect(a.fork('late').float()).not.toBe(plain.fork('late').float());
    // Same tag, same numbers: a branch is as deterministic as the run.
    const b = new Rng(7);
    const bNet = b.fork('net');
    draw(bNet, 5);
    b.branch('b1');
    expect(draw(bNet, 5)).toEqual(afterA);
    const c = new Rng(7);
    const cNet = c.fork('net');
    draw(cNet, 5);
    c.branch('b2');
    expect(draw(cNet, 5)).not.toEqual(afterA);
  });
});

describe('nemesis branch', () => {
  const opts: NemesisOptions = {
    kinds: ['crash', 'pause', 'partition'], processes: ['a', 'b', 'c'], hosts: ['a', 'b', 'c'],
    meanIntervalMs: 2000, durationMsMin: 500, durationMsMax: 8000, maxDown: 1, swarm: true,
  };
  const gen = (seed: number, branch?: { atMs: number; tag: string }) => generateFaults(new Rng(seed).fork('nemesis'), opts, 60_000, branch).faults;

  it('keeps every fault up to the fork time, draws the rest from the branch', () => {
    for (const seed of [1, 2, 3]) {
      const plain = gen(seed);
      const b1 = gen(seed, { atMs: 20_000, tag: 'b1' });
      const b2 = gen(seed, { atMs: 20_000, tag: 'b2' });
      const upTo = (fs: typeof plain) => fs.filter((f) => f.atMs <= 20_000);
      expect(upTo(b1)).toEqual(upTo(plain));
      expect(upTo(b2)).toEqual(upTo(plain));
      expect(formatScript(b1.filter((f) => f.atMs > 20_000))).not.toBe(formatScript(b2.filter((f) => f.atMs > 20_000)));
      expect(gen(seed, { atMs: 20_000, tag: 'b1' })).toEqual(b1);
      // Forked after the fault phase: the schedule is the plain one.
      expect(gen(seed, { atMs: 60_000, tag: 'b1' })).toEqual(plain);
    }
  });
});

/** Keeps the trace lines up to the fork time; hashes the rest. */
class SplitSink implements TraceSink {
  readonly before: string[] = [];
  readonly after = new Hash64();
  afterLines = 0;
  constructor(private readonly forkUs: number) {}
  write(line: string): void {
    const m = /^\{"seq":\d+,"t":(\d+),/.exec(line);
    if (m === null) return; // the header: it lists the fault script, which differs after the fork
    if (line.includes('"text":"fork: branch')) return; // the branch's own marker line
    if (Number(m[1]) <= this.forkUs) this.before.push(line);
    else {
      this.after.str(line);
      this.afterLines++;
    }
  }
}

function traced(scenario: Scenario, seed: number, forkMs: number, branch?: RunBranch) {
  const sink = new SplitSink(forkMs * 1000);
  const r = runScenario(scenario, { seed, trace: sink, ...(branch !== undefined ? { branch } : {}) });
  return { sink, r };
}

describe('a branch replays the run exactly up to the fork time', () => {
  it('kernel-pb-crash seed 3 at 8 s: same trace lines up to the fork, its own after', () => {
    const atMs = 8_000;
    const plain = traced(pbCrash, 3, atMs);
    const b1 = traced(pbCrash, 3, atMs, { atMs, index: 1 });
    const b2 = traced(pbCrash, 3, atMs, { atMs, index: 2 });
    expect(plain.sink.before.length).toBeGreaterThan(100);
    expect(b1.sink.before).toEqual(plain.sink.before);
    expect(b2.sink.before).toEqual(plain.sink.before);
    // After the fork the branches go their own ways, and each is deterministic.
    expect(b1.sink.after.hex()).not.toBe(plain.sink.after.hex());
    expect(b1.sink.after.hex()).not.toBe(b2.sink.after.hex());
    expect(b1.r.traceHash).not.toBe(b2.r.traceHash);
    expect(traced(pbCrash, 3, atMs, { atMs, index: 1 }).r.traceHash).toBe(b1.r.traceHash);
  });

  it('zk-random-faults seed 1 at 12 s (untraced): the branches differ from the run and from each other', () => {
    const run = (branch?: RunBranch) => runScenario(zkRandomFaults, { seed: 1, ...(branch !== undefined ? { branch } : {}) });
    const plain = run();
    const b1 = run({ atMs: 12_000, index: 1 });
    expect(b1.traceHash).not.toBe(plain.traceHash);
    expect(formatScript(b1.faults.filter((f) => f.atMs <= 12_000))).toBe(formatScript(plain.faults.filter((f) => f.atMs <= 12_000)));
    expect(formatScript(b1.faults)).not.toBe(formatScript(plain.faults));
  });
});
