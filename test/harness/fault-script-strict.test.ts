import { describe, expect, it } from 'vitest';
import { UsageError } from '../../sim/core/invariant.ts';
import { parseScript, validateScript } from '../../sim/harness/faults.ts';
import { runScenario } from '../../sim/harness/run.ts';
import kafkaLeaderFailover from '../../scenarios/kafka/kafka-leader-failover.ts';
import { addProbe, testWorld } from '../env/fixtures.ts';

// The fault-script parser is strict (issue 15 item 7): anything it would not act on is a one-line
// UsageError naming the file and line, never silently dropped. Before, `crash broker-1 for 5s extra`
// dropped the duration (the broker stayed down), a second target was dropped, a host on both sides
// of a partition, a fault after the end of the run and `leader(<no such partition>)` were accepted.

/** The UsageError a script raises (parsing, then validating against `world` if given), or null. */
function errorOf(script: string, check?: (faults: ReturnType<typeof parseScript>) => void): string | null {
  try {
    const faults = parseScript(`# header\n${script}\n`, 'my.faults');
    check?.(faults);
    return null;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    expect(e.message.includes('\n'), e.message).toBe(false);
    return e.message;
  }
}

describe('the fault-script parser rejects what it would not act on', () => {
  it.each([
    ['at 5s crash broker-1 for 5s extra', "my.faults:2: unexpected 'for 5s extra' after 'crash broker-1' (usage: crash <process> [for <duration>])"],
    ['at 5s crash broker-1 broker-2', "my.faults:2: unexpected 'broker-2' after 'crash broker-1' (usage: crash <process> [for <duration>])"],
    ['at 5s isolate h1 h2 for 1s', "my.faults:2: unexpected 'h2' after 'isolate h1' (usage: isolate <host> [for <duration>])"],
    ['at 5s power-off h1 now', "my.faults:2: unexpected 'now' after 'power-off h1' (usage: power-off <host> [for <duration>])"],
    ['at 5s clog h1 h2 h3', "my.faults:2: unexpected 'h3' after 'clog h1 h2' (usage: clog <host> <host> [for <duration>])"],
    ['at 5s slow-disk h1 x10 x20', "my.faults:2: unexpected 'x20' after 'slow-disk h1 x10' (usage: slow-disk <host> x<factor>|stall [for <duration>])"],
    ['at 5s corrupt h1 f1 f2', "my.faults:2: unexpected 'f2' after 'corrupt h1 f1' (usage: corrupt <host> [<file>])"],
    ['at 5s heal all', "my.faults:2: unexpected 'all' after 'heal' (usage: heal)"],
    ['at 5s clock h1 offset 1s drift 5ppm later', "my.faults:2: clock needs 'clock <host> offset <duration> [drift <n>ppm]', got 'clock h1 offset 1s drift 5ppm later'"],
  ])('trailing words and extra targets: %s', (line, message) => {
    expect(errorOf(line)).toBe(message);
  });

  it.each(['at 5s restart zk-1 for 5s', 'at 5s heal for 5s', 'at 5s corrupt h1 for 5s'])('a duration on an instantaneous fault: %s', (line) => {
    expect(errorOf(line)).toMatch(/^my\.faults:2: '(restart|heal|corrupt)' is instantaneous and takes no 'for <duration>'/);
  });

  it('a name on both sides of a partition, or a malformed name', () => {
    expect(errorOf('at 5s partition a,b | b,c')).toBe("my.faults:2: 'b' is named twice in the partition (a host cannot be on both sides)");
    expect(errorOf('at 5s partition a b | c')).toBe("my.faults:2: 'a b' is not a process, host or named target (usage: partition <names> | <names> [| <names>...] [for <duration>])");
    expect(errorOf('at 5s cut a, -> c')).toBe("my.faults:2: empty name in 'a,' (usage: cut <names> -> <names> [for <duration>])");
  });

  it('two names of the same host on both sides of a partition, or both ends of a clog', () => {
    const world = testWorld();
    addProbe(world, 'p1', 'h1');
    addProbe(world, 'p2', 'h2');
    addProbe(world, 'p3', 'h1');
    const validate = (faults: ReturnType<typeof parseScript>): void => validateScript(world, faults);
    expect(errorOf('at 5s partition p1,p2 | p3', validate)).toBe("my.faults:2: 'p1' and 'p3' are the same host, on both sides of the partition");
    expect(errorOf('at 5s partition h2 | h1,p3', validate)).toBeNull();
    expect(errorOf('at 5s clog p3 h1', validate)).toBe("my.faults:2: 'p3' and 'h1' are the same host; clog needs two");
  });

  it('a fault after the end of the run (fault phase + quiesce)', () => {
    const world = testWorld();
    addProbe(world, 'p1', 'h1');
    const bounds = { endMs: 6000, faultPhaseMs: 5000, quiesceMs: 1000 };
    const validate = (faults: ReturnType<typeof parseScript>): void => validateScript(world, faults, bounds);
    expect(errorOf('at 6s crash p1', validate)).toBeNull();
    expect(errorOf('at 1s crash p1\nat 6001ms crash p1', validate)).toBe(
      "my.faults:3: at 6.001s is after the end of the run at 6s (fault phase 5s + quiesce 1s): it would never apply",
    );
  });
});

describe("Kafka's named targets are checked before the run", () => {
  const run = (script: string): string | null => {
    try {
      runScenario(kafkaLeaderFailover, { seed: 1, faults: parseScript(script, 'kafka.faults') });
      return null;
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      return e.message;
    }
  };

  it('an unknown topic, a partition the topic lacks, an argument no target takes', () => {
    // leader() is ZooKeeper's (the ensemble's leader), leader(<topic>-<partition>) Kafka's.
    expect(run('at 5s crash leader(orders-0)')).toBe("kafka.faults:1: target 'leader(orders-0)' can name nothing: no topic 'orders' (topics: events)");
    expect(run('at 5s crash leader(events-6)')).toBe("kafka.faults:1: target 'leader(events-6)' can name nothing: no partition 6 of 'events' (it has 6: 0..5)");
    expect(run('at 5s isolate leader(events)')).toBe("kafka.faults:1: target 'leader(events)' can name nothing: expected leader() or leader(<topic>-<partition>)");
    expect(run('at 5s pause controller(1)')).toBe("kafka.faults:1: target 'controller(1)' can name nothing: expected controller()");
    expect(run('at 999s crash leader(events-0)')).toMatch(/^kafka\.faults:1: at 999s is after the end of the run at 90s/);
  });
});
