import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/harness/run.ts';
import { mergeStory } from '../../sim/harness/story.ts';
import unclean from '../../scenarios/kafka/kafka-unclean-election.ts';
import failover from '../../scenarios/kafka/kafka-leader-failover.ts';

// The story of a run (dsim run's "what happened"): computed from the run's own observations, in the
// systems' terms, and without changing the run.

const texts = (r: { story: readonly { atUs: number; text: string }[] }): string => r.story.map((e) => `${(e.atUs / 1e6).toFixed(3)} ${e.text}`).join('\n');

describe('the story of a run', () => {
  it('kafka-leader-failover: the crash with its resolved target, the session expiry, the election, and how long each partition had no leader', () => {
    const r = runScenario(failover, { seed: 1, story: true });
    const t = texts(r);
    expect(t).toMatch(/^20\.000 fault: crash broker-(\d) \(leader\(events-0\) was broker-\1\)$/m);
    expect(t).toMatch(/^20\.000 events-0, events-\d have no live leader \(broker-\d led them\)$/m);
    expect(t).toMatch(/^38\.\d+ ZooKeeper expires sessions: broker-\d's session 0x[0-9a-f]+$/m);
    expect(t).toMatch(/^38\.\d+ the controller elects: events-0 -> broker-\d with ISR \[\d,\d\]/m);
    expect(t).toMatch(/^38\.\d+ new leaders take over: .*broker-\d leads events-0 \(leader epoch 1\), after 18\.0 s without a leader/m);
    expect(t).toMatch(/^90\.000 time without a live leader: events-0 18\.0 s \(20\.0-38\.0 s\); events-\d 18\.0 s .*; the other 4 partitions always had one$/m);
    expect(t).not.toMatch(/UNCLEAN|VIOLATION/);
    expect(t).toMatch(/^0\.\d+ zk-\d leads the ZooKeeper ensemble \(epoch 1; a quorum acknowledged NEWLEADER\)$/m);
    expect(t).toMatch(/^50\.000 broker-\d starts again: recovers its logs/m);
  });

  it('kafka-unclean-election: the unclean election is named, the truncation and the lost writes follow', () => {
    const r = runScenario(unclean, { seed: 1, story: true });
    const t = texts(r);
    expect(t).toMatch(/the controller elects: events-0 -> broker-2 with ISR \[2\] \(UNCLEAN election: broker-2 was not in the ISR \[1\]/);
    expect(t).toMatch(/followers truncate their logs: broker-1 events-0 to offset \d+/);
    expect(t).toMatch(/VIOLATION kafka-lost-writes: \d+ acknowledged write/);
  });

  it('listening changes nothing: the same trace hash with and without the story', () => {
    const a = runScenario(unclean, { seed: 2, story: true });
    const b = runScenario(unclean, { seed: 2 });
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.story.length).toBeGreaterThan(5);
    expect(b.story).toEqual([]);
  });

  it('merges one group\'s entries within 50 ms into one line and keeps time order', () => {
    const m = mergeStory([
      { atUs: 2_000, text: 'b', group: 'G' }, { atUs: 1_000, text: 'a', group: 'G' }, { atUs: 1_500, text: 'x' },
      { atUs: 90_000, text: 'c', group: 'G' },
    ]);
    expect(m).toEqual([{ atUs: 1_000, text: 'G: a, b' }, { atUs: 1_500, text: 'x' }, { atUs: 90_000, text: 'G: c' }]);
  });
});
