import type { Config, ConfigSchema, KeySpec } from '../../core/config.ts';
import { UsageError } from '../../core/invariant.ts';
import type { QjmTimeouts } from './qjm.ts';

// The HA keys (hdfs-default.xml / core-default.xml of Hadoop 3.3, under the `hdfs.` prefix). They
// act on the HA processes only (JournalNodes, HA NameNodes, ZKFCs: ha/ha-cluster.ts); the topology
// keys (dfs.nameservices, dfs.ha.namenodes.<ns>, dfs.namenode.shared.edits.dir,
// ha.zookeeper.quorum) are the scenario's process names (README "HA", Deviations).

const UNIT_MS: { readonly [u: string]: number } = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Configuration.getTimeDuration, as config.ts's parseDuration (not imported: config.ts spreads this schema in). */
function parseDuration(raw: string, unit: 's' | 'ms'): number | { error: string } {
  const m = /^(-?\d+)(ns|us|ms|s|m|h|d)?$/.exec(raw.trim());
  if (m === null) return { error: `For input string: "${raw.trim()}"` };
  return m[2] === undefined ? Number(m[1]) : Math.floor((Number(m[1]) * UNIT_MS[m[2]]!) / UNIT_MS[unit]!);
}

function seconds(def: number, doc: string): KeySpec {
  return { type: 'int', default: def, min: 1, doc, parse: (raw) => parseDuration(raw, 's') };
}
function millis(def: number, doc: string): KeySpec {
  return { type: 'int', default: def, min: 1, doc, parse: (raw) => parseDuration(raw, 'ms') };
}

export const haSchema: ConfigSchema = {
  'hdfs.dfs.ha.tail-edits.period': seconds(60, 'How often, in seconds, the standby NameNode checks the JournalNodes for new finalized edit segments (suffixes: 1m, 60s)'),
  'hdfs.dfs.ha.log-roll.period': seconds(120, 'How often, in seconds, the standby NameNode asks the active to roll its edit log'),
  'hdfs.dfs.ha.fencing.methods': {
    type: 'string', default: '',
    doc: 'Fencing methods tried in order when a ZKFC must fence the old active after graceful transitionToStandby failed; dsim runs shell(/bin/true) (succeeds; the JournalNode epochs fence the writer). Empty: fencing fails',
  },
  'hdfs.ha.zookeeper.session-timeout.ms': { type: 'int', default: 10000, min: 1, doc: 'The session timeout the ZKFC\'s ActiveStandbyElector asks ZooKeeper for, in ms' },
  'hdfs.ha.health-monitor.check-interval.ms': { type: 'int', default: 1000, min: 1, doc: 'How often the ZKFC\'s HealthMonitor calls monitorHealth on its NameNode' },
  'hdfs.ha.health-monitor.rpc-timeout.ms': { type: 'int', default: 45000, min: 1, doc: 'Timeout of the HealthMonitor\'s monitorHealth call' },
  'hdfs.ha.failover-controller.graceful-fence.rpc-timeout.ms': { type: 'int', default: 5000, min: 1, doc: 'Timeout of the graceful fence: transitionToStandby on the old active' },
  'hdfs.ha.failover-controller.new-active.rpc-timeout.ms': { type: 'int', default: 60000, min: 1, doc: 'Timeout of transitionToActive on the NameNode that won the election' },
  'hdfs.dfs.qjournal.start-segment.timeout.ms': millis(20000, 'Quorum timeout of startLogSegment on the JournalNodes'),
  'hdfs.dfs.qjournal.prepare-recovery.timeout.ms': millis(120000, 'Quorum timeout of prepareRecovery'),
  'hdfs.dfs.qjournal.accept-recovery.timeout.ms': millis(120000, 'Quorum timeout of acceptRecovery'),
  'hdfs.dfs.qjournal.finalize-segment.timeout.ms': millis(120000, 'Quorum timeout of finalizeLogSegment'),
  'hdfs.dfs.qjournal.select-input-streams.timeout.ms': millis(20000, 'Timeout of reading the JournalNodes\' manifests and segments'),
  'hdfs.dfs.qjournal.get-journal-state.timeout.ms': millis(120000, 'Quorum timeout of getJournalState'),
  'hdfs.dfs.qjournal.new-epoch.timeout.ms': millis(120000, 'Quorum timeout of newEpoch'),
  'hdfs.dfs.qjournal.write-txns.timeout.ms': millis(20000, 'Quorum timeout of a journal() batch: the active NameNode terminates when a quorum does not take its edits in time'),
};

export interface HaSettings {
  readonly tailEditsPeriodMs: number;
  readonly logRollPeriodMs: number;
  readonly fencingMethods: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly healthCheckIntervalMs: number;
  readonly healthRpcTimeoutMs: number;
  readonly gracefulFenceTimeoutMs: number;
  readonly newActiveTimeoutMs: number;
  readonly qjm: QjmTimeouts;
}

/** Reads and validates the HA keys (NodeFencer's parse of dfs.ha.fencing.methods: one method per line). */
export function haSettings(cfg: Config): HaSettings {
  const methods = cfg.str('hdfs.dfs.ha.fencing.methods').split(/\n/).map((m) => m.trim()).filter((m) => m !== '');
  for (const m of methods) {
    if (!/^shell\(.*\)$/.test(m) && m !== 'sshfence' && !m.startsWith('sshfence(')) throw new UsageError(`dfs.ha.fencing.methods: Unable to parse line: '${m}'`);
    if (m !== 'shell(/bin/true)') throw new UsageError(`dfs.ha.fencing.methods: dsim runs only shell(/bin/true) (no ssh or shell here), not '${m}'`);
  }
  return {
    tailEditsPeriodMs: cfg.int('hdfs.dfs.ha.tail-edits.period') * 1000,
    logRollPeriodMs: cfg.int('hdfs.dfs.ha.log-roll.period') * 1000,
    fencingMethods: methods,
    sessionTimeoutMs: cfg.int('hdfs.ha.zookeeper.session-timeout.ms'),
    healthCheckIntervalMs: cfg.int('hdfs.ha.health-monitor.check-interval.ms'),
    healthRpcTimeoutMs: cfg.int('hdfs.ha.health-monitor.rpc-timeout.ms'),
    gracefulFenceTimeoutMs: cfg.int('hdfs.ha.failover-controller.graceful-fence.rpc-timeout.ms'),
    newActiveTimeoutMs: cfg.int('hdfs.ha.failover-controller.new-active.rpc-timeout.ms'),
    qjm: {
      startSegmentMs: cfg.int('hdfs.dfs.qjournal.start-segment.timeout.ms'),
      prepareRecoveryMs: cfg.int('hdfs.dfs.qjournal.prepare-recovery.timeout.ms'),
      acceptRecoveryMs: cfg.int('hdfs.dfs.qjournal.accept-recovery.timeout.ms'),
      finalizeSegmentMs: cfg.int('hdfs.dfs.qjournal.finalize-segment.timeout.ms'),
      selectInputStreamsMs: cfg.int('hdfs.dfs.qjournal.select-input-streams.timeout.ms'),
      getJournalStateMs: cfg.int('hdfs.dfs.qjournal.get-journal-state.timeout.ms'),
      newEpochMs: cfg.int('hdfs.dfs.qjournal.new-epoch.timeout.ms'),
      writeTxnsMs: cfg.int('hdfs.dfs.qjournal.write-txns.timeout.ms'),
    },
  };
}
