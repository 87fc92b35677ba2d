import type { DiskView } from '../core/actor.ts';
import type { Config } from '../core/config.ts';

// The NodeManager's disk health (LocalDirsHandlerService with its DirectoryCollections, and
// NodeHealthCheckerService, which reports it in every heartbeat's NodeHealthStatus). Every
// yarn.nodemanager.disk-health-checker.interval-ms, and once at start, each local dir and each log
// dir is checked: a dir is bad when a probe file cannot be written in it (a failing disk: EIO, or
// no space left: ENOSPC), or when its disk is used above
// max-disk-utilization-per-disk-percentage or has less than min-free-space-per-disk-mb free
// (DirectoryCollection.testDirs: "used space above threshold"). The node's disks are unhealthy when
// the good fraction of the local dirs, or of the log dirs, falls below min-healthy-disks
// (LocalDirsHandlerService.areDisksHealthy). In dsim a host has one disk: every dir is on it.

/** yarn.nodemanager.local-dirs and yarn.nodemanager.log-dirs as Hadoop names them by default. */
const LOCAL_DIRS = ['/tmp/hadoop-yarn/nm-local-dir'];
const LOG_DIRS = ['/tmp/logs/userlogs'];
const PROBE = 'nm-disk-health-probe';
const PROBE_BYTES = new Uint8Array(1);
const MB = 1024 * 1024;

export interface DiskHealth {
  readonly healthy: boolean;
  /** LocalDirsHandlerService.getDisksHealthReport(false): '' when every dir is good. */
  readonly report: string;
}

export class DiskHealthChecker {
  readonly enabled: boolean;
  readonly intervalMs: number;
  private readonly minHealthy: number;
  private readonly maxUtilizationPercent: number;
  private readonly minFreeMb: number;

  constructor(cfg: Config) {
    this.enabled = cfg.bool('yarn.nodemanager.disk-health-checker.enable');
    this.intervalMs = cfg.int('yarn.nodemanager.disk-health-checker.interval-ms');
    this.minHealthy = cfg.num('yarn.nodemanager.disk-health-checker.min-healthy-disks');
    this.maxUtilizationPercent = cfg.num('yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage');
    this.minFreeMb = cfg.int('yarn.nodemanager.disk-health-checker.min-free-space-per-disk-mb');
  }

  /** Why the (one) disk's dirs are bad, or null when they are good. */
  private diskProblem(disk: DiskView): string | null {
    const err = disk.write(PROBE, 0, PROBE_BYTES);
    if (err !== null) return `error ${err} writing to the directory`;
    disk.delete(PROBE);
    const u = disk.usage?.();
    if (u === undefined || u.capacityBytes <= 0) return null;
    const usedPercent = (u.usedBytes / u.capacityBytes) * 100;
    if (usedPercent > this.maxUtilizationPercent) return `used space above threshold of ${this.maxUtilizationPercent.toFixed(1)}%`;
    if ((u.capacityBytes - u.usedBytes) / MB < this.minFreeMb) return `free space below limit of ${this.minFreeMb}MB`;
    return null;
  }

  check(disk: DiskView): DiskHealth {
    if (!this.enabled) return { healthy: true, report: '' };
    const problem = this.diskProblem(disk);
    if (problem === null) return { healthy: true, report: '' };
    // Every dir is on the host's disk: all bad together.
    const bad = (dirs: readonly string[], what: string): string => `${dirs.length}/${dirs.length} ${what} are bad: ${dirs.map((d) => `${d} : ${problem}`).join(',')}`;
    const goodFraction = 0;
    return {
      healthy: !(goodFraction < this.minHealthy),
      report: `${bad(LOCAL_DIRS, 'local-dirs')}; ${bad(LOG_DIRS, 'log-dirs')}`,
    };
  }
}
