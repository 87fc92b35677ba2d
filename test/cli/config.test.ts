import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dsim, dsimJson, expectOneLineError, tempDir } from './helpers.ts';
import type { RunJson } from '../../sim/cli/cmd-run.ts';
import type { DescribeJson } from '../../sim/cli/cmd-describe.ts';

// `--config FILE`: the systems' own files as they ship, read through each System's reader.

const SERVER = 'test/cli/fixtures/native/server.properties';
const ZOO = 'test/cli/fixtures/native/zoo.cfg';

/** A file named as its system names it, in a fresh folder. */
function native(name: string, text: string): string {
  const dir = tempDir();
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('dsim run --config', () => {
  it('runs Kafka 2.8\'s server.properties and ZooKeeper\'s zoo_sample.cfg unchanged, lists the ignored keys once, and shows what differs from the defaults', () => {
    const { code, json, stderr } = dsimJson<RunJson>(['run', 'kafka-min-isr', '--config', SERVER, '--config', ZOO, '--json']);
    expect(code).toBe(0);
    expect(json.expectMet).toBe(true);
    const notes = stderr.trimEnd().split('\n');
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^dsim: note: .*server\.properties: ignored 15 keys dsim does not model: broker\.id, .*num\.partitions.*zookeeper\.connect/);
    expect(notes[1]).toMatch(/^dsim: note: .*zoo\.cfg: ignored 2 keys dsim does not model: dataDir, clientPort$/);
    expect(json.config.files).toEqual([SERVER, ZOO]);
    // Everything in the two files equals Kafka's and ZooKeeper's defaults: only the scenario's own choices differ.
    expect(json.config.effective.every((e) => e.from === 'scenario')).toBe(true);
    expect(json.config.effective.map((e) => e.key)).toContain('kafka.min.insync.replicas');
  });

  it('applies a modelled key from a file, and --set wins over every file', () => {
    const props = native('server.properties', 'min.insync.replicas=1\nlog.retention.hours=1\n');
    const { json } = dsimJson<RunJson>(['run', 'kafka-min-isr', '--config', props, '--set', 'kafka.min.insync.replicas=3', '--json']);
    const eff = new Map(json.config.effective.map((e) => [e.key, e]));
    expect(eff.get('kafka.min.insync.replicas')).toMatchObject({ value: 3, from: '--set' });
    expect(eff.get('kafka.log.retention.ms')).toMatchObject({ value: 3600000, from: props, default: 604800000 });
    // The key has its effect: with 3 brokers and min.insync.replicas=3, the run differs from the file-only one.
    const fileOnly = dsimJson<RunJson>(['run', 'kafka-min-isr', '--config', props, '--json']).json;
    expect(fileOnly.traceHash).not.toBe(json.traceHash);
  });

  it('a later file wins over an earlier one; the human summary lists the effective configuration', () => {
    const a = native('server.properties', 'replica.lag.time.max.ms=20000\n');
    const b = native('server.properties', 'replica.lag.time.max.ms=12000\n');
    const r = dsim(['run', 'kafka-min-isr', '--config', a, '--config', b]);
    expect(r.stdout).toMatch(new RegExp(`kafka\\.replica\\.lag\\.time\\.max\\.ms = 12000 +\\(${b.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}; default`));
    expect(r.stdout).toMatch(/^configuration \(what differs from the defaults\):$/m);
  });

  it.each([
    ['server.properties', 'min.insync.replica=2\n', /server\.properties: unknown server\.properties key 'min\.insync\.replica' \(did you mean 'min\.insync\.replicas'\?\)/],
    ['zoo.cfg', 'tikTime=2000\n', /zoo\.cfg: unknown zoo\.cfg key 'tikTime' \(did you mean 'tickTime'\?\)/],
    ['producer.properties', 'linger.msec=5\n', /unknown producer\.properties key 'linger\.msec' \(did you mean 'linger\.ms'\?\)/],
    ['server.properties', 'min.insync.replicas=zero\n', /server\.properties: invalid value for kafka\.min\.insync\.replicas: Invalid value zero for configuration min\.insync\.replicas: Not a number of type INT/],
    ['server.properties', 'this is not a property line\n', /server\.properties:1: expected key=value/],
    ['hdfs-site.xml', '<configuration/>', /hdfs-site\.xml: not a config file of zookeeper, kafka \(reads zoo\.cfg, server\.properties, producer\.properties\)/],
    ['my.conf', 'a=b\n', /my\.conf: not a config file of zookeeper, kafka/],
  ])('%s with %j is a one-line error, exit 2', (name, text, re) => {
    expectOneLineError(dsim(['run', 'kafka-min-isr', '--config', native(name, text)]), re);
  });

  it('a key the scenario shadows is refused from --set with the key that works, and listed as ignored from a file', () => {
    expectOneLineError(dsim(['run', 'kafka-min-isr', '--set', 'kafka.num.partitions=12']), /kafka\.num\.partitions is not modelled: .*set topic\.partitions$/);
    expectOneLineError(dsim(['run', 'kafka-min-isr', '--set', 'kafka.default.replication.factor=2']), /set topic\.replication\.factor$/);
  });

  it('enable.idempotence=true is refused until the idempotent producer exists (no key without its effect)', () => {
    // kafka-min-isr sets retries=0, which KafkaProducer refuses with idempotence first (its own message).
    expectOneLineError(dsim(['run', 'kafka-min-isr', '--set', 'kafka.enable.idempotence=true']), /Must set retries to non-zero when using the idempotent producer\.$/);
    const p = native('producer.properties', 'enable.idempotence=true\nretries=5\n');
    const dir = tempDir();
    const trace = join(dir, 't.jsonl');
    expectOneLineError(dsim(['run', 'kafka-min-isr', '--config', p, '--trace', trace]), /kafka\.enable\.idempotence=true is not modelled yet/);
    expect(existsSync(trace)).toBe(false);
  });

  it('a directory or a missing file as --config is one line', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'server.properties'));
    expectOneLineError(dsim(['run', 'kafka-min-isr', '--config', join(dir, 'server.properties')]), /is a directory/);
    expectOneLineError(dsim(['run', 'kafka-min-isr', '--config', join(dir, 'zoo.cfg')]), /no such file/);
  });
});

describe('dsim describe', () => {
  it('names the systems, the fault script, the expectation and every config key with type, default, value and doc', () => {
    const { code, json } = dsimJson<DescribeJson>(['describe', 'kafka-leader-failover', '--json']);
    expect(code).toBe(0);
    expect(json.systems.map((s) => s.name)).toEqual(['zookeeper', 'kafka']);
    expect(json.faults).toBe('at 20s crash leader(events-0)\n');
    expect(json.expect.violations).toEqual([]);
    const acks = json.keys.find((k) => k.key === 'kafka.acks')!;
    expect(acks).toMatchObject({ type: 'enum', value: -1 });
    expect(acks.doc).not.toBe('');
    expect(json.keys.find((k) => k.key === 'topic.partitions')).toMatchObject({ default: 6, value: 6 });
    expect(json.keys.some((k) => k.key === 'kafka.num.partitions')).toBe(false);
  });

  it('shows the values after --set, and its text lists the keys', () => {
    const r = dsim(['describe', 'kafka-leader-failover', '--set', 'topic.partitions=2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}topic\.partitions {2}int 1\.\.100 {2}default 6 {2}here 2$/m);
    expect(r.stdout).toMatch(/^fault script:\n {2}at 20s crash leader\(events-0\)$/m);
    expect(r.stdout).toMatch(/^nemesis|^expects: no checker fires$/m);
  });

  it('computes the expectation text from the configuration, so it never contradicts it', () => {
    const at0102 = dsimJson<DescribeJson>(['describe', 'kafka-random-faults', '--set', 'kafka.inter.broker.protocol.version=0.10.2', '--json']).json;
    expect(at0102.expect.why).toMatch(/unclean leader election on: no durability is promised .*kafka-lost-writes are not checked/);
    const minIsr4 = dsimJson<DescribeJson>(['describe', 'kafka-leader-failover', '--set', 'kafka.min.insync.replicas=4', '--set', 'topic.replication.factor=3', '--json']).json;
    expect(minIsr4.expect.why).toMatch(/^with acks=all, min\.insync\.replicas=4, replication factor 3 and unclean leader election off/);
    const minIsr = dsimJson<DescribeJson>(['describe', 'kafka-min-isr', '--set', 'kafka.min.insync.replicas=3', '--json']).json;
    expect(minIsr.expect.why).toMatch(/min\.insync\.replicas=3 refuses writes rather than acknowledging them on fewer than 3 replicas/);
  });

  it('describes a nemesis scenario by its random fault kinds', () => {
    const { json } = dsimJson<DescribeJson>(['describe', 'zk-random-faults', '--json']);
    expect(json.nemesis?.kinds.length).toBeGreaterThan(0);
  });
});
