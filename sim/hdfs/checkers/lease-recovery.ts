import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { namenodeSettings } from '../config.ts';
import { NAMENODE_LEASE_HOLDER } from '../namenode/leases.ts';

// hdfs-lease (liveness, issue 12): a dead writer's lease is recovered and its file closed within
// the hard limit. At the end of the run, from the NameNode's lease table (inspect().leases):
//  - a client lease not renewed for longer than the hard limit plus two lease-monitor rounds means
//    the monitor did not start recovery (LeaseManager.checkLeases);
//  - a file whose recovery (internalReleaseLease -> block recovery) started longer ago than the hard
//    limit plus `recoveryBoundMs` is still not closed: block recovery never completed.
// The NameNode must be up at the end (otherwise the check says unknown).

export interface LeaseCheckerOptions {
  readonly namenode: string;
  /** Time a started recovery may take beyond one more hard-limit period (its retry). Default 120 s. */
  readonly recoveryBoundMs?: number;
}

interface LeaseView {
  readonly holder: string;
  readonly files: readonly string[];
  readonly lastUpdateUs: number;
  readonly recoveryStartedUs: { readonly [path: string]: number };
}

export function leaseRecoveryChecker(opts: LeaseCheckerOptions): Checker {
  const name = 'hdfs-lease';
  return {
    name,
    kind: 'liveness',
    description: "a dead writer's lease is recovered and its file closed within the hard limit (plus a recovery)",
    finish(world: World) {
      if (!world.hasProcess(opts.namenode)) return 'unknown';
      const pid = world.pid(opts.namenode);
      if (!world.isUp(pid)) return 'unknown';
      const view = world.inspect(pid) as { state?: string; leases?: readonly LeaseView[] };
      if (view.state !== 'active' || view.leases === undefined) return 'unknown';
      const s = namenodeSettings(world.config);
      const monitorUs = 2 * s.leaseRecheckIntervalUs;
      const boundUs = s.leaseHardLimitUs + (opts.recoveryBoundMs ?? 120_000) * 1000;
      const now = world.nowUs;
      for (const l of view.leases) {
        if (l.holder !== NAMENODE_LEASE_HOLDER && now - l.lastUpdateUs > s.leaseHardLimitUs + monitorUs) {
          world.reportViolation(name, `the lease of ${l.holder} on ${l.files.join(', ')} was last renewed ${((now - l.lastUpdateUs) / 1e6).toFixed(0)} s ago, past the hard limit of ${s.leaseHardLimitUs / 1e6} s, and was not recovered`);
        }
        for (const [path, startedUs] of Object.entries(l.recoveryStartedUs)) {
          if (now - startedUs > boundUs) {
            world.reportViolation(name, `lease recovery of ${path} started ${((now - startedUs) / 1e6).toFixed(0)} s ago and the file is still open (holder ${l.holder})`);
          }
        }
      }
      return undefined;
    },
  };
}
