import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { dsim, expectOneLineError, tempDir } from './helpers.ts';

// HDFS and YARN read their *-site.xml files with one reader (sim/core/hadoop-xml.ts): a malformed
// file is one line naming the file and the line, exit 2, whichever system reads it.

function native(name: string, text: string): string {
  const p = join(tempDir(), name);
  writeFileSync(p, text);
  return p;
}

describe('--config with a malformed Hadoop XML file', () => {
  it.each([
    ['hdfs-write-read', 'hdfs-site.xml', '<configuration>\n<property><name>dfs.replication</name><value>2</valu></property>\n</configuration>', /hdfs-site\.xml:2: end tag <\/valu> does not match <value> \(line 2\)$/],
    ['hdfs-write-read', 'core-site.xml', '<configuration>\n  <property><name>a & b</name><value>1</value></property>\n</configuration>', /core-site\.xml:2: bare '&' \(write &amp;\)$/],
    ['hdfs-write-read', 'hdfs-site.xml', '<configuration><property><name>dfs.replication</name></property></configuration>', /hdfs-site\.xml:1: property 'dfs\.replication' has no <value>$/],
    ['yarn-schedulers', 'yarn-site.xml', '<configuration>\n<property><name>x</name><value>1</value><valeu>2</valeu></property></configuration>', /yarn-site\.xml:2: unexpected <valeu> in <property>/],
    ['yarn-schedulers', 'capacity-scheduler.xml', '<properties></properties>', /capacity-scheduler\.xml:1: expected <configuration> as the root element, found <properties>$/],
    ['yarn-schedulers', 'yarn-site.xml', '<configuration>\n<property><name>x</name><value>1</value></property>', /yarn-site\.xml:2: <configuration> \(line 1\) is never closed$/],
  ])('%s --config %s: %j', (scenario, name, text, re) => {
    expectOneLineError(dsim(['run', scenario, '--config', native(name, text)]), re);
  });
});
