import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/harness/run.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import { yarnSystem } from '../../sim/yarn/system.ts';
import { parseSlsTrace, slsSubmissions } from '../../sim/yarn/workload.ts';
import { yarnSummary } from '../../sim/yarn/summary.ts';
import { buildYarn, yarnScenarioSchema } from '../../scenarios/yarn/lib/common.ts';

// The SLS example of hadoop-sls's SchedulerLoadSimulator.md ("SLS JSON input file format"),
// comments and all: a cluster object and two jobs.
const SLS = `{
  "num.nodes": 3,  // total number of nodes in the cluster
  "num.racks": 1   // total number of racks in the cluster
}
{
  "am.type" : "mapreduce",
  "job.start.ms" : 0,
  "job.end.ms" : 95375,
  "job.queue.name" : "sls_queue_1",
  "job.id" : "job_1",
  "job.user" : "default",
  "job.tasks" : [ {
    "container.host" : "/default-rack/node1",
    "container.start.ms" : 6664,
    "container.end.ms" : 23707,
    "container.priority" : 20,
    "container.type" : "map"
  }, {
    "container.host" : "/default-rack/node3",
    "container.start.ms" : 6665,
    "container.end.ms" : 21593,
    "container.priority" : 20,
    "container.type" : "map"
  }, {
    "count": 2,
    "container.host" : "/default-rack/node2",
    "duration.ms" : 17843,
    "container.priority" : 10,
    "container.type" : "reduce"
  } ]
}
{
  "job.start.ms" : 105204,
  "job.queue.name" : "sls_queue_2",
  "job.tasks" : [ { "container.host" : "/default-rack/node1", "container.start.ms" : 111822, "container.end.ms" : 133985 } ]
}`;

describe('SLS JSON job traces', () => {
  it('reads the cluster object, jobs, tasks, defaults and counts', () => {
    const t = parseSlsTrace(SLS);
    expect(t.numNodes).toBe(3);
    expect(t.hosts.map((h) => h.name)).toEqual(['node1', 'node3', 'node2']);
    expect(t.jobs.map((j) => [j.id, j.queue, j.user, j.amType, j.startMs])).toEqual([
      ['job_1', 'sls_queue_1', 'default', 'mapreduce', 0],
      ['1', 'sls_queue_2', 'default', 'mapreduce', 105204],
    ]);
    expect(t.jobs[0]!.tasks.map((x) => [x.host, x.durationMs, x.priority, x.type, x.count])).toEqual([
      ['node1', 17043, 20, 'map', 1], ['node3', 14928, 20, 'map', 1], ['node2', 17843, 10, 'reduce', 2],
    ]);
  });
  it('maps SLS hosts onto workers and tasks onto phases (maps, then reduces)', () => {
    const { submissions, mapping } = slsSubmissions(parseSlsTrace(SLS), { memoryMb: 1024, vcores: 1 }, { memoryMb: 1024, vcores: 1 });
    expect([...mapping.host]).toEqual([['node1', 'w-1'], ['node3', 'w-2'], ['node2', 'w-3']]);
    expect(submissions[0]!.spec.tasks.map((g) => [g.host, g.rack, g.phase])).toEqual([['w-1', '/rack-1', 0], ['w-2', '/rack-1', 0], ['w-3', '/rack-1', 1]]);
  });
  it('rejects a task without a duration, in one line', () => {
    expect(() => parseSlsTrace('{"job.queue.name":"q","job.tasks":[{"container.host":"/r/h"}]}', 'x.json')).toThrow(/x\.json: object 1 task 1: needs "duration.ms"/);
  });
  it('runs as a workload on the cluster it names: both jobs finish', () => {
    const s = defineScenario({
      name: 'yarn-sls-test', description: '', teaches: '', systems: [yarnSystem], schema: yarnScenarioSchema(['root.sls_queue_1', 'root.sls_queue_2']),
      defaults: {
        'yarn.scheduler.capacity.root.queues': ['sls_queue_1', 'sls_queue_2'], 'yarn.scheduler.capacity.root.sls_queue_1.capacity': 50,
        'yarn.scheduler.capacity.root.sls_queue_2.capacity': 50, 'yarn.scheduler.capacity.maximum-am-resource-percent': 0.5,
        'yarn.nodemanagers': 1, 'yarn.scheduler.capacity.node-locality-delay': 2, 'workload.sls': SLS,
      },
      faultPhaseMs: 100_000, quiesceMs: 100_000, expect: { violations: [], why: '' },
      build(world, cfg) {
        buildYarn(world, cfg);
      },
      summary: yarnSummary,
    });
    const r = runScenario(s, { seed: 1 });
    expect(r.violations).toEqual([]);
    expect(r.summary).toMatch(/Total Nodes:3/);
    expect(r.summary.match(/FINISHED\s+SUCCEEDED/g)).toHaveLength(2);
  });
});

describe('native config files', () => {
  const read = (file: string, text: string) => yarnSystem.configFiles.find((r) => r.fileNames.includes(file))!.read(file, text);
  it('yarn-site.xml: modelled keys as values, real keys dsim does not model listed, typos flagged', () => {
    const r = read('yarn-site.xml', `<configuration>
      <property><name>yarn.resourcemanager.am.max-attempts</name><value>4</value></property>
      <property><name>yarn.resourcemanager.hostname</name><value>rm.example.com</value></property>
      <property><name>yarn.nm.liveness-monitor.expiry-interval-msec</name><value>1</value></property>
    </configuration>`);
    expect(r.values).toEqual({ 'yarn.resourcemanager.am.max-attempts': '4' });
    expect(r.unmodelled).toEqual(['yarn.resourcemanager.hostname']);
    expect(r.unknown).toEqual([{ key: 'yarn.nm.liveness-monitor.expiry-interval-msec', closest: 'yarn.nm.liveness-monitor.expiry-interval-ms' }]);
  });
  it('capacity-scheduler.xml: queue keys of declared paths; other queues are unknown', () => {
    const r = read('capacity-scheduler.xml', `<configuration>
      <property><name>yarn.scheduler.capacity.root.queues</name><value>prod,dev</value></property>
      <property><name>yarn.scheduler.capacity.root.prod.capacity</name><value>70</value></property>
      <property><name>yarn.scheduler.capacity.root.dev.capacity</name><value>30</value></property>
      <property><name>yarn.scheduler.capacity.root.zeta.capacity</name><value>30</value></property>
      <property><name>yarn.scheduler.capacity.root.prod.acl_submit_applications</name><value>*</value></property>
    </configuration>`);
    expect(Object.keys(r.values)).toEqual(['yarn.scheduler.capacity.root.queues', 'yarn.scheduler.capacity.root.prod.capacity', 'yarn.scheduler.capacity.root.dev.capacity']);
    expect(r.unknown.map((u) => u.key)).toEqual(['yarn.scheduler.capacity.root.zeta.capacity']);
    expect(r.unmodelled).toEqual(['yarn.scheduler.capacity.root.prod.acl_submit_applications']);
  });
  it('fair-scheduler.xml: the allocation file itself, validated, unmodelled elements listed', () => {
    const text = '<allocations><queue name="a"><weight>2</weight><maxRunningApps>5</maxRunningApps></queue><userMaxAppsDefault>3</userMaxAppsDefault></allocations>';
    const r = read('fair-scheduler.xml', text);
    expect(r.values).toEqual({ 'yarn.scheduler.fair.allocation.file': text });
    expect([...r.unmodelled].sort()).toEqual(['root.a.maxRunningApps', 'userMaxAppsDefault']);
    expect(() => read('fair-scheduler.xml', '<allocations><queue name="a"><weight>x</weight></queue></allocations>')).toThrow(/<weight> 'x' is not a number/);
  });
});
