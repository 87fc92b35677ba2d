import { describe, expect, it } from 'vitest';
import { brokerIds, comparePartitionKeys, kafkaModel } from '../../viz/src/model/kafka.ts';
import { loadTrace } from '../../viz/src/model/load.ts';
import { Replay } from '../../viz/src/model/replay.ts';
import { comparePaths, zkModel } from '../../viz/src/model/zookeeper.ts';
import { kafkaStory } from './lib/synthetic-kafka.ts';
import { zookeeperStory } from './lib/synthetic-zookeeper.ts';
import { TraceWriter } from './lib/trace-writer.ts';

// The domain inspectors read inspect() views as docs/inspect-views.md defines them. Synthetic
// stories stand in for the real systems until their scenarios exist.

const enc = new TextEncoder();

function open(text: string): Replay {
  return new Replay(loadTrace(enc.encode(text), { keyframeEvery: 200 }));
}

/** The state just after the last event at or before time t. */
function at(r: Replay, tUs: number) {
  return r.stateAfter(r.lastAtOrBefore(tUs));
}

describe('Kafka inspector model', () => {
  const story = kafkaStory('failover');
  const r = open(story.text);
  const ids = brokerIds(r.ix.procs, r.ix.keyframes.map((k) => k.state));

  it('maps broker processes to broker ids, including while they are down', () => {
    expect([...ids.entries()].sort()).toEqual([[0, 1], [1, 2], [2, 3]]);
  });

  it('before the crash: broker-1 leads events-0 with the full ISR', () => {
    const m = kafkaModel(r.ix.procs, at(r, story.moments['crash']! - 1), ids);
    const p = m.partitions.find((x) => x.key === 'events-0')!;
    expect(p.leader).toBe(1);
    expect(p.isr).toEqual([1, 2, 3]);
    expect(p.replicas.map((x) => [x.process, x.isLeader, x.inIsr, x.up])).toEqual([
      ['broker-1', true, true, true], ['broker-2', false, true, true], ['broker-3', false, true, true],
    ]);
    expect(p.replicas[0]!.own!.leo).toBeGreaterThan(0);
    expect(p.replicas[0]!.follower).toBeNull();
    expect(p.replicas[1]!.follower!.lastCaughtUpMs).not.toBeNull();
  });

  it('after the election: broker-2 leads in epoch 2 with the ISR shrunk to [2,3], broker-1 shown down', () => {
    const m = kafkaModel(r.ix.procs, at(r, story.moments['elected']!), ids);
    const p = m.partitions.find((x) => x.key === 'events-0')!;
    expect(p.leader).toBe(2);
    expect(p.leaderEpoch).toBe(2);
    expect(p.isr).toEqual([2, 3]);
    expect(p.source).toBe('broker-2');
    const b1 = p.replicas.find((x) => x.brokerId === 1)!;
    expect(b1.up).toBe(false);
    expect(b1.inIsr).toBe(false);
    expect(b1.own).toBeNull();
    expect(m.brokers.find((b) => b.name === 'broker-2')!.role).toBe('controller');
    expect(m.clients.map((c) => c.name)).toEqual(['producer']);
  });

  it('flags no divergence in a clean failover', () => {
    for (let i = 0; i < r.count; i += 97) {
      const m = kafkaModel(r.ix.procs, r.stateAfter(i), ids);
      for (const p of m.partitions) expect(p.divergence).toEqual([]);
    }
  });

  it('after an unclean election: the restarted old leader has divergent batches until it truncates', () => {
    const u = kafkaStory('unclean');
    const ru = open(u.text);
    const uids = brokerIds(ru.ix.procs, ru.ix.keyframes.map((k) => k.state));
    const elected = kafkaModel(ru.ix.procs, at(ru, u.moments['elected']!), uids).partitions.find((x) => x.key === 'events-0')!;
    expect(elected.leader).toBe(2);
    expect(elected.isr).toEqual([2]);
    const restarted = kafkaModel(ru.ix.procs, at(ru, u.moments['restart']! + 100_000), uids).partitions.find((x) => x.key === 'events-0')!;
    const b1 = restarted.replicas.find((x) => x.brokerId === 1)!;
    expect(b1.own!.batches.some((b) => b.divergent)).toBe(true);
    expect(b1.own!.batches.filter((b) => b.divergent).every((b) => b.epoch === 1)).toBe(true);
    expect(restarted.divergence[0]).toMatch(/^broker-1 has offsets \d+–\d+ in epoch 1/);
    const truncated = kafkaModel(ru.ix.procs, at(ru, u.moments['truncated']!), uids).partitions.find((x) => x.key === 'events-0')!;
    expect(truncated.divergence).toEqual([]);
  });

  it('reads leader -1 (no leader) as no leader', () => {
    const w = new TraceWriter('noleader', [{ name: 'h', rack: '/r' }], [{ name: 'broker-1', host: 'h', system: 'kafka', role: 'broker' }]);
    w.at(0);
    w.start('broker-1');
    w.state('broker-1', { role: 'broker', brokerId: 1, partitions: { 'x-0': { leader: -1, leaderEpoch: 3, isr: [], replicas: [1], isLeader: false, leo: 0, hw: 0 } } });
    const rs = open(w.text());
    const st = rs.stateAfter(rs.count - 1);
    const p = kafkaModel(rs.ix.procs, st, brokerIds(rs.ix.procs, [st])).partitions[0]!;
    expect(p.leader).toBeNull();
    expect(p.replicas.every((x) => !x.isLeader)).toBe(true);
  });

  it('sorts partitions numerically', () => {
    expect(['t-10', 't-2', 'a-1', 't-1'].sort(comparePartitionKeys)).toEqual(['a-1', 't-1', 't-2', 't-10']);
  });

  it('reads a view with missing optional fields without failing', () => {
    const w = new TraceWriter('sparse', [{ name: 'h', rack: '/r' }], [{ name: 'broker-7', host: 'h', system: 'kafka', role: 'broker' }]);
    w.at(0);
    w.start('broker-7');
    w.state('broker-7', { role: 'broker', brokerId: 7, partitions: { 'x-0': { leader: 7, isr: [7] } } });
    const rs = open(w.text());
    const m = kafkaModel(rs.ix.procs, rs.stateAfter(rs.count - 1), brokerIds(rs.ix.procs, [rs.stateAfter(rs.count - 1)]));
    expect(m.partitions[0]!.replicas.map((x) => x.process)).toEqual(['broker-7']);
    expect(m.partitions[0]!.replicas[0]!.own!.batches).toEqual([]);
  });
});

describe('ZooKeeper inspector model', () => {
  const story = zookeeperStory();
  const r = open(story.text);

  it('shows every peer looking, then zk-3 leading epoch 1', () => {
    const looking = zkModel(r.ix.procs, r.stateAfter(6));
    expect(looking.peers.map((p) => p.role)).toEqual(['looking', 'looking', 'looking']);
    expect(looking.peers.filter((p) => p.up).every((p) => p.role === 'looking')).toBe(true);
    const m = zkModel(r.ix.procs, at(r, story.moments['elected1']!));
    expect(m.peers.map((p) => [p.name, p.role, p.currentEpoch])).toEqual([
      ['zk-1', 'following', 1], ['zk-2', 'following', 1], ['zk-3', 'leading', 1],
    ]);
  });

  it('shows the ephemeral lock node owned by client-1\'s session', () => {
    const m = zkModel(r.ix.procs, at(r, story.moments['lockCreated']!));
    const lock = m.tree.find((n) => n.path === '/app/lock-0000000001')!;
    expect(lock.ephemeralOwner).toBe(story.sessionId);
    expect(lock.ownerClient).toBe('client-1');
    expect(lock.depth).toBe(2);
    expect(m.tree.find((n) => n.path === '/app')!.ephemeralOwner).toBeNull();
    expect(m.clients).toEqual([{ name: 'client-1', up: true, sessionId: story.sessionId, state: 'CONNECTED', server: 'zk-1' }]);
    expect(m.treeSource).toBe('zk-3');
  });

  it('after the leader crashes: zk-3 down, zk-2 leading epoch 2, zxids in the new epoch after writes', () => {
    const m = zkModel(r.ix.procs, at(r, story.moments['elected2']!));
    expect(m.peers.map((p) => [p.name, p.role, p.currentEpoch])).toEqual([
      ['zk-1', 'following', 2], ['zk-2', 'leading', 2], ['zk-3', 'down', null],
    ]);
    expect(m.treeSource).toBe('zk-2');
    const later = zkModel(r.ix.procs, at(r, story.moments['rejoined']!));
    expect(later.peers.every((p) => p.lastZxid.startsWith('0x2'))).toBe(true);
    expect(later.peers.find((p) => p.name === 'zk-3')!.role).toBe('following');
  });

  it('uses the selected peer\'s tree when one is selected', () => {
    const m = zkModel(r.ix.procs, at(r, story.moments['lockCreated']!), 0);
    expect(m.treeSource).toBe('zk-1');
  });

  it('orders znodes parents first', () => {
    expect(['/b', '/a/b', '/', '/a', '/a/a'].sort(comparePaths)).toEqual(['/', '/a', '/a/a', '/a/b', '/b']);
  });
});

describe('generic inspector: what changed', () => {
  it('names the paths the last state line replaced, and a full view as a change of everything', () => {
    const story = kafkaStory('failover');
    const r = open(story.text);
    const p2 = r.ix.procByName.get('broker-2')!;
    const elected = r.lastAtOrBefore(story.moments['elected']!);
    const ch = r.lastChange(p2, elected)!;
    expect(ch.index).toBeLessThanOrEqual(elected);
    expect(ch.paths.length).toBeGreaterThan(0);
    expect(ch.paths.some((p) => p[0] === 'partitions' && p[1] === 'events-0')).toBe(true);
    const first = r.lastChange(p2, r.ix.stateEvents[p2]![0]!)!;
    expect(first.paths).toEqual([[]]);
    expect(r.lastChange(p2, -1)).toBeNull();
  });

  it('gives each changed field with its value before and after', () => {
    const story = kafkaStory('failover');
    const r = open(story.text);
    const p2 = r.ix.procByName.get('broker-2')!;
    // The state line in which broker-2 becomes leader of events-0.
    const j = [...r.ix.stateEvents[p2]!].find((k) => r.changeDetail(p2, k).some((d) => d.path.join('.') === 'partitions.events-0.leader' && d.after === 2))!;
    const d = r.changeDetail(p2, j);
    expect(d.find((x) => x.path.join('.') === 'partitions.events-0.leader')).toEqual({ path: ['partitions', 'events-0', 'leader'], before: 1, after: 2 });
    expect(d.find((x) => x.path.join('.') === 'partitions.events-0.leaderEpoch')).toMatchObject({ before: 1, after: 2 });
    // Only for the line itself: another event gives nothing.
    expect(r.changeDetail(p2, j + 1)).toEqual([]);
  });
});
