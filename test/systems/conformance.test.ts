import { describe, expect, it } from 'vitest';
import { UsageError } from '../../sim/core/invariant.ts';
import { composeSchema, configReaderFor, withUses, type AnySystem } from '../../sim/harness/system.ts';
import { parseScript } from '../../sim/harness/faults.ts';
import { runScenario } from '../../sim/harness/run.ts';
import { SYSTEMS, systemNamed } from '../../sim/registry/systems.ts';
import { discoverAll } from '../../sim/cli/scenarios.ts';
import { kafka } from '../../sim/kafka/system.ts';
import { zookeeper } from '../../sim/zookeeper/system.ts';
import election from '../../scenarios/zookeeper/zk-leader-election.ts';

// The rules of the System seam (sim/harness/system.ts), checked for every registered system: a new
// system gets these checks by being listed in sim/registry/systems.ts.

describe.each(SYSTEMS.map((s) => [s.name, s] as const))('System %s', (_name, s: AnySystem) => {
  it('has a unique name and config prefix, and every key of its schema carries the prefix', () => {
    expect(SYSTEMS.filter((x) => x.name === s.name)).toHaveLength(1);
    expect(SYSTEMS.filter((x) => x.configPrefix === s.configPrefix)).toHaveLength(1);
    expect(s.configPrefix.endsWith('.')).toBe(true);
    for (const key of Object.keys(s.schema)) expect(key.startsWith(s.configPrefix), key).toBe(true);
  });

  it('uses only registered systems, and no system twice through its uses', () => {
    for (const u of s.uses) expect(systemNamed(u.name)).toBe(u);
    expect(() => composeSchema([s])).not.toThrow();
  });

  it('reads files no other system reads; an empty file says nothing or is a one-line UsageError (XML needs its root)', () => {
    for (const r of s.configFiles) {
      for (const f of r.fileNames) expect(SYSTEMS.filter((x) => x.configFiles.some((y) => y.fileNames.includes(f))).map((x) => x.name)).toEqual([s.name]);
      let read: unknown;
      try {
        read = r.read(r.fileNames[0]!, '');
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        expect(String((e as Error).message)).not.toContain('\n');
        continue;
      }
      expect(read).toEqual({ values: {}, unmodelled: [], unknown: [] });
    }
  });

  it('declares observation kinds no other system declares', () => {
    for (const kind of Object.keys(s.observations)) {
      expect(SYSTEMS.filter((x) => kind in x.observations).map((x) => x.name)).toEqual([s.name]);
    }
  });

  /** An example value of each placeholder the targets' usages name. */
  const PLACEHOLDER_EXAMPLES: Record<string, string> = { n: '2', topic: 'events', partition: '0', 'topic-partition': 'events-0' };

  it('names fault targets whose argument patterns do not overlap another system\'s target of the same name', () => {
    for (const t of s.faultTargets) {
      for (const o of SYSTEMS.filter((x) => x !== s).flatMap((x) => x.faultTargets).filter((x) => x.name === t.name)) {
        expect(t.usage).not.toBe(o.usage);
        // The usage's argument with each placeholder replaced by an example of it.
        const example = t.usage.slice(t.name.length + 1, -1).replace(/<([^>]+)>/g, (_, k: string) => PLACEHOLDER_EXAMPLES[k] ?? 'x');
        expect(t.arg.test(example), `${t.usage} accepts its own example '${example}'`).toBe(true);
        expect(o.arg.test(example), `${o.usage} also accepts '${example}' of ${t.usage}`).toBe(false);
      }
    }
  });
});

describe('composing systems', () => {
  it('a system brings the systems it uses, first', () => {
    expect(withUses([kafka]).map((s) => s.name)).toEqual(['zookeeper', 'kafka']);
    expect(withUses([zookeeper, kafka, zookeeper]).map((s) => s.name)).toEqual(['zookeeper', 'kafka']);
  });

  it('the merged schema is the systems\' keys then the scenario\'s; a key defined twice is an error', () => {
    const keys = Object.keys(composeSchema([kafka], { 'workload.x': { type: 'int', default: 1, doc: 'x' } }));
    expect(keys[0]!.startsWith('zookeeper.')).toBe(true);
    expect(keys.at(-1)).toBe('workload.x');
    expect(() => composeSchema([kafka], { 'kafka.acks': kafka.schema['kafka.acks']! })).toThrow(/defined by both kafka and the scenario/);
  });

  it('every scenario composes registered systems only', async () => {
    const { scenarios } = await discoverAll();
    expect(scenarios.length).toBeGreaterThan(10);
    for (const d of scenarios) for (const s of withUses(d.scenario.systems)) expect(systemNamed(s.name), `${d.scenario.name}: ${s.name}`).toBe(s);
  });
});

describe('native config files', () => {
  it('zoo.cfg: modelled keys become zookeeper.* values, ZooKeeper keys dsim ignores are unmodelled, the rest unknown with the closest key', () => {
    const r = configReaderFor([kafka], '/etc/zookeeper/zoo.cfg').read('zoo.cfg', 'tickTime=3000\ndataDir=/var/zk\ntikTime=1\nserver.1=a:2888:3888\nserver.2=b:2888:3888\n');
    expect(r).toEqual({ values: { 'zookeeper.tickTime': '3000', 'zookeeper.servers': 2 }, unmodelled: ['dataDir'], unknown: [{ key: 'tikTime', closest: 'tickTime' }] });
  });

  it('server.properties: kafka.* values, addresses and paths unmodelled, typos unknown', () => {
    const r = configReaderFor([kafka], 'server.properties').read('server.properties', 'min.insync.replicas=2\nlog.dirs=/tmp/k\nmin.insync.replica=3\n');
    expect(r).toEqual({ values: { 'kafka.min.insync.replicas': '2' }, unmodelled: ['log.dirs'], unknown: [{ key: 'min.insync.replica', closest: 'min.insync.replicas' }] });
  });

  it('producer.properties: the producer keys dsim models, serializers and addresses unmodelled, typos unknown', () => {
    const r = configReaderFor([kafka], 'producer.properties').read('producer.properties', 'acks=1\nrequest.timeout.ms=5000\nbootstrap.servers=a:9092\nlinger.msec=5\n');
    expect(r).toEqual({ values: { 'kafka.acks': '1', 'kafka.producer.request.timeout.ms': '5000' }, unmodelled: ['bootstrap.servers'], unknown: [{ key: 'linger.msec', closest: 'linger.ms' }] });
  });

  it('a file no composed system reads is a one-line error naming the files they do read', () => {
    expect(() => configReaderFor([zookeeper], 'server.properties')).toThrow(/server.properties: not a config file of zookeeper \(reads zoo.cfg\)/);
  });
});

describe('named fault targets from the systems', () => {
  it('ZooKeeper leader() and follower(1) name the peer in that role when the fault applies', () => {
    const lines: string[] = [];
    runScenario(election, { seed: 1, faults: parseScript('at 10s crash leader() for 5s\nat 20s pause follower(1) for 2s'), trace: { write: (l: string) => { if (l.includes(' is zk-')) lines.push(l); } } });
    expect(lines.join('\n')).toMatch(/leader\(\) is zk-5/);
    expect(lines.join('\n')).toMatch(/follower\(1\) is zk-\d/);
  });
});
