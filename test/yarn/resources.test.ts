import { describe, expect, it } from 'vitest';
import { parseHadoopConfiguration, parseXml } from '../../sim/core/hadoop-xml.ts';
import { defaultCalculator, dominantCalculator, normalize } from '../../sim/yarn/resource.ts';
import { computeShares } from '../../sim/yarn/scheduler/fair-shares.ts';

describe('resource calculators', () => {
  const cluster = { memoryMb: 100_000, vcores: 100 };
  it('DefaultResourceCalculator compares memory only', () => {
    expect(defaultCalculator.compare(cluster, { memoryMb: 2048, vcores: 50 }, { memoryMb: 4096, vcores: 1 })).toBeLessThan(0);
    expect(defaultCalculator.computeAvailableContainers({ memoryMb: 8192, vcores: 1 }, { memoryMb: 1024, vcores: 4 })).toBe(8);
  });
  it('DominantResourceCalculator compares dominant shares', () => {
    // 2 GB / 50 cores: dominant share 0.5 (cores) beats 4 GB / 1 core (0.04).
    expect(dominantCalculator.compare(cluster, { memoryMb: 2048, vcores: 50 }, { memoryMb: 4096, vcores: 1 })).toBeGreaterThan(0);
    expect(dominantCalculator.computeAvailableContainers({ memoryMb: 8192, vcores: 2 }, { memoryMb: 1024, vcores: 1 })).toBe(2);
  });
  it('normalize rounds up to the minimum allocation and caps at the maximum', () => {
    expect(normalize({ memoryMb: 1500, vcores: 0 }, { memoryMb: 1024, vcores: 1 }, { memoryMb: 8192, vcores: 4 })).toEqual({ memoryMb: 2048, vcores: 1 });
    expect(normalize({ memoryMb: 20_000, vcores: 9 }, { memoryMb: 1024, vcores: 1 }, { memoryMb: 8192, vcores: 4 })).toEqual({ memoryMb: 8192, vcores: 4 });
  });
});

describe('ComputeFairShares', () => {
  const s = (weight: number, minShare = 0, maxShare = Infinity, active = true) => ({ weight, minShare, maxShare, active });
  it('splits by weight', () => {
    expect(computeShares([s(1), s(3)], 100_000, false)).toEqual([25_000, 75_000]);
  });
  it('gives a min share first and caps at the max share, redistributing the rest', () => {
    expect(computeShares([s(1, 40_000), s(1), s(1)], 90_000, false)).toEqual([40_000, 25_000, 25_000]);
    expect(computeShares([s(1, 0, 10_000), s(1)], 90_000, false)).toEqual([10_000, 80_000]);
  });
  it('instantaneous shares skip inactive queues; steady shares count them', () => {
    expect(computeShares([s(1), s(1, 0, Infinity, false)], 80_000, false)).toEqual([80_000, 0]);
    expect(computeShares([s(1), s(1, 0, Infinity, false)], 80_000, true)).toEqual([40_000, 40_000]);
  });
  it('a zero weight gets exactly its min share', () => {
    expect(computeShares([s(0, 5000), s(1)], 80_000, false)).toEqual([5000, 75_000]);
  });
  it("the shares never exceed a total that covers the min shares", () => {
    for (const total of [150, 1000, 12_345, 999_999]) {
      const r = computeShares([s(1), s(2), s(3, 100), s(0.5, 0, 50)], total, false);
      expect(r.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(total);
      expect(r.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(total - 4);
    }
  });
});

describe('Hadoop XML', () => {
  it('reads a *-site.xml with comments, entities and CDATA', () => {
    const m = parseHadoopConfiguration(`<?xml version="1.0"?>
<!-- a comment -->
<configuration>
  <property><name>yarn.resourcemanager.am.max-attempts</name><value>4</value><description>x &lt; y</description></property>
  <property><name>a.b</name><value><![CDATA[1,2]]></value><final>true</final></property>
</configuration>`, 'yarn-site.xml');
    expect([...m]).toEqual([['yarn.resourcemanager.am.max-attempts', '4'], ['a.b', '1,2']]);
  });
  it('names the file and line of a mismatched tag', () => {
    expect(() => parseXml('<configuration>\n<property>\n</configuration>', 'x.xml')).toThrow(/x\.xml:3: end tag <\/configuration> does not match <property>/);
  });
});
