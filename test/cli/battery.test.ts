import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../sim/cli/main.ts';
import { dsim, expectOneLineError, tempDir } from './helpers.ts';

// The malformed-input battery (issue 15): well over 100 bad inputs (flags, values, native config
// files, fault scripts, scenario files, traces, outputs), each answered with exactly one line
// `dsim: error: ...`, exit 2, no stack trace, and nothing written. The cases run in-process through
// main() (the same dispatch and error handling as bin/dsim.mjs, without a process per case); the
// few that need a real process (stdin, scenario files outside the checkout) are spawned.

let dir: string;
let outDir: string;
const f = (name: string, text: string | Buffer): string => {
  const p = join(dir, `${Math.random().toString(36).slice(2, 8)}`, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
};

beforeAll(() => {
  dir = tempDir('dsim-battery-');
  outDir = join(dir, 'out');
  mkdirSync(outDir);
  mkdirSync(join(dir, 'a-dir'));
  writeFileSync(join(dir, 'text.jsonl'), 'hello, I am not a trace\n');
  writeFileSync(join(dir, 'empty.jsonl'), '');
  expect(spawnSync('mkfifo', [join(dir, 'fifo')]).status).toBe(0);
});

afterAll(() => {
  vi.restoreAllMocks();
});

async function inProcess(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { stdout += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { stderr += String(s); return true; });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

type Case = [label: string, args: () => string[], error: RegExp];

const PB = 'kernel-pb-crash';
const KAFKA = 'kafka-min-isr';
const script = (text: string | Buffer): string => f('faults.txt', text);

const CASES: Case[] = [
  // ---- commands and flags
  ['unknown command', () => ['frobnicate'], /unknown command 'frobnicate'/],
  ['misspelt command', () => ['rn', PB], /unknown command 'rn' \(did you mean 'run'\?\)/],
  ['help for an unknown command', () => ['help', 'nosuch'], /unknown command 'nosuch'/],
  ['run without a scenario', () => ['run'], /run: missing <scenario>/],
  ['run with two scenarios', () => ['run', PB, PB], /run: unexpected argument/],
  ['unknown scenario', () => ['run', 'kafka-leader-failovr'], /unknown scenario 'kafka-leader-failovr' \(did you mean 'kafka-leader-failover'\?\)/],
  ['unknown flag', () => ['run', PB, '--sed', '3'], /run: unknown flag '--sed' \(did you mean '--seed'\?\)/],
  ['unknown short flag', () => ['run', PB, '-x'], /run: unknown flag '-x'/],
  ['bool flag with a value', () => ['run', PB, '--json=yes'], /--json takes no value/],
  ['--seed without a value', () => ['run', PB, '--seed'], /--seed needs a value/],
  ['--seed negative', () => ['run', PB, '--seed', '-1'], /--seed must be a non-negative integer/],
  ['--seed a word', () => ['run', PB, '--seed', 'abc'], /--seed must be a non-negative integer, got 'abc'/],
  ['--seed a fraction', () => ['run', PB, '--seed', '1.5'], /--seed must be a non-negative integer/],
  ['--seed too large', () => ['run', PB, '--seed', '99999999999999999999'], /--seed is too large/],
  ['--seed twice', () => ['run', PB, '--seed', '1', '--seed', '2'], /--seed given twice/],
  ['--set without a value', () => ['run', PB, '--set'], /--set needs a value/],
  ['--set without =', () => ['run', PB, '--set', 'pb.clients'], /--set expects key=value/],
  ['--set without a key', () => ['run', PB, '--set', '=3'], /--set expects key=value/],
  ['--set key with a space', () => ['run', PB, '--set', 'a b=1'], /--set expects key=value/],
  ['--set unknown key', () => ['run', 'kafka-leader-failover', '--set', 'kafka.ack=1'], /unknown config key 'kafka\.ack' \(did you mean 'kafka\.acks'\?\)/],
  ['--trace without a value', () => ['run', PB, '--trace'], /--trace needs a value/],
  ['--faults without a value', () => ['run', PB, '--faults'], /--faults needs a value/],
  ['--faults missing file', () => ['run', PB, '--faults', join(dir, 'nope.txt')], /cannot read fault script .*: no such file/],
  ['--faults a directory', () => ['run', PB, '--faults', join(dir, 'a-dir')], /cannot read fault script .*: is a directory/],
  ['--faults a binary file', () => ['run', PB, '--faults', process.execPath], /cannot read fault script .*: not a text file/],
  ['--faults a device', () => ['run', PB, '--faults', '/dev/zero'], /cannot read fault script \/dev\/zero: is a device/],
  ['--faults a fifo', () => ['run', PB, '--faults', join(dir, 'fifo')], /cannot read fault script .*: is a fifo/],
  ['--config from stdin', () => ['run', KAFKA, '--config', '-'], /--config needs a file/],
  ['--config missing file', () => ['run', KAFKA, '--config', join(dir, 'server.properties')], /cannot read config file .*: no such file/],
  ['--config for a scenario without systems', () => ['run', PB, '--config', f('zoo.cfg', 'tickTime=2000\n')], /not a config file of this scenario \(reads none\)/],
  ['list with an argument', () => ['list', 'extra'], /list: unexpected argument 'extra'/],
  ['list with an unknown flag', () => ['list', '--wid'], /list: unknown flag '--wid' \(did you mean '--wide'\?\)/],
  ['describe without a scenario', () => ['describe'], /describe: missing <scenario>/],
  ['describe an unknown scenario', () => ['describe', 'zk-leader-electon'], /did you mean 'zk-leader-election'/],
  ['describe with a bad --set', () => ['describe', PB, '--set', 'nosuch=1'], /unknown config key 'nosuch'/],
  ['sweep without --seeds', () => ['sweep', PB], /--seeds/],
  ['sweep with a reversed range', () => ['sweep', PB, '--seeds', '5..1'], /the end 1 is before the start 5/],
  ['sweep with a bad range', () => ['sweep', PB, '--seeds', 'x..y'], /--seeds expects A\.\.B/],
  ['sweep with a bad shard', () => ['sweep', PB, '--seeds', '1..4', '--shard', '3/2'], /--shard/],
  ['sweep with zero workers', () => ['sweep', PB, '--seeds', '1..4', '--workers', '0'], /--workers must be at least 1/],
  ['shrink without --seed', () => ['shrink', PB], /shrink: missing --seed/],
  ['shrink with --max-runs 0', () => ['shrink', PB, '--seed', '1', '--max-runs', '0'], /--max-runs must be at least 1/],
  ['bench with an unknown flag', () => ['bench', '--quik'], /unknown flag '--quik' \(did you mean '--quick'\?\)/],
  ['viz with a bad port', () => ['viz', join(dir, 'text.jsonl'), '--port', 'abc'], /port|trace/],
  ['viz with a port out of range', () => ['viz', join(dir, 'text.jsonl'), '--port', '70000'], /port|trace/],
  ['viz a missing trace', () => ['viz', join(dir, 'nope.jsonl')], /cannot read trace .*: no such file/],
  ['viz a directory', () => ['viz', join(dir, 'a-dir')], /cannot read trace .*: is a directory/],

  // ---- config values (Kafka's and ZooKeeper's own messages)
  ['acks=2', () => ['run', KAFKA, '--set', 'kafka.acks=2'], /Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1/],
  ['min.insync.replicas=0', () => ['run', KAFKA, '--set', 'kafka.min.insync.replicas=0'], /Value must be at least 1/],
  ['unclean election yes', () => ['run', KAFKA, '--set', 'kafka.unclean.leader.election.enable=yes'], /Expected value to be either true or false/],
  ['an unknown Kafka version', () => ['run', KAFKA, '--set', 'kafka.inter.broker.protocol.version=9.9'], /inter\.broker\.protocol\.version/],
  ['num.partitions (not modelled)', () => ['run', KAFKA, '--set', 'kafka.num.partitions=3'], /kafka\.num\.partitions is not modelled: .*set topic\.partitions/],
  ['replication factor above the broker count', () => ['run', KAFKA, '--set', 'topic.replication.factor=4'], /Replication factor: 4 larger than available brokers: 3\./],
  ['KafkaConfig requirement', () => ['run', KAFKA, '--set', 'kafka.replica.fetch.wait.max.ms=40000'], /requirement failed: replica\.socket\.timeout\.ms should always be at least replica\.fetch\.wait\.max\.ms/],
  ['unknown topic config', () => ['run', KAFKA, '--set', 'kafka.topic.config=foo=1'], /Unknown topic config name: foo/],
  ['delivery.timeout.ms too small', () => ['run', 'kafka-leader-failover', '--set', 'kafka.delivery.timeout.ms=1000'], /delivery\.timeout\.ms should be equal to or larger than linger\.ms \+ request\.timeout\.ms/],
  ['idempotence (not modelled)', () => ['run', 'kafka-leader-failover', '--set', 'kafka.enable.idempotence=true'], /kafka\.enable\.idempotence=true is not modelled yet/],
  ['idempotence with acks=1', () => ['run', 'kafka-leader-failover', '--set', 'kafka.enable.idempotence=true', '--set', 'kafka.acks=1'], /Must set acks to all in order to use the idempotent producer/],
  ['zookeeper.servers=0', () => ['run', KAFKA, '--set', 'zookeeper.servers=0'], /zookeeper\.servers/],
  ['zookeeper.tickTime a word', () => ['run', KAFKA, '--set', 'zookeeper.tickTime=x'], /zookeeper\.tickTime/],
  ['topic.partitions above its max', () => ['run', KAFKA, '--set', 'topic.partitions=1000'], /above the maximum 100/],

  // ---- native config files
  ['server.properties: a typo', () => ['run', KAFKA, '--config', f('server.properties', 'min.insync.replica=2\n')], /unknown server\.properties key 'min\.insync\.replica' \(did you mean 'min\.insync\.replicas'\?\)/],
  ['server.properties: two typos', () => ['run', KAFKA, '--config', f('server.properties', 'log.segment.byte=1\nreplica.lag.time.max=3\n')], /unknown server\.properties keys 'log\.segment\.byte'.*, 'replica\.lag\.time\.max'/],
  ['server.properties: a bad value', () => ['run', KAFKA, '--config', f('server.properties', 'log.segment.bytes=10\n')], /server\.properties: .*Value must be at least 14/],
  ['server.properties: not key=value', () => ['run', KAFKA, '--config', f('server.properties', 'just words here\n')], /server\.properties:1: expected key=value/],
  ['server.properties: binary', () => ['run', KAFKA, '--config', f('server.properties', Buffer.from([0x61, 0x00, 0x62]))], /not a text file \(it has NUL bytes\)/],
  ['server.properties: not UTF-8', () => ['run', KAFKA, '--config', f('server.properties', Buffer.from([0x61, 0x3d, 0xff, 0xfe]))], /not a text file \(not UTF-8\)/],
  ['server.properties: a directory', () => ['run', KAFKA, '--config', join(dir, 'a-dir')], /not a config file|is a directory/],
  ['zoo.cfg: a typo', () => ['run', KAFKA, '--config', f('zoo.cfg', 'syncLimt=5\n')], /unknown zoo\.cfg key 'syncLimt' \(did you mean 'syncLimit'\?\)/],
  ['zoo.cfg: a bad server line', () => ['run', KAFKA, '--config', f('zoo.cfg', 'server.1=zk1\n')], /server\.1=zk1: expected host:quorumPort:electionPort/],
  ['zoo.cfg: server ids with a gap', () => ['run', KAFKA, '--config', f('zoo.cfg', 'server.1=a:2888:3888\nserver.3=b:2888:3888\n')], /server ids must be 1\.\.2 without gaps/],
  ['zoo.cfg: forceSync maybe', () => ['run', KAFKA, '--config', f('zoo.cfg', 'forceSync=maybe\n')], /forceSync must be yes or no/],
  ['zoo.cfg: an observer', () => ['run', KAFKA, '--config', f('zoo.cfg', 'server.1=a:2888:3888:observer\n')], /observers are not simulated/],
  ['zoo.cfg: tickTime a word', () => ['run', KAFKA, '--config', f('zoo.cfg', 'tickTime=fast\n')], /zoo\.cfg: invalid value for zookeeper\.tickTime/],
  ['producer.properties: a typo', () => ['run', KAFKA, '--config', f('producer.properties', 'retires=3\n')], /unknown producer\.properties key 'retires' \(did you mean 'retries'\?\)/],
  ['producer.properties: acks=2', () => ['run', KAFKA, '--config', f('producer.properties', 'acks=2\n')], /producer\.properties: .*String must be one of: all, -1, 0, 1/],
  ['a file no system of the scenario reads', () => ['run', KAFKA, '--config', f('hdfs-site.xml', '<configuration/>\n')], /hdfs-site\.xml: not a config file of zookeeper, kafka/],
  ['a file name no system reads', () => ['run', KAFKA, '--config', f('kafka.conf', 'a=b\n')], /kafka\.conf: not a config file of zookeeper, kafka \(reads zoo\.cfg, server\.properties, producer\.properties\)/],
  ['hdfs-site.xml: not XML', () => ['run', 'hdfs-write-read', '--config', f('hdfs-site.xml', 'dfs.replication=3\n')], /hdfs-site\.xml/],
  ['hdfs-site.xml: a typo', () => ['run', 'hdfs-write-read', '--config', f('hdfs-site.xml', '<configuration><property><name>dfs.replicaton</name><value>2</value></property></configuration>\n')], /dfs\.replicaton/],
  ['yarn-site.xml: unclosed', () => ['run', 'yarn-schedulers', '--config', f('yarn-site.xml', '<configuration><property>\n')], /yarn-site\.xml/],
  ['fair-scheduler.xml: empty', () => ['run', 'yarn-fair-shares', '--config', f('fair-scheduler.xml', '')], /fair-scheduler\.xml: empty file/],

  // ---- fault scripts
  ['fault: no target', () => ['run', PB, '--faults', script('at 5s crash\n')], /faults\.txt:1/],
  ['fault: unknown target', () => ['run', PB, '--faults', script('at 5s crash s9\n')], /s9/],
  ['fault: bad time', () => ['run', PB, '--faults', script('at xs crash s1\n')], /faults\.txt:1/],
  ['fault: unknown kind', () => ['run', PB, '--faults', script('at 5s explode s1\n')], /faults\.txt:1: .*explode/],
  ['fault: a trailing word', () => ['run', PB, '--faults', script('at 5s crash s1 for 5s extra\n')], /faults\.txt:1: .*extra/],
  ['fault: two targets', () => ['run', PB, '--faults', script('at 5s crash s1 s2\n')], /faults\.txt:1: .*s2/],
  ['fault: a host on both sides', () => ['run', PB, '--faults', script('at 5s partition s1 | s1\n')], /faults\.txt:1: .*both sides/],
  ['fault: after the end of the run', () => ['run', PB, '--faults', script('at 999s crash s1\n')], /faults\.txt:1: .*after the end/],
  ['fault: a negative duration', () => ['run', PB, '--faults', script('at 5s crash s1 for -1s\n')], /faults\.txt:1/],
  ['fault: no at', () => ['run', PB, '--faults', script('crash s1\n')], /faults\.txt:1/],
  ['fault: pause without a target', () => ['run', PB, '--faults', script('at 5s pause\n')], /faults\.txt:1/],
  ['fault: a bad slow-disk factor', () => ['run', PB, '--faults', script('at 5s slow-disk s1 xabc for 1s\n')], /faults\.txt:1/],
  ['fault: a self cut', () => ['run', PB, '--faults', script('at 5s cut s1 -> s1 for 1s\n')], /faults\.txt:1: 's1' and 's1' are the same host, on both sides of the cut/],
  ['fault: two durations', () => ['run', PB, '--faults', script('at 5s crash s1 for 5s for 6s\n')], /faults\.txt:1/],
  ['fault: a bad clock offset', () => ['run', PB, '--faults', script('at 5s clock s1 offset abc for 1s\n')], /faults\.txt:1/],
  ['fault: an incomplete trigger', () => ['run', PB, '--faults', script('when s1 receives\n')], /faults\.txt:1/],
  ['fault: an error on line 3', () => ['run', PB, '--faults', script('# a comment\nat 1s crash s1 for 1s\nat 2s crash s3\n')], /faults\.txt:3/],
  ['fault: for on an instantaneous kind', () => ['run', PB, '--faults', script('at 5s restart s1 for 5s\n')], /faults\.txt:1/],
  ['fault: an unknown topic', () => ['run', KAFKA, '--faults', script('at 5s crash leader(nosuch-0)\n')], /no topic 'nosuch'/],
  ['fault: an unknown partition', () => ['run', KAFKA, '--faults', script('at 5s crash leader(events-7)\n')], /no partition 7 of 'events'/],
  ['fault: a binary script', () => ['run', PB, '--faults', script(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]))], /not a text file/],
  ['shrink: a bad fault script', () => ['shrink', PB, '--seed', '1', '--faults', script('at 5s crash s1 s2\n')], /faults\.txt:1/],

  // ---- scenario files
  ['a scenario path that does not exist', () => ['run', './nowhere/my-scenario.ts'], /no such scenario file: \.\/nowhere\/my-scenario\.ts/],
  ['a directory as a scenario', () => ['run', join(dir, 'a-dir') + '/'], /no such scenario file/],
  ['a module that is not a scenario', () => ['run', 'test/cli/fixtures/not-a-scenario.ts'], /does not default-export a scenario/],
  ['a scenario whose build() throws', () => ['run', 'test/cli/fixtures/build-throws.ts'], /scenario cli-build-throws: build\(\) threw TypeError: cannot read the workload file/],

  // ---- traces
  ['export: no trace', () => ['export', '-o', join(outDir, 'x.json')], /export: missing <trace>/],
  ['export: no -o', () => ['export', join(dir, 'text.jsonl')], /missing -o FILE/],
  ['export: unknown format', () => ['export', join(dir, 'text.jsonl'), '--format', 'perfeto', '-o', join(outDir, 'x.json')], /unknown format 'perfeto' \(did you mean 'perfetto'\?\)/],
  ['export: missing trace', () => ['export', join(dir, 'nope.jsonl'), '-o', join(outDir, 'x.json')], /no such file/],
  ['export: a directory as trace', () => ['export', join(dir, 'a-dir'), '-o', join(outDir, 'x.json')], /is a directory/],
  ['export: a fifo as trace', () => ['export', join(dir, 'fifo'), '-o', join(outDir, 'x.json')], /is a fifo/],
  ['export: text that is not a trace', () => ['export', join(dir, 'text.jsonl'), '-o', join(outDir, 'x.json')], /text\.jsonl/],
  ['export: an empty trace', () => ['export', join(dir, 'empty.jsonl'), '-o', join(outDir, 'x.json')], /empty\.jsonl/],
  ['export: a binary trace', () => ['export', process.execPath, '-o', join(outDir, 'x.json')], /trace|JSON|header/i],

  // ---- outputs
  ['--trace onto a device', () => ['run', PB, '--trace', '/dev/null'], /cannot write trace file \/dev\/null: it is a device/],
  ['--trace onto a directory', () => ['run', PB, '--trace', join(dir, 'a-dir')], /it is a directory/],
  ['--trace onto a fifo', () => ['run', PB, '--trace', join(dir, 'fifo')], /it is a fifo/],
  ['--trace under a file', () => ['run', PB, '--trace', join(dir, 'text.jsonl', 't.jsonl')], /is not a directory/],
  ['-o onto a device', () => ['export', join(dir, 'text.jsonl'), '-o', '/dev/null'], /cannot write export \/dev\/null: it is a device/],
  ['--out onto a directory', () => ['shrink', PB, '--seed', '1', '--out', join(dir, 'a-dir')], /cannot write fault script .*: it is a directory/],
];

describe('the malformed-input battery', () => {
  it('has at least 100 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
  });

  it.each(CASES)('%s: one line, exit 2, no stack trace, nothing written', async (_label, args, re) => {
    const a = args();
    // A run or shrink that got past its checks would write here: nothing may appear.
    const withOut = a[0] === 'run' && !a.includes('--trace') ? [...a, '--trace', join(outDir, 'run.jsonl')] : a;
    const r = await inProcess(withOut);
    const written = readdirSync(outDir);
    for (const w of written) rmSync(join(outDir, w), { force: true }); // one failure must not fail the cases after it
    expectOneLineError(r, re);
    expect(r.stdout).toBe('');
    expect(written).toEqual([]);
  }, 30_000);
});

describe('cases that need their own process', () => {
  it('a scenario file with a syntax error outside the checkout: file:line:col and the message', () => {
    const p = f('my-scenario.ts', "import { defineScenario } from 'dsim';\n\nexport default defineScenario({ name: 1 +, });\n");
    expectOneLineError(dsim(['run', p]), /cannot load scenario file .*my-scenario\.ts: .*my-scenario\.ts:3:42: Unexpected ","/);
  });

  it('a fault script with a trailing word on stdin', () => {
    expectOneLineError(dsim(['run', PB, '--faults', '-'], { input: 'at 5s crash s1 for 5s extra\n' }), /<stdin>:1/);
  });

  it('a copy of a scenario in another folder runs, importing dsim (the package)', () => {
    const p = f('pb.ts', [
      "import { defineScenario } from 'dsim';",
      `import { buildPbCluster, pbSummary } from '${join(process.cwd(), 'scenarios/kernel/lib/pb-cluster.ts')}';`,
      `import { pbSchema } from '${join(process.cwd(), 'scenarios/kernel/lib/pb-register.ts')}';`,
      "export default defineScenario({ name: 'my-pb', description: 'a copy', teaches: 't', systems: [], schema: pbSchema,",
      "  faultPhaseMs: 2_000, quiesceMs: 1_000, faults: 'at 1s crash s1 for 500ms\\n',",
      "  expect: { violations: [], why: 'w' }, build(world, cfg) { buildPbCluster(world, cfg); }, summary: pbSummary });",
    ].join('\n'));
    const r = dsim(['run', p]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^my-pb: a copy/);
    expect(r.code).toBe(0);
    expect(existsSync(p)).toBe(true);
  });
});
