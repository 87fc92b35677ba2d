// hdfs.version: the Hadoop release whose behaviour dsim runs ("2.7", "3.1", "3.3"; default "3.3").
// Every behaviour that differs between them is a named flag below, documented with its JIRA, resolved
// once from the version (like sim/kafka/version.ts). Protocol code reads flags, never version ids.

export const HDFS_VERSIONS = ['2.7', '3.1', '3.3'] as const;
export type HdfsVersion = (typeof HDFS_VERSIONS)[number];
export const DEFAULT_HDFS_VERSION: HdfsVersion = '3.3';

export interface HdfsFeatures {
  readonly version: HdfsVersion;
  /**
   * NameNodeLayoutVersion.CURRENT_LAYOUT_VERSION, written in edit-log headers and images:
   * -63 (QUOTA_BY_STORAGE_TYPE, 2.7), -64 (ERASURE_CODING, 3.0 onwards, also 3.1 and 3.3).
   */
  readonly layoutVersion: number;
  /**
   * HDFS-14758 (3.3.0): the lease hard limit, after which the NameNode recovers a writer's lease on
   * its own, is dfs.namenode.lease-hard-limit-sec (default 1200 s). Before, it was the hard-coded
   * HdfsConstants.LEASE_HARDLIMIT_PERIOD, 1 hour, and no key existed.
   */
  readonly leaseHardLimitConfigurable: boolean;
  /** The hard limit when the key does not exist (before 3.3): 1 h. */
  readonly leaseHardLimitFixedSec: number;
}

export function isHdfsVersion(v: string): v is HdfsVersion {
  return (HDFS_VERSIONS as readonly string[]).includes(v);
}

export function hdfsFeatures(v: HdfsVersion): HdfsFeatures {
  const ge = (b: HdfsVersion): boolean => HDFS_VERSIONS.indexOf(v) >= HDFS_VERSIONS.indexOf(b);
  return {
    version: v,
    layoutVersion: ge('3.1') ? -64 : -63,
    leaseHardLimitConfigurable: ge('3.3'),
    leaseHardLimitFixedSec: 3600,
  };
}

/** Layout versions a NameNode of this release can read: its own and older ones (less negative). */
export function readableLayouts(f: HdfsFeatures): number[] {
  const out: number[] = [];
  for (let lv = -63; lv >= f.layoutVersion; lv--) out.push(lv);
  return out;
}
