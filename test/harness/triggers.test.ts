import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkScenario, faultScheduleArb } from '../../sim/check/property.ts';
import { shrinkFaults } from '../../sim/check/shrink.ts';
import { UsageError } from '../../sim/core/invariant.ts';
import { formatScript, parseScript, type Fault } from '../../sim/harness/faults.ts';
import { runScenario } from '../../sim/harness/run.ts';
import fragile, { RESTART_CHECKER } from '../cli/fixtures/fragile.ts';

// Faults triggered by events of the run (`when ...`, sim/harness/triggers.ts): the text form, when
// they fire (a message received or sent, an observation, a state field crossing a value), once or
// `every`, `after` a delay, never after the fault phase, and their use by the shrinker and the
// property kit. The fixture: three peers p0..p2 beating every 100 ms; p1 restarting is a violation.

const QUIET = { 'fragile.nemesis': 'false' };

/** The run's trace lines of these types, as [time in us, process, fields]. */
function traced(faults: readonly Fault[], types: readonly string[]): { t: number; p: string; type: string }[] {
  const out: { t: number; p: string; type: string }[] = [];
  runScenario(fragile, {
    seed: 1, overrides: QUIET, faults,
    trace: { write: (line) => { const o = JSON.parse(line) as { t?: number; p?: string; type?: string }; if (o.type !== undefined && types.includes(o.type)) out.push({ t: o.t!, p: o.p ?? '', type: o.type }); } },
  });
  return out;
}

describe('when: the text form', () => {
  it('parses and formats every event form, after and every', () => {
    const lines = [
      'when p0 receives Beat crash p1 for 100ms',
      'when p0 sends Beat after 5ms pause p2 for 1s',
      'when p1 observes restarted every isolate h2 for 1s',
      'when p2 state beats >= 20 after 1.5s every restart p0',
      'when p2 state role == peer heal',
    ];
    const faults = parseScript(lines.join('\n'), 'w.faults');
    expect(formatScript(faults)).toBe(lines.join('\n') + '\n');
    expect(faults[1]).toEqual({ atMs: 0, durationMs: 1000, action: { kind: 'pause', target: 'p2' }, when: { event: { on: 'sends', process: 'p0', type: 'Beat' }, afterMs: 5, every: false } });
    expect(faults[3]!.when).toEqual({ event: { on: 'state', process: 'p2', path: 'beats', op: '>=', value: 20 }, afterMs: 1500, every: true });
  });

  it.each([
    ['when p0 receives', "w.faults:1: 'when p0 receives' needs a message type"],
    ['when p0 hears Beat crash p1', "w.faults:1: unknown event 'hears' (known: receives, sends, observes, state)"],
    ['when p0 state beats => 3 crash p1', "w.faults:1: '=>' is not a comparison (one of >= > <= < == !=)"],
    ['when p0 state beats >= many crash p1', "w.faults:1: '>=' needs a number, got 'many'"],
    ['when p0 receives Beat', 'w.faults:1: no fault after the trigger'],
    ['when p0 receives Beat after soon crash p1', "w.faults:1: 'soon' is not a duration (e.g. 500ms, 10s, 2m)"],
    ['when p0 receives Beat explode p1', "w.faults:1: unknown fault 'explode'"],
    ['when p0 receives Beat crash p1 p2', "w.faults:1: unexpected 'p2' after 'crash p1'"],
  ])('rejects %s with one line', (line, message) => {
    let err: unknown = null;
    try {
      parseScript(line, 'w.faults');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message.startsWith(message), (err as Error).message).toBe(true);
    expect((err as Error).message.includes('\n')).toBe(false);
  });

  it('a trigger on a process the world lacks is rejected before the run', () => {
    expect(() => runScenario(fragile, { seed: 1, overrides: QUIET, faults: parseScript('when p9 receives Beat crash p1', 'w.faults') }))
      .toThrow("w.faults:1: no process named 'p9' (a trigger watches a process)");
  });
});

describe('when: firing', () => {
  it('a received message: the fault follows the first Beat p0 gets, after the delay, once', () => {
    const events = traced(parseScript('when p0 receives Beat after 5ms crash p1 for 100ms'), ['deliver', 'crash']);
    const firstBeat = events.find((e) => e.type === 'deliver' && e.p === 'p0')!;
    const crashes = events.filter((e) => e.type === 'crash');
    expect(crashes).toEqual([{ t: firstBeat.t + 5000, p: 'p1', type: 'crash' }]);
  });

  it('every: at each match, and never after the fault phase ends (5 s)', () => {
    const crashes = traced(parseScript('when p2 receives Beat every crash p1 for 10ms'), ['crash']);
    expect(crashes.length).toBeGreaterThan(10);
    expect(crashes.every((c) => c.p === 'p1' && c.t < 5_000_000)).toBe(true);
  });

  it('an observation: the restart p1 observes isolates h2', () => {
    const events = traced(parseScript('at 1s crash p1 for 1s\nwhen p1 observes restarted isolate h2 for 500ms'), ['start', 'partition']);
    const restart = events.find((e) => e.type === 'start' && e.p === 'p1' && e.t > 0)!;
    expect(events.filter((e) => e.type === 'partition').map((e) => e.t)).toEqual([restart.t]);
  });

  it('a state field crossing a value: p2 pauses p0 when its beat count reaches 20, once per crossing', () => {
    const pauses = traced(parseScript('when p2 state beats >= 20 every pause p0 for 50ms'), ['pause']);
    // p2 gets two beats per 100 ms: the 20th about 1 s in. The count only grows, so it crosses once.
    expect(pauses).toHaveLength(1);
    expect(pauses[0]!.t).toBeGreaterThan(900_000);
    expect(pauses[0]!.t).toBeLessThan(1_100_000);
  });

  it('is deterministic: the same script gives the same trace hash, and no trigger leaves it unchanged', () => {
    const faults = parseScript('when p0 receives Beat after 5ms crash p1 for 100ms');
    const a = runScenario(fragile, { seed: 3, overrides: QUIET, faults });
    const b = runScenario(fragile, { seed: 3, overrides: QUIET, faults });
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.violations.map((v) => v.checker)).toEqual([RESTART_CHECKER]);
    const never = runScenario(fragile, { seed: 3, overrides: QUIET, faults: parseScript('when p0 receives Nothing crash p1') });
    expect(never.traceHash).toBe(runScenario(fragile, { seed: 3, overrides: QUIET, faults: [] }).traceHash);
  });
});

describe('when: the shrinker and the property kit', () => {
  const culprit = 'when p0 receives Beat after 5ms crash p1 for 100ms';

  it('the shrinker keeps the trigger, shortens its fault and prints it back', () => {
    const faults = parseScript(`at 1s pause p2 for 1s\n${culprit}\nat 2s crash p0 for 1s`);
    const r = shrinkFaults(fragile, { seed: 1, overrides: QUIET, faults });
    expect(r.checker).toBe(RESTART_CHECKER);
    expect(r.minimal).toHaveLength(1);
    expect(formatScript(r.minimal)).toMatch(/^when p0 receives Beat after 5ms crash p1 for \d+ms\n$/);
  });

  it('a schedule arbitrary may mix timed faults with triggered ones; the counterexample is the trigger', () => {
    const timed = faultScheduleArb({ processes: ['p0', 'p2'], hosts: ['h0', 'h2'], kinds: ['pause'], faultPhaseMs: 5000, maxFaults: 3, durationMsMin: 100, durationMsMax: 500 });
    const triggered = fc.constantFrom(...parseScript(`${culprit}\nwhen p2 receives Beat pause p0 for 100ms`));
    const r = checkScenario(fragile, {
      overrides: QUIET, schedules: fc.tuple(timed, triggered).map(([s, t]) => [...s, t]), numRuns: 20, seed: 1, shrinkMaxRuns: 40,
    });
    if (r.ok) throw new Error('the crash trigger was never drawn');
    expect(r.checker).toBe(RESTART_CHECKER);
    expect(r.script).toMatch(/^when p0 receives Beat after 5ms crash p1 for \d+ms\n$/);
    expect(r.replay).toContain('when p0 receives Beat after 5ms crash p1');
  });
});
