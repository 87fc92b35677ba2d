import { describe, expect, it } from 'vitest';
import type { ObservationData, ObservationKind } from '../../sim/core/observation.ts';
import type { Checker } from '../../sim/world/checker.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import type { ProcessId } from '../../sim/core/types.ts';
import { World } from '../../sim/world/world.ts';
import type { FinalPartition } from '../../sim/kafka/cluster.ts';
import {
  durabilityChecker, epochsMonotonicChecker, historyCheckers, hwMonotonicChecker, leaderInIsrChecker, livenessChecker,
  epochCacheChecker, logMatchingChecker, minIsrChecker, oneLeaderPerEpochChecker, ReplicaShadow, ShadowLogs, logMatchingProblem,
} from '../../sim/kafka/checkers/index.ts';
import { kafkaSchema } from '../../sim/kafka/config.ts';

// Each Kafka checker fed a doctored observation stream or history in which it must fire, and a
// healthy one in which it must not.

function world(...checkers: Checker[]): World {
  const w = new World({ seed: 1, config: resolveConfig(kafkaSchema, {}, {}) });
  for (const c of checkers) w.addChecker(c);
  return w;
}

const P0 = 0 as ProcessId;
/** Feeds one observation; a test gives only the fields the checker under test reads. */
const obs = <K extends ObservationKind>(w: World, kind: K, data: Partial<ObservationData<K>>): void => w.observe(P0, kind, data as ObservationData<K>);
const finish = (w: World): void => {
  for (const c of w.checkers) c.finish?.(w, { healUs: 0, endUs: w.nowUs });
};
const fired = (w: World): string[] => [...new Set(w.violations.map((v) => v.checker))];

describe('kafka-durability (StrongIsr)', () => {
  it('fires when a new leader lacks a batch the previous leader exposed below its HW', () => {
    const shadows = new ShadowLogs();
    const w = world(durabilityChecker(shadows, { promised: true, read: null }));
    obs(w, 'kafka-append', { tp: 't-0', broker: 1, base: 0, last: 0, crc: 11 });
    obs(w, 'kafka-append', { tp: 't-0', broker: 1, base: 1, last: 1, crc: 22 });
    obs(w, 'kafka-append', { tp: 't-0', broker: 2, base: 0, last: 0, crc: 11 });
    obs(w, 'kafka-append', { tp: 't-0', broker: 2, base: 1, last: 1, crc: 22 });
    obs(w, 'kafka-hw', { tp: 't-0', broker: 1, hw: 2, leaderEpoch: 0 });
    // broker 2 restarts and truncates to a stale HW of 1 (KIP-101's first scenario), then leads.
    obs(w, 'kafka-truncate', { tp: 't-0', broker: 2, offset: 1 });
    obs(w, 'kafka-leader', { tp: 't-0', broker: 2, leaderEpoch: 1, isr: [2], leo: 1 });
    expect(fired(w)).toEqual(['kafka-durability']);
    expect(w.violations[0]!.message).toContain('lacks the committed batch at offsets 1..1');
  });

  it('stays quiet when the new leader holds the committed prefix, and when nothing is promised', () => {
    const shadows = new ShadowLogs();
    const w = world(durabilityChecker(shadows, { promised: true, read: null }));
    obs(w, 'kafka-append', { tp: 't-0', broker: 1, base: 0, last: 4, crc: 11 });
    obs(w, 'kafka-append', { tp: 't-0', broker: 2, base: 0, last: 4, crc: 11 });
    obs(w, 'kafka-hw', { tp: 't-0', broker: 1, hw: 5, leaderEpoch: 0 });
    obs(w, 'kafka-leader', { tp: 't-0', broker: 2, leaderEpoch: 1, isr: [2], leo: 5 });
    expect(fired(w)).toEqual([]);
    const w2 = world(durabilityChecker(new ShadowLogs(), { promised: false, read: null }));
    obs(w2, 'kafka-append', { tp: 't-0', broker: 1, base: 0, last: 4, crc: 11 });
    obs(w2, 'kafka-hw', { tp: 't-0', broker: 1, hw: 5, leaderEpoch: 0 });
    obs(w2, 'kafka-leader', { tp: 't-0', broker: 2, leaderEpoch: 1, isr: [2], leo: 0 });
    expect(fired(w2)).toEqual([]);
  });

  it('holds a leader to what earlier epochs committed, not to what a later epoch committed while its LeaderAndIsr waited', () => {
    const shadows = new ShadowLogs();
    const w = world(durabilityChecker(shadows, { promised: true, read: null }));
    for (const b of [1, 2, 3]) obs(w, 'kafka-append', { tp: 't-0', broker: b, base: 0, last: 2, crc: 11 });
    obs(w, 'kafka-hw', { tp: 't-0', broker: 2, hw: 3, leaderEpoch: 0 });
    // Epoch 1 goes to broker 1, which is paused before it acts on it; epoch 2 goes to broker 3,
    // which commits more; then broker 1 resumes and acts on epoch 1.
    obs(w, 'kafka-append', { tp: 't-0', broker: 3, base: 3, last: 9, crc: 33 });
    obs(w, 'kafka-append', { tp: 't-0', broker: 2, base: 3, last: 9, crc: 33 });
    obs(w, 'kafka-leader', { tp: 't-0', broker: 3, leaderEpoch: 2, isr: [3, 2], leo: 10 });
    obs(w, 'kafka-hw', { tp: 't-0', broker: 3, hw: 10, leaderEpoch: 2 });
    obs(w, 'kafka-leader', { tp: 't-0', broker: 1, leaderEpoch: 1, isr: [1, 3], leo: 3 });
    expect(fired(w)).toEqual([]);
    // But epoch 3 must hold what epoch 2 committed.
    obs(w, 'kafka-leader', { tp: 't-0', broker: 1, leaderEpoch: 3, isr: [1], leo: 3 });
    expect(fired(w)).toEqual(['kafka-durability']);
    expect(w.violations[0]!.message).toContain('committed up to HW 10 before epoch 3, exposed by broker 3 at epoch 2');
  });

  it('fires at the end when an acknowledged offset holds another value', () => {
    const read = (): FinalPartition[] => [{ tp: 't-0', leader: 1, leaderEpoch: 2, hw: 2, records: [{ offset: 0, value: 'a' }, { offset: 1, value: 'x' }] }];
    const w = world(durabilityChecker(new ShadowLogs(), { promised: true, read }));
    const a = w.history.invoke('producer-1', 'send', 't-0', 'a');
    w.history.complete(a, 'ok', 0);
    const b = w.history.invoke('producer-1', 'send', 't-0', 'b');
    w.history.complete(b, 'ok', 1);
    finish(w);
    expect(fired(w)).toEqual(['kafka-durability']);
    expect(w.violations[0]!.message).toContain('b acknowledged at t-0 offset 1 is replaced by x');
  });
});

describe('kafka-log-matching', () => {
  it('finds replicas that share a batch but differ before it', () => {
    const a = new ReplicaShadow();
    const b = new ReplicaShadow();
    a.append(0, 0, 1); a.append(1, 1, 2); a.append(2, 2, 3);
    b.append(0, 0, 1); b.append(1, 1, 9); b.append(2, 2, 3);
    expect(logMatchingProblem(a, b)).toContain('both hold the batch at offset 2');
    const c = new ReplicaShadow();
    c.append(0, 0, 1); c.append(1, 1, 9);
    expect(logMatchingProblem(a, c)).toBeNull(); // diverged tails are not a log-matching violation by themselves
  });

  it('fires WeakIsr when an ISR member lacks a batch below the leader HW', () => {
    const shadows = new ShadowLogs();
    const leaders = (): { tp: string; broker: number; hw: number; isr: number[] }[] => [{ tp: 't-0', broker: 1, hw: 2, isr: [1, 2] }];
    const w = world(logMatchingChecker(shadows, leaders, () => true));
    obs(w, 'kafka-append', { tp: 't-0', broker: 1, base: 0, last: 0, crc: 1 });
    obs(w, 'kafka-append', { tp: 't-0', broker: 1, base: 1, last: 1, crc: 2 });
    obs(w, 'kafka-append', { tp: 't-0', broker: 2, base: 0, last: 0, crc: 1 });
    finish(w);
    expect(fired(w)).toEqual(['kafka-log-matching']);
    expect(w.violations[0]!.message).toContain('WeakIsr');
  });
});

describe('leader sanity checkers', () => {
  it('kafka-leader-in-isr fires on a state whose leader is outside its ISR', () => {
    const w = world(leaderInIsrChecker());
    obs(w, 'kafka-isr', { tp: 't-0', leader: 1, leaderEpoch: 3, isr: [1, 2], zkVersion: 4 });
    expect(fired(w)).toEqual([]);
    obs(w, 'kafka-isr', { tp: 't-0', leader: 3, leaderEpoch: 4, isr: [1, 2], zkVersion: 5 });
    expect(fired(w)).toEqual(['kafka-leader-in-isr']);
  });

  it('kafka-one-leader-per-epoch fires on two leaders in one epoch', () => {
    const w = world(oneLeaderPerEpochChecker());
    obs(w, 'kafka-leader', { tp: 't-0', broker: 1, leaderEpoch: 2 });
    obs(w, 'kafka-leader', { tp: 't-0', broker: 1, leaderEpoch: 2 });
    expect(fired(w)).toEqual([]);
    obs(w, 'kafka-leader', { tp: 't-0', broker: 3, leaderEpoch: 2 });
    expect(fired(w)).toEqual(['kafka-one-leader-per-epoch']);
  });

  it('kafka-epochs-monotonic fires on a leader epoch that goes back along zkVersions, and on an old controller epoch', () => {
    const w = world(epochsMonotonicChecker());
    obs(w, 'kafka-isr', { tp: 't-0', leader: 1, leaderEpoch: 0, isr: [1], zkVersion: 0 });
    obs(w, 'kafka-isr', { tp: 't-0', leader: 2, leaderEpoch: 2, isr: [2], zkVersion: 2 });
    obs(w, 'kafka-isr', { tp: 't-0', leader: 1, leaderEpoch: 1, isr: [1, 2], zkVersion: 1 }); // observed late, still in order
    expect(fired(w)).toEqual([]);
    obs(w, 'kafka-isr', { tp: 't-0', leader: 1, leaderEpoch: 1, isr: [1], zkVersion: 3 });
    expect(fired(w)).toEqual(['kafka-epochs-monotonic']);
    const w2 = world(epochsMonotonicChecker());
    obs(w2, 'kafka-controller', { broker: 1, epoch: 2 });
    obs(w2, 'kafka-controller', { broker: 2, epoch: 2 });
    expect(fired(w2)).toEqual(['kafka-epochs-monotonic']);
  });

  it('kafka-hw-monotonic fires when a leader lowers its HW within an epoch', () => {
    const w = world(hwMonotonicChecker());
    obs(w, 'kafka-hw', { tp: 't-0', broker: 1, hw: 5, leaderEpoch: 1 });
    obs(w, 'kafka-hw', { tp: 't-0', broker: 2, hw: 3, leaderEpoch: 2 }); // another leader, another epoch
    expect(fired(w)).toEqual([]);
    obs(w, 'kafka-hw', { tp: 't-0', broker: 1, hw: 4, leaderEpoch: 1 });
    expect(fired(w)).toEqual(['kafka-hw-monotonic']);
  });
});

describe('history verdicts', () => {
  const read = (): FinalPartition[] => [{ tp: 't-0', leader: 1, leaderEpoch: 1, hw: 4, records: [
    { offset: 0, value: 'p-0' }, { offset: 1, value: 'p-2' }, { offset: 2, value: 'p-1' }, { offset: 3, value: 'p-2' },
  ] }];
  const history = (w: World): void => {
    for (const [v, off] of [['p-0', 0], ['p-1', 2], ['p-2', 1], ['p-3', 4]] as const) {
      const id = w.history.invoke('p', 'send', 't-0', v);
      w.history.complete(id, 'ok', off);
    }
  };

  it('reports lost writes always, duplicates and reordering only when promised', () => {
    const w = world(...historyCheckers({ read, duplicatesPromised: false, orderPromised: false }));
    history(w);
    finish(w);
    expect(fired(w)).toEqual(['kafka-lost-writes']);
    expect(w.violations[0]!.message).toContain('p-3');
    const w2 = world(...historyCheckers({ read, duplicatesPromised: true, orderPromised: true }));
    history(w2);
    finish(w2);
    expect(fired(w2).sort()).toEqual(['kafka-duplicates', 'kafka-lost-writes', 'kafka-reordered']);
  });

  it('kafka-liveness fires when a partition has no leader or no acknowledged write after heal', () => {
    const w = world(livenessChecker({ boundMs: 1000, partitions: ['t-0', 't-1'], read: () => [
      { tp: 't-0', leader: 1, leaderEpoch: 1, hw: 0, records: [] }, { tp: 't-1', leader: null, leaderEpoch: -1, hw: 0, records: [] },
    ] }));
    const id = w.history.invoke('p', 'send', 't-0', 'v');
    w.history.complete(id, 'ok', 0);
    finish(w);
    expect(fired(w)).toEqual(['kafka-liveness']);
    expect(w.violations[0]!.message).toContain('no leader for t-1');
  });
});

describe('kafka-min-isr', () => {
  const acked = (w: World, offset: number): void => {
    const op = w.history.invoke('producer-1', 'send', 't-0', 'v');
    w.history.complete(op, 'ok', offset);
  };

  it('fires when an acks=all write is acknowledged while fewer than min.insync.replicas replicas hold it', () => {
    const w = world(minIsrChecker(new ShadowLogs(), { promised: true, minIsr: 2, brokers: [1, 2, 3] }));
    obs(w, 'kafka-append', { tp: 't-0', broker: 1, base: 0, last: 4, crc: 11 });
    obs(w, 'kafka-append', { tp: 't-0', broker: 2, base: 0, last: 2, crc: 12 });
    acked(w, 2);
    expect(fired(w)).toEqual([]);
    acked(w, 3);
    expect(fired(w)).toEqual(['kafka-min-isr']);
    expect(w.violations[0]!.message).toContain('offset 3 was acknowledged (acks=all) while only broker(s) [1] held it, below min.insync.replicas=2');
  });

  it('stays quiet without the promise (acks=1)', () => {
    const w = world(minIsrChecker(new ShadowLogs(), { promised: false, minIsr: 2, brokers: [1, 2, 3] }));
    obs(w, 'kafka-append', { tp: 't-0', broker: 1, base: 0, last: 4, crc: 11 });
    acked(w, 3);
    expect(fired(w)).toEqual([]);
  });
});

describe('kafka-epoch-cache', () => {
  it('fires when a broker starts with a leader-epoch cache behind the epoch of its last batch', () => {
    const w = world(epochCacheChecker());
    obs(w, 'kafka-broker-start', { broker: 2, logs: { 't-0': 5, 't-1': 3 }, epochs: { 't-0': { cached: 3, stamped: 3 }, 't-1': { cached: -1, stamped: 2 } }, cleanShutdown: true, leaderEpochs: true });
    expect(fired(w)).toEqual(['kafka-epoch-cache']);
    expect(w.violations[0]!.message).toContain("broker 2 started with t-1's last batch stamped leader epoch 2 but its leader-epoch cache ends at -1");
  });

  it('stays quiet when the cache is ahead of or at its log, and before leader epochs (IBP < 0.11.0-IV2)', () => {
    const w = world(epochCacheChecker());
    obs(w, 'kafka-broker-start', { broker: 2, logs: { 't-0': 5 }, epochs: { 't-0': { cached: 4, stamped: 3 } }, cleanShutdown: true, leaderEpochs: true });
    obs(w, 'kafka-broker-start', { broker: 3, logs: { 't-0': 5 }, epochs: { 't-0': { cached: -1, stamped: 2 } }, cleanShutdown: true, leaderEpochs: false });
    expect(fired(w)).toEqual([]);
  });
});
