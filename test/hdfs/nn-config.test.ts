import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../sim/core/config.ts';
import { hdfsSchema, namenodeSettings, parseBytes, parseDuration, siteXmlOverrides } from '../../sim/hdfs/config.ts';
import { readConfigurationProperties } from '../../sim/core/hadoop-xml.ts';
import { SEC } from '../../sim/core/types.ts';

const SITE = `<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="configuration.xsl"?>
<!-- a real cluster's file -->
<configuration>
  <property>
    <name>dfs.replication</name>
    <value> 2 </value>
    <description>two &amp; no more</description>
  </property>
  <property><name>dfs.blocksize</name><value>64m</value><final>true</final></property>
  <property><name>dfs.namenode.name.dir</name><value>file:///data/nn</value></property>
  <property><name>dfs.namenode.checkpoint.period</name><value>1h</value></property>
</configuration>
`;

describe('hdfs configuration (hdfs-site.xml, Hadoop parsing and validation)', () => {
  it('reads hdfs-site.xml into hdfs.-prefixed keys, ignores addresses and directories, parses sizes and durations', () => {
    const { overrides, ignored } = siteXmlOverrides(SITE, 'hdfs-site.xml');
    expect(ignored).toEqual(['dfs.namenode.name.dir']);
    const s = namenodeSettings(resolveConfig(hdfsSchema, {}, overrides));
    expect(s.replication).toBe(2);
    expect(s.blockSize).toBe(64 * 1024 * 1024);
    expect(s.checkpointPeriodUs).toBe(3600 * SEC);
    expect(s.leaseHardLimitUs).toBe(1200 * SEC);
    expect(s.safemodeThresholdPct).toBe(0.999);
  });

  it.each([
    ['<configuration><property><name>a</name><value>1</value></configuration>', 'hdfs-site.xml:1: end tag </configuration> does not match <property> (line 1)'],
    ['<configuration>\n<property>\n<name>a</name>\n<value>1</valu>\n</property></configuration>', 'hdfs-site.xml:4: end tag </valu> does not match <value> (line 4)'],
    ['<configuration><property><value>1</value></property></configuration>', 'hdfs-site.xml:1: <property> without a <name>'],
    ['<conf></conf>', 'hdfs-site.xml:1: expected <configuration> as the root element, found <conf>'],
    ['<configuration>\n\n<property><name>a &b</name><value>1</value></property></configuration>', "hdfs-site.xml:3: bare '&' (write &amp;)"],
    ['<configuration><property><name>a</name><value>1</value></property>', 'hdfs-site.xml:1: <configuration> (line 1) is never closed'],
  ])('malformed XML is a one-line error with its line: %j', (text, message) => {
    expect(() => readConfigurationProperties(text, 'hdfs-site.xml')).toThrow(message);
  });

  it("Hadoop's wording for bad values and impossible combinations", () => {
    expect(parseBytes('dfs.blocksize', '12x')).toEqual({ error: 'For input string: "12x"' });
    expect(parseDuration('90m', 's')).toBe(5400);
    expect(() => resolveConfig(hdfsSchema, {}, { 'hdfs.dfs.blocksize': 'big' })).toThrow('invalid value for hdfs.dfs.blocksize: For input string: "big"');
    expect(() => namenodeSettings(resolveConfig(hdfsSchema, {}, { 'hdfs.dfs.replication': '600' }))).toThrow(
      'Unexpected configuration parameters: dfs.replication = 600 < dfs.namenode.replication.min = 1 or > dfs.replication.max = 512');
    expect(() => namenodeSettings(resolveConfig(hdfsSchema, {}, { 'hdfs.version': '2.7', 'hdfs.dfs.namenode.lease-hard-limit-sec': '600' }))).toThrow(
      'hdfs.dfs.namenode.lease-hard-limit-sec needs hdfs.version 3.3 (HDFS-14758)');
    expect(namenodeSettings(resolveConfig(hdfsSchema, {}, { 'hdfs.version': '2.7' })).leaseHardLimitUs).toBe(3600 * SEC);
    expect(() => resolveConfig(hdfsSchema, {}, { 'hdfs.dfs.replicaton': '2' })).toThrow("did you mean 'hdfs.dfs.replication'");
  });
});

describe('hdfs System: hdfs-site.xml through the seam', () => {
  it('sorts a file into modelled values, unmodelled keys and unknown keys with the closest known one', async () => {
    const { hdfsSystem } = await import('../../sim/hdfs/system.ts');
    const reader = hdfsSystem.configFiles.find((r) => r.fileNames.includes('hdfs-site.xml'))!;
    const r = reader.read('hdfs-site.xml', SITE.replace('</configuration>', '<property><name>dfs.replicaton</name><value>1</value></property></configuration>'));
    expect(r.values).toEqual({ 'hdfs.dfs.replication': '2', 'hdfs.dfs.blocksize': '64m', 'hdfs.dfs.namenode.checkpoint.period': '1h' });
    expect(r.unmodelled).toEqual(['dfs.namenode.name.dir']);
    expect(r.unknown).toEqual([{ key: 'dfs.replicaton', closest: 'hdfs.dfs.replication' }]);
  });
});
