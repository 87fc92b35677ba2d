import type { Config } from '../../core/config.ts';
import type { ProcessId } from '../../core/types.ts';
import type { Checker, CheckStatus, RunPhases } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import '../namenode/observations.ts';

// hdfs-safemode: the NameNode leaves startup safe mode when Hadoop 3.3's BlockManagerSafeMode says
// it may, judged by this checker's own reading of the configuration (not the NameNode's):
// - the thresholds hold when it leaves: safe blocks >= floor(total x dfs.namenode.safemode.threshold-pct)
//   (a threshold above 1 never holds, one <= 0 always does) and live DataNodes >=
//   dfs.namenode.safemode.min.datanodes;
// - it left at activation only if the thresholds held then (activate: no extension);
// - otherwise not before dfs.namenode.safemode.extension after the first moment they held (the
//   extension is counted from reachedTime, set once on PENDING_THRESHOLD -> EXTENSION);
// - with `maxLateMs`: not later than maxLateMs after it could have left (the extension over and the
//   thresholds holding), and not still on at the end when it could have left. This part is for
//   scenarios that do not pause or crash the NameNode while it decides; a paused NameNode leaves late,
//   as a Java one in a long GC does.
// The counts are the block manager's (hdfs-nn-safemode-on / -counts / -off observations): this checks
// the state machine's timing against the counts it was given. Manual exits are not judged.

const NAME = 'hdfs-safemode';

export interface SafeModeCheckerOptions {
  readonly thresholdPct: number;
  readonly extensionMs: number;
  readonly minDatanodes: number;
  /** Judge lateness too (null: only "not too early"). */
  readonly maxLateMs?: number | null;
}

interface Counts {
  readonly blockTotal: number;
  readonly blockSafe: number;
  readonly liveDatanodes: number;
}

interface Episode {
  readonly onUs: number;
  readonly metAtActivation: boolean;
  /** The first time the thresholds held (reachedTime), or null. */
  firstMetUs: number | null;
  /** Since when they hold without a break (null: they do not hold now). */
  metSinceUs: number | null;
  counts: Counts;
}

export function safeModeCheckerOptions(cfg: Config, maxLateMs: number | null = null): SafeModeCheckerOptions {
  return {
    thresholdPct: cfg.num('hdfs.dfs.namenode.safemode.threshold-pct'),
    extensionMs: cfg.int('hdfs.dfs.namenode.safemode.extension'),
    minDatanodes: cfg.int('hdfs.dfs.namenode.safemode.min.datanodes'),
    maxLateMs,
  };
}

export function hdfsSafeModeChecker(opts: SafeModeCheckerOptions): Checker {
  const met = (c: Counts): boolean => {
    if (opts.thresholdPct > 1) return false;
    const blocks = opts.thresholdPct <= 0 || c.blockSafe >= Math.floor(c.blockTotal * opts.thresholdPct);
    return blocks && c.liveDatanodes >= opts.minDatanodes;
  };
  const describe = (c: Counts): string => `${c.blockSafe} of ${c.blockTotal} blocks safe (threshold ${Math.floor(c.blockTotal * opts.thresholdPct)}), ${c.liveDatanodes} live DataNodes (minimum ${opts.minDatanodes})`;
  const extUs = opts.extensionMs * 1000;
  /** When it could have left: the extension over and the thresholds holding (null: not yet). */
  const dueUs = (e: Episode): number | null => {
    if (e.metAtActivation) return e.onUs;
    if (e.firstMetUs === null || e.metSinceUs === null) return null;
    return extUs <= 0 ? e.metSinceUs : Math.max(e.firstMetUs + extUs, e.metSinceUs);
  };
  const episodes = new Map<ProcessId, Episode>();
  return {
    name: NAME,
    kind: 'safety',
    description: 'startup safe mode is left only when the thresholds hold, after the extension counted from when they were first reached (and, where asked, not late)',
    attach(world: World) {
      const sec = (us: number): string => `${(us / 1e6).toFixed(3)} s`;
      world.onObserve('hdfs-nn-safemode-on', (p, d) => {
        const now = world.nowUs;
        const m = met(d);
        episodes.set(p, { onUs: now, metAtActivation: m, firstMetUs: m ? now : null, metSinceUs: m ? now : null, counts: d });
      });
      world.onObserve('hdfs-nn-safemode-counts', (p, d) => {
        const e = episodes.get(p);
        if (e === undefined) return;
        const now = world.nowUs;
        e.counts = d;
        if (met(d)) {
          if (e.firstMetUs === null) e.firstMetUs = now;
          if (e.metSinceUs === null) e.metSinceUs = now;
        } else e.metSinceUs = null;
      });
      world.onObserve('hdfs-nn-safemode-off', (p, d) => {
        const e = episodes.get(p);
        episodes.delete(p);
        if (e === undefined || d.manual) return;
        const now = world.nowUs;
        const who = world.procNames[p];
        if (!met(d)) {
          world.reportViolation(NAME, `${who} left safe mode at ${sec(now)} with the thresholds not met: ${describe(d)}`);
          return;
        }
        if (e.metAtActivation) return;
        if (e.firstMetUs === null) {
          world.reportViolation(NAME, `${who} left safe mode at ${sec(now)} though the thresholds never held before: ${describe(d)}`);
          return;
        }
        if (extUs > 0 && now - e.firstMetUs < extUs) {
          world.reportViolation(NAME, `${who} left safe mode at ${sec(now)}, ${((now - e.firstMetUs) / 1e6).toFixed(3)} s after the thresholds were reached at ${sec(e.firstMetUs)}: before the extension of ${opts.extensionMs / 1000} s`);
          return;
        }
        const due = dueUs(e);
        if (opts.maxLateMs != null && due !== null && now - due > opts.maxLateMs * 1000) {
          world.reportViolation(NAME, `${who} left safe mode at ${sec(now)}, ${((now - due) / 1e6).toFixed(3)} s after it could have (extension over, thresholds held since ${sec(e.metSinceUs ?? due)}): later than ${opts.maxLateMs} ms`);
        }
      });
    },
    finish(world: World, run: RunPhases): CheckStatus {
      if (opts.maxLateMs == null) return 'pass';
      for (const [p, e] of episodes) {
        if (!world.isUp(p)) continue;
        const due = dueUs(e);
        if (due !== null && run.endUs - due > opts.maxLateMs * 1000) {
          world.reportViolation(NAME, `${world.procNames[p]} is still in safe mode at the end, though it could have left at ${(due / 1e6).toFixed(3)} s (${describe(e.counts)})`);
          return 'fail';
        }
      }
      return 'pass';
    },
  };
}
