import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { expect } from 'vitest';
import { dsim, dsimJson, expectOneLineError, FRAGILE, tempDir } from './helpers.ts';

// `dsim run --faults` with a script the strict parser rejects: exit 2, one line naming file:line,
// no stack trace, and the run never starts (issue 15 item 7).

describe('dsim run --faults rejects what the script would not do', () => {
  const dir = tempDir();
  const script = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it('trailing words: the duration is not silently dropped', () => {
    const f = script('extra.faults', 'at 1s crash p1 for 1s extra\n');
    expectOneLineError(dsim(['run', FRAGILE, '--faults', f]), new RegExp(`${f}:1: unexpected 'for 1s extra' after 'crash p1'`));
  });

  it('a host on both sides of a partition (a process and its host)', () => {
    const f = script('both.faults', '# p1 runs on h1\nat 1s partition p1,h2 | h1 for 1s\n');
    expectOneLineError(dsim(['run', FRAGILE, '--faults', f]), new RegExp(`${f}:2: 'p1' and 'h1' are the same host, on both sides of the partition`));
  });

  it('a fault after the end of the run', () => {
    const f = script('late.faults', 'at 1s crash p1 for 1s\nat 7s crash p1\n');
    expectOneLineError(dsim(['run', FRAGILE, '--faults', f]), new RegExp(`${f}:2: at 7s is after the end of the run at 6s`));
  });

  it('a named target for a partition the topic lacks', () => {
    expectOneLineError(dsim(['run', 'kafka-leader-failover', '--faults', '-'], { input: 'at 5s crash leader(events-9) for 5s\n' }),
      /<stdin>:1: target 'leader\(events-9\)' can name nothing: no partition 9 of 'events'/);
  });

  it('a bad when line', () => {
    const f = script('when.faults', 'at 1s crash p2 for 1s\nwhen p0 receives Beat every explode p1\n');
    expectOneLineError(dsim(['run', FRAGILE, '--faults', f]), new RegExp(`${f}:2: unknown fault 'explode'`));
    expectOneLineError(dsim(['run', FRAGILE, '--faults', '-'], { input: 'when p0 hears Beat crash p1\n' }), /<stdin>:1: unknown event 'hears'/);
    expectOneLineError(dsim(['run', FRAGILE, '--faults', '-'], { input: 'when p7 receives Beat crash p1\n' }), /<stdin>:1: no process named 'p7'/);
  });

  it('a when line runs, and the run prints it back', () => {
    const r = dsimJson<{ faults: string; violations: { checker: string }[] }>(['run', FRAGILE, '--set', 'fragile.nemesis=false', '--faults', '-', '--json'], { input: 'when p0 receives Beat after 5ms crash p1 for 100ms\n' });
    expect(r.json.faults).toBe('when p0 receives Beat after 5ms crash p1 for 100ms\n');
    expect(r.json.violations.map((v) => v.checker)).toEqual(['no-restart-of-p1']);
  });
});
