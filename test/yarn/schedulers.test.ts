import { describe, expect, it } from 'vitest';
import { FAIR_CLASS, FIFO_CLASS } from '../../sim/yarn/config.ts';
import type { CapacityScheduler } from '../../sim/yarn/scheduler/capacity.ts';
import type { FairScheduler } from '../../sim/yarn/scheduler/fair.ts';
import { app, ask, heartbeat, nodes, queueUsed, scheduler, usedBy } from './helpers.ts';

const twoQueues = (a: number, b: number, extra: Record<string, string | number | boolean | string[]> = {}) => ({
  'yarn.scheduler.capacity.root.queues': ['a', 'b'],
  'yarn.scheduler.capacity.root.a.capacity': a,
  'yarn.scheduler.capacity.root.b.capacity': b,
  'yarn.scheduler.capacity.maximum-am-resource-percent': 1,
  ...extra,
});

describe('FIFO', () => {
  it('serves applications strictly in submission order', () => {
    const s = scheduler({ 'yarn.resourcemanager.scheduler.class': FIFO_CLASS });
    const ns = nodes(s, 2);
    const first = app(s, 'default');
    const second = app(s, 'default');
    heartbeat(s, ns); // both AMs
    s.updateAsks(first, [ask(20, 20)]);
    s.updateAsks(second, [ask(20, 4)]);
    heartbeat(s, ns);
    expect(usedBy(s, first)).toBe(15 * 1024);
    expect(usedBy(s, second)).toBe(1024); // its AM only: the first application took every free slot
  });
});

describe('Capacity Scheduler: configuration', () => {
  it('rejects children whose capacities do not sum to 100, in Hadoop\'s words', () => {
    expect(() => scheduler(twoQueues(50, 40))).toThrow('Illegal capacity of 0.9 for children of queue root');
  });
  it('rejects a capacity above the maximum capacity', () => {
    expect(() => scheduler(twoQueues(60, 40, { 'yarn.scheduler.capacity.root.a.maximum-capacity': 50 }))).toThrow(/Queue 'root.a' has an absolute capacity \(0.6\) greater than its absolute maximumCapacity \(0.5\)/);
  });
  it('rejects a submission to an unknown or a parent queue', () => {
    const s = scheduler(twoQueues(50, 50));
    expect(() => app(s, 'nope')).toThrow(/to unknown queue: nope/);
    expect(() => app(s, 'root')).toThrow(/to non-leaf queue: root/);
  });
});

describe('Capacity Scheduler: limits', () => {
  it('a queue grows past its capacity up to maximum-capacity when the user limit allows', () => {
    const s = scheduler(twoQueues(50, 50, { 'yarn.scheduler.capacity.root.a.user-limit-factor': 10, 'yarn.scheduler.capacity.root.a.maximum-capacity': 75 }));
    const ns = nodes(s, 4);
    const a = app(s, 'a');
    heartbeat(s, ns);
    s.updateAsks(a, [ask(20, 100)]);
    for (let i = 0; i < 10; i++) heartbeat(s, ns);
    expect(queueUsed(s, 'root.a')).toBe(24 * 1024); // 75% of 32 GB
  });
  it('user-limit-factor 1 keeps a single user at the queue capacity (one container over, as canAssignToUser allows)', () => {
    const s = scheduler(twoQueues(50, 50));
    const ns = nodes(s, 4);
    const a = app(s, 'a');
    heartbeat(s, ns);
    s.updateAsks(a, [ask(20, 100)]);
    for (let i = 0; i < 10; i++) heartbeat(s, ns);
    expect(queueUsed(s, 'root.a')).toBe(17 * 1024);
  });
  it('minimum-user-limit-percent 50 splits a queue between two active users', () => {
    const s = scheduler(twoQueues(100, 0, { 'yarn.scheduler.capacity.root.a.minimum-user-limit-percent': 50 }));
    const ns = nodes(s, 4);
    const x = app(s, 'a', 'alice');
    heartbeat(s, ns);
    s.updateAsks(x, [ask(20, 100)]);
    const y = app(s, 'a', 'bob');
    for (let i = 0; i < 10; i++) heartbeat(s, ns);
    s.updateAsks(y, [ask(20, 100)]);
    for (let i = 0; i < 10; i++) heartbeat(s, ns);
    // alice filled the queue first (limit 32 GB while alone), bob got what was left.
    expect(usedBy(s, x) + usedBy(s, y)).toBe(32 * 1024);
    expect(usedBy(s, x)).toBeGreaterThan(usedBy(s, y));
  });
  it('maximum-am-resource-percent holds the second application until the first finishes', () => {
    const s = scheduler({ 'yarn.scheduler.capacity.maximum-am-resource-percent': 0.1 });
    const ns = nodes(s, 1); // 8 GB: AM limit 819 MB, yet the first AM always starts
    const a = app(s, 'default');
    const b = app(s, 'default');
    heartbeat(s, ns);
    expect(usedBy(s, a)).toBe(1024);
    expect(usedBy(s, b)).toBe(0);
    s.removeApp(a);
    heartbeat(s, ns);
    expect(usedBy(s, b)).toBe(1024);
  });
  it('node-locality-delay holds a rack-local container back until enough opportunities were missed', () => {
    const s = scheduler({ 'yarn.scheduler.capacity.node-locality-delay': 3, 'yarn.scheduler.capacity.maximum-am-resource-percent': 1 });
    const ns = nodes(s, 4);
    const a = app(s, 'default');
    heartbeat(s, ns);
    const near = ['w-4'];
    s.updateAsks(a, [ask(20, 1, 1024, 'w-9'), ask(20, 1, 1024, '/rack-1'), ask(20, 1)]);
    const got: string[] = [];
    for (let i = 0; i < 4 && got.length === 0; i++) for (const c of heartbeat(s, near)) got.push(`${i}:${c.locality}`);
    expect(got).toEqual(['3:RACK_LOCAL']); // missed 1, 2, 3, then 4 > delay 3
  });
  it('one off-switch container per node heartbeat (maximum-offswitch-assignments 1)', () => {
    const s = scheduler({ 'yarn.scheduler.capacity.maximum-am-resource-percent': 1 });
    const ns = nodes(s, 1);
    const a = app(s, 'default');
    heartbeat(s, ns);
    s.updateAsks(a, [ask(20, 5)]);
    expect(heartbeat(s, ns)).toHaveLength(1);
  });
});

describe('Capacity Scheduler: ProportionalCapacityPreemptionPolicy', () => {
  const monitor = twoQueues(50, 50, {
    'yarn.scheduler.capacity.root.a.user-limit-factor': 2,
    'yarn.resourcemanager.scheduler.monitor.enable': true,
  });
  it('takes back natural_termination_factor of the over-capacity per round, capped at total_preemption_per_round, and kills after max_wait_before_kill', () => {
    const s = scheduler(monitor) as CapacityScheduler;
    const ns = nodes(s, 4);
    const a = app(s, 'a');
    heartbeat(s, ns);
    s.updateAsks(a, [ask(20, 100)]);
    for (let i = 0; i < 20; i++) heartbeat(s, ns);
    expect(queueUsed(s, 'root.a')).toBe(32 * 1024);
    expect(s.update(0).marked).toHaveLength(0); // nobody else wants anything: the ideal of A is all of it
    const b = app(s, 'b');
    s.updateAsks(b, [ask(20, 20)]);
    // Ideal: 16 GB each. A is 16 GB over; a round may take 10% of 32 GB (scale 0.2), of which
    // natural_termination_factor 0.2 now: 0.64 GB, i.e. one container, A's newest.
    const r1 = s.update(3_000_000);
    expect(r1.marked.map((c) => c.attemptId)).toEqual([a]);
    expect(r1.marked[0]!.seq).toBe(32); // AM is 1, then 31 task containers
    expect(s.update(6_000_000).marked).toHaveLength(0); // the same container is selected again: still marked
    expect(s.update(15_000_000).kill).toHaveLength(0);
    const r2 = s.update(18_000_000);
    expect(r2.kill.map((c) => c.id)).toEqual([r1.marked[0]!.id]);
  });
  it('leaves a queue inside the dead zone (max_ignored_over_capacity) alone', () => {
    const s = scheduler({ ...monitor, 'yarn.scheduler.capacity.root.a.capacity': 95, 'yarn.scheduler.capacity.root.b.capacity': 5 }) as CapacityScheduler;
    const ns = nodes(s, 4);
    const a = app(s, 'a');
    heartbeat(s, ns);
    s.updateAsks(a, [ask(20, 100)]);
    for (let i = 0; i < 20; i++) heartbeat(s, ns);
    expect(queueUsed(s, 'root.a')).toBe(32 * 1024);
    const b = app(s, 'b');
    s.updateAsks(b, [ask(20, 20)]);
    // A's guarantee is 30.4 GB; 32 GB is within 10% over it.
    expect(s.update(3_000_000).marked).toHaveLength(0);
  });
});

describe('Fair Scheduler', () => {
  const alloc = `<?xml version="1.0"?>
<allocations>
  <queue name="a"><weight>1</weight></queue>
  <queue name="b"><weight>3</weight></queue>
</allocations>`;
  it('steady fair shares follow the weights; instantaneous shares count only active queues', () => {
    const s = scheduler({ 'yarn.resourcemanager.scheduler.class': FAIR_CLASS, 'yarn.scheduler.fair.allocation.file': alloc }) as FairScheduler;
    nodes(s, 4);
    s.update(0);
    expect(s.queue('a')!.steadyMb).toBe(8192);
    expect(s.queue('b')!.steadyMb).toBe(24_576);
    app(s, 'a');
    s.update(0);
    expect(s.queue('a')!.fairMb).toBe(32_768);
    expect(s.queue('b')!.fairMb).toBe(0);
  });
  it('allocations converge to the weights under sustained demand', () => {
    const s = scheduler({ 'yarn.resourcemanager.scheduler.class': FAIR_CLASS, 'yarn.scheduler.fair.allocation.file': alloc, 'yarn.scheduler.maximum-allocation-mb': 8192 }) as FairScheduler;
    const ns = nodes(s, 4);
    const a = app(s, 'a');
    const b = app(s, 'b');
    heartbeat(s, ns);
    heartbeat(s, ns);
    s.updateAsks(a, [ask(20, 100)]);
    s.updateAsks(b, [ask(20, 100)]);
    for (let i = 0; i < 40; i++) heartbeat(s, ns);
    expect(queueUsed(s, 'root.a')).toBe(8 * 1024);
    expect(queueUsed(s, 'root.b')).toBe(24 * 1024);
  });
  it('maxResources caps a queue', () => {
    const capped = alloc.replace('<weight>1</weight>', '<weight>1</weight><maxResources>4096 mb, 4 vcores</maxResources>');
    const s = scheduler({ 'yarn.resourcemanager.scheduler.class': FAIR_CLASS, 'yarn.scheduler.fair.allocation.file': capped });
    const ns = nodes(s, 4);
    const a = app(s, 'a');
    heartbeat(s, ns);
    s.updateAsks(a, [ask(20, 100)]);
    for (let i = 0; i < 20; i++) heartbeat(s, ns);
    expect(queueUsed(s, 'root.a')).toBe(4096);
  });
  it('rejects fifo on a parent queue and a bad resource value', () => {
    const bad = '<allocations><queue name="p"><schedulingPolicy>fifo</schedulingPolicy><queue name="c"/></queue></allocations>';
    expect(() => scheduler({ 'yarn.resourcemanager.scheduler.class': FAIR_CLASS, 'yarn.scheduler.fair.allocation.file': bad })).toThrow(/fifo is only allowed for leaf queues/);
    const bad2 = '<allocations><queue name="p"><minResources>1024 mb</minResources></queue></allocations>';
    expect(() => scheduler({ 'yarn.resourcemanager.scheduler.class': FAIR_CLASS, 'yarn.scheduler.fair.allocation.file': bad2 })).toThrow(/Missing resource: vcores/);
  });
  it('preempts for an application starved below its fair share threshold after fairSharePreemptionTimeout', () => {
    const pre = alloc.replace('<allocations>', '<allocations><defaultFairSharePreemptionTimeout>10</defaultFairSharePreemptionTimeout>').replace('<weight>3</weight>', '<weight>1</weight>');
    const s = scheduler({ 'yarn.resourcemanager.scheduler.class': FAIR_CLASS, 'yarn.scheduler.fair.allocation.file': pre, 'yarn.scheduler.fair.preemption': true }) as FairScheduler;
    const ns = nodes(s, 4);
    const a = app(s, 'a');
    heartbeat(s, ns);
    s.updateAsks(a, [ask(20, 100)]);
    for (let i = 0; i < 40; i++) heartbeat(s, ns);
    expect(queueUsed(s, 'root.a')).toBe(32 * 1024);
    const b = app(s, 'b');
    s.updateAsks(b, []);
    expect(s.update(0).marked).toHaveLength(0);
    expect(s.update(9_000_000).marked).toHaveLength(0); // not starved for 10 s yet
    const d = s.update(10_000_000);
    expect(d.marked.length).toBe(1); // B is starved by its AM: 1 GB of A's newest container
    expect(d.marked[0]!.attemptId).toBe(a);
    expect(s.update(20_000_000).kill).toHaveLength(0);
    expect(s.update(25_000_000).kill.map((c) => c.id)).toEqual([d.marked[0]!.id]);
  });
});
