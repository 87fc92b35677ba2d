import { describe, expect, it } from 'vitest';
import type { ConfigValue } from '../../sim/core/config.ts';
import { runScenario } from '../../sim/harness/run.ts';
import { jobsIn } from '../../sim/mapreduce/cluster.ts';
import { mapreduceSystem } from '../../sim/mapreduce/system.ts';
import { countWords, expectedOutput, partitionOf, VOCABULARY, WORDS_PER_CHUNK } from '../../sim/mapreduce/words.ts';
import mrAmRestart from '../../scenarios/mapreduce/mr-am-restart.ts';
import mrNodemanagerLoss from '../../scenarios/mapreduce/mr-nodemanager-loss.ts';
import mrWordcount from '../../scenarios/mapreduce/mr-wordcount.ts';

// The MapReduce job end to end: the word count's data model, configuration, and runs whose
// counters show the mechanisms (locality, speculation, recovery) with the output checked exact.

function job(scenario: typeof mrWordcount, set: { [k: string]: ConfigValue } = {}, seed = 1) {
  const r = runScenario(scenario, { seed, overrides: set });
  const jobs = jobsIn(r.world);
  return { r, last: jobs[jobs.length - 1]!, jobs };
}

describe('word count data', () => {
  it('a split is whole chunks of words, and the splits of a file add up to the file', () => {
    const bpc = 512;
    const whole = countWords('/input/file-0', 0, 4096, bpc);
    const a = countWords('/input/file-0', 0, 2048, bpc);
    countWords('/input/file-0', 2048, 2048, bpc, a);
    expect([...a.entries()].sort()).toEqual([...whole.entries()].sort());
    expect([...whole.values()].reduce((x, y) => x + y, 0)).toBe((4096 / bpc) * WORDS_PER_CHUNK);
    expect([...whole.keys()].every((w) => /^w\d{3}$/.test(w))).toBe(true);
  });
  it('partitions every word once (HashPartitioner) and the expected output holds every word of the input', () => {
    const parts = expectedOutput([{ path: '/input/file-0', length: 1 << 20 }], 512, 3);
    const words = parts.flat().map(([w]) => w);
    expect(new Set(words).size).toBe(words.length);
    expect(words.length).toBeLessThanOrEqual(VOCABULARY);
    parts.forEach((p, i) => p.forEach(([w]) => expect(partitionOf(w, 3)).toBe(i)));
    expect(parts.flat().reduce((s, [, n]) => s + n, 0)).toBe(((1 << 20) / 512) * WORDS_PER_CHUNK);
  });
});

describe('mapred-site.xml and mapreduce.* keys', () => {
  const reader = mapreduceSystem.configFiles[0]!;
  it('reads modelled keys, lists real unmodelled ones, and names the closest key for a typo', () => {
    const xml = '<configuration><property><name>mapreduce.job.reduces</name><value>4</value></property>'
      + '<property><name>mapreduce.framework.name</name><value>yarn</value></property>'
      + '<property><name>mapreduce.map.maxattempt</name><value>2</value></property></configuration>';
    const r = reader.read('mapred-site.xml', xml);
    expect(r.values).toEqual({ 'mapreduce.job.reduces': '4' });
    expect(r.unmodelled).toEqual(['mapreduce.framework.name']);
    expect(r.unknown).toEqual([{ key: 'mapreduce.map.maxattempt', closest: 'mapreduce.map.maxattempts' }]);
  });
  it('refuses a committer algorithm other than 1 or 2 with FileOutputCommitter\'s message', () => {
    expect(() => runScenario(mrWordcount, { seed: 1, overrides: { 'mapreduce.fileoutputcommitter.algorithm.version': '3' } })).toThrow(/Only 1 or 2 algorithm version is supported/);
  });
});

describe('the job', () => {
  it('mr-wordcount: 8 maps, mostly data-local, 3 reduces, the exact output, once', () => {
    const { r, last, jobs } = job(mrWordcount);
    expect(r.violations).toEqual([]);
    expect(jobs.length).toBe(1);
    expect(last.state).toBe('SUCCEEDED');
    const c = last.counters;
    expect(c.maps).toBe(8);
    expect(c.launchedReduces).toBe(3);
    expect(c.dataLocal! + c.rackLocal! + c.otherLocal!).toBe(8);
    expect(c.dataLocal).toBeGreaterThanOrEqual(4);
    expect(r.checks.find((x) => x.name === 'mr-output-exactly-once')?.status).toBe('pass');
  });
  it('a slow node: its attempts are speculated, the losers end KILLED (not counted), the output is exact', () => {
    const { r, last } = job(mrWordcount, { 'workload.slowHost': 'w-5', 'workload.slowFactor': 4, 'mapreduce.fileoutputcommitter.algorithm.version': '2' });
    expect(r.violations).toEqual([]);
    expect(last.state).toBe('SUCCEEDED');
    expect(last.counters.speculative).toBeGreaterThan(0);
    expect(last.counters.failedMaps! + last.counters.failedReduces!).toBe(0);
  });
  it('mr-nodemanager-loss: the lost node\'s completed maps re-run after fetch failures, the output is unchanged', () => {
    const { r, last } = job(mrNodemanagerLoss);
    expect(r.violations).toEqual([]);
    expect(last.state).toBe('SUCCEEDED');
    expect(last.counters.fetchFailureReruns).toBeGreaterThanOrEqual(1);
    expect(last.counters.failedMaps).toBe(last.counters.fetchFailureReruns);
  });
  it('mr-am-restart: attempt 2 recovers the finished tasks (reduces by recoverTask) and commits once', () => {
    for (const v of ['1', '2']) {
      const { r, last } = job(mrAmRestart, { 'mapreduce.fileoutputcommitter.algorithm.version': v });
      expect(r.violations).toEqual([]);
      expect(last.amAttempt).toMatch(/_000002$/);
      expect(last.state).toBe('SUCCEEDED');
      expect(last.counters.recovered).toBeGreaterThanOrEqual(9);
    }
  });
});
