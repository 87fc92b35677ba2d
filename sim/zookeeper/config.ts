// zoo.cfg keys, their defaults and validation (QuorumPeerConfig.java). Scenarios spell them with a
// `zookeeper.` prefix (`zookeeper.tickTime`, `--set zookeeper.syncLimit=2`) and merge `zkSchema`
// into their own schema; Kafka scenarios that embed an ensemble do the same.
//
// Two keys deviate from ZooKeeper in how they are given: initLimit and syncLimit have no default in
// ZooKeeper (a zoo.cfg must set them); here they default to zoo_sample.cfg's 10 and 5 so a scenario
// need not repeat them. The server list is a count (`zookeeper.servers`, ids 1..n named zk-1..zk-n)
// rather than `server.N=host:2888:3888` lines; parseZooCfg accepts those lines and derives the count.

import type { Config, ConfigSchema, ConfigValue } from '../core/config.ts';
import { closest, parseProperties } from '../core/config.ts';
import { UsageError } from '../core/invariant.ts';
import { MS } from '../core/types.ts';
import type { ConfigFileRead } from '../harness/system.ts';

export const zkSchema: ConfigSchema = {
  'zookeeper.servers': { type: 'int', default: 3, min: 1, max: 31, doc: 'number of voting peers (server.1 .. server.N in zoo.cfg); names zk-1..zk-N' },
  'zookeeper.tickTime': { type: 'int', default: 2000, min: 1, doc: 'basic time unit in ms: heartbeats, session expiry buckets; ZooKeeper\'s code default is 3000, zoo_sample.cfg uses 2000' },
  'zookeeper.initLimit': { type: 'int', default: 10, min: 1, doc: 'ticks a follower may take to connect and sync to the leader (no default in ZooKeeper; zoo_sample.cfg: 10)' },
  'zookeeper.syncLimit': { type: 'int', default: 5, min: 1, doc: 'ticks a follower may lag behind the leader before it is dropped (no default in ZooKeeper; zoo_sample.cfg: 5)' },
  'zookeeper.minSessionTimeout': { type: 'int', default: -1, min: -1, doc: 'ms; -1 means 2 x tickTime' },
  'zookeeper.maxSessionTimeout': { type: 'int', default: -1, min: -1, doc: 'ms; -1 means 20 x tickTime' },
  'zookeeper.snapCount': { type: 'int', default: 100000, min: 2, doc: 'txns logged between snapshots: a snapshot is taken after snapCount/2 + random(snapCount/2) txns' },
  'zookeeper.globalOutstandingLimit': { type: 'int', default: 1000, min: 1, doc: 'requests the leader keeps in flight before it stops taking more' },
  'zookeeper.forceSync': { type: 'boolean', default: true, doc: 'fsync the txn log before acknowledging (forceSync=no trades durability for latency)' },
  'zookeeper.commitLogCount': { type: 'int', default: 500, min: 1, doc: 'committed proposals kept in memory for fast DIFF sync (zookeeper.commitLogCount)' },
  'zookeeper.snapshotSizeFactor': { type: 'double', default: 0.33, min: -1, doc: 'sync from the on-disk txn log instead of SNAP while the log is smaller than this fraction of the snapshot; negative disables (zookeeper.snapshotSizeFactor)' },
  'zookeeper.fastleader.minNotificationInterval': { type: 'int', default: 200, min: 1, doc: 'ms: first election notification timeout, doubled on every timeout' },
  'zookeeper.fastleader.maxNotificationInterval': { type: 'int', default: 60000, min: 1, doc: 'ms: largest election notification timeout' },
  'zookeeper.autopurge.snapRetainCount': { type: 'int', default: 3, min: 3, doc: 'snapshots kept (with the txn logs they need); ZooKeeper disables autopurge by default, the simulator always purges to bound memory' },
  'zookeeper.jute.maxbuffer': { type: 'int', default: 0xfffff, min: 1, doc: 'bytes: the largest request a server reads (the JVM property -Djute.maxbuffer, default 0xfffff); a longer one is a "Len error" and the server closes the connection' },
  'zookeeper.inspectTree': { type: 'boolean', default: true, doc: 'include the znode tree (up to 200 nodes) in every peer\'s inspect() view: richer replays (the visualizer\'s znode tree), slower traced runs' },
};

/** The resolved, validated settings a peer runs with. Times in microseconds unless the name says ms. */
export interface ZkSettings {
  readonly servers: number;
  readonly tickTimeMs: number;
  readonly tickUs: number;
  readonly initLimit: number;
  readonly syncLimit: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly snapCount: number;
  readonly globalOutstandingLimit: number;
  readonly forceSync: boolean;
  readonly commitLogCount: number;
  readonly snapshotSizeFactor: number;
  readonly minNotificationIntervalMs: number;
  readonly maxNotificationIntervalMs: number;
  readonly snapRetainCount: number;
  readonly inspectTree: boolean;
  readonly juteMaxBufferBytes: number;
  /** FastLeaderElection.finalizeWait: a constant in ZooKeeper. */
  readonly finalizeWaitMs: number;
}

export const FINALIZE_WAIT_MS = 200;

/** Reads and cross-checks the zookeeper.* keys; a bad combination is a UsageError naming the keys. */
export function zkSettings(cfg: Config): ZkSettings {
  const z = cfg.scope('zookeeper.');
  const tick = z.int('tickTime');
  const minS = z.int('minSessionTimeout') === -1 ? 2 * tick : z.int('minSessionTimeout');
  const maxS = z.int('maxSessionTimeout') === -1 ? 20 * tick : z.int('maxSessionTimeout');
  if (minS > maxS) {
    throw new UsageError(`zookeeper.minSessionTimeout (${minS} ms) must not be larger than zookeeper.maxSessionTimeout (${maxS} ms)`);
  }
  const minN = z.int('fastleader.minNotificationInterval');
  const maxN = z.int('fastleader.maxNotificationInterval');
  if (minN > maxN) {
    throw new UsageError(`zookeeper.fastleader.minNotificationInterval (${minN}) must not exceed zookeeper.fastleader.maxNotificationInterval (${maxN})`);
  }
  return {
    servers: z.int('servers'),
    tickTimeMs: tick,
    tickUs: tick * MS,
    initLimit: z.int('initLimit'),
    syncLimit: z.int('syncLimit'),
    minSessionTimeoutMs: minS,
    maxSessionTimeoutMs: maxS,
    snapCount: z.int('snapCount'),
    globalOutstandingLimit: z.int('globalOutstandingLimit'),
    forceSync: z.bool('forceSync'),
    commitLogCount: z.int('commitLogCount'),
    snapshotSizeFactor: z.num('snapshotSizeFactor'),
    minNotificationIntervalMs: minN,
    maxNotificationIntervalMs: maxN,
    snapRetainCount: z.int('autopurge.snapRetainCount'),
    inspectTree: z.bool('inspectTree'),
    juteMaxBufferBytes: z.int('jute.maxbuffer'),
    finalizeWaitMs: FINALIZE_WAIT_MS,
  };
}

/** The session timeout a server grants: the client's request clamped to [minSessionTimeout, maxSessionTimeout]. */
export function negotiateSessionTimeout(requestedMs: number, s: Pick<ZkSettings, 'minSessionTimeoutMs' | 'maxSessionTimeoutMs'>): number {
  if (requestedMs < s.minSessionTimeoutMs) return s.minSessionTimeoutMs;
  if (requestedMs > s.maxSessionTimeoutMs) return s.maxSessionTimeoutMs;
  return requestedMs;
}

/** zoo.cfg keys that exist in ZooKeeper but have no effect in the simulator; accepted and ignored. */
const IGNORED_KEYS = new Set([
  'dataDir', 'dataLogDir', 'clientPort', 'clientPortAddress', 'secureClientPort', 'maxClientCnxns',
  'autopurge.purgeInterval', '4lw.commands.whitelist', 'admin.enableServer', 'admin.serverPort',
  'standaloneEnabled', 'reconfigEnabled', 'electionAlg', 'quorumListenOnAllIPs', 'preAllocSize',
  'metricsProvider.className', 'leaderServes', 'cnxTimeout', 'peerType',
]);

/**
 * Reads a zoo.cfg: modelled keys become `zookeeper.*` values, keys ZooKeeper has that dsim does not
 * model are listed as unmodelled, anything else is unknown (with the closest key). `server.N=host:2888:3888`
 * lines must number the servers 1..N without gaps (the simulator names them zk-1..zk-N).
 */
export function readZooCfg(text: string, source = 'zoo.cfg'): ConfigFileRead {
  const props = parseProperties(text, source);
  const values: { [key: string]: ConfigValue } = {};
  const unmodelled: string[] = [];
  const unknown: { key: string; closest: string | null }[] = [];
  const serverIds: number[] = [];
  const known = Object.keys(zkSchema).map((k) => k.slice('zookeeper.'.length));
  for (const [key, raw] of props) {
    const sm = /^server\.(\d+)$/.exec(key);
    if (sm !== null) {
      if (!/^[^:\s]+:\d+:\d+(:(participant|observer))?(;.*)?$/.test(raw)) {
        throw new UsageError(`${source}: ${key}=${raw}: expected host:quorumPort:electionPort`);
      }
      if (/:observer/.test(raw)) throw new UsageError(`${source}: ${key}: observers are not simulated`);
      serverIds.push(Number(sm[1]));
      continue;
    }
    if (IGNORED_KEYS.has(key) || key.startsWith('autopurge.') && key !== 'autopurge.snapRetainCount') {
      unmodelled.push(key);
      continue;
    }
    if (key === 'forceSync') {
      if (raw !== 'yes' && raw !== 'no') throw new UsageError(`${source}: forceSync must be yes or no, got '${raw}'`);
      values['zookeeper.forceSync'] = raw === 'yes';
      continue;
    }
    if (!known.includes(key)) {
      unknown.push({ key, closest: closest(key, [...known, ...IGNORED_KEYS]) });
      continue;
    }
    values[`zookeeper.${key}`] = raw;
  }
  if (serverIds.length > 0) {
    serverIds.sort((a, b) => a - b);
    serverIds.forEach((id, i) => {
      if (id !== i + 1) throw new UsageError(`${source}: server ids must be 1..${serverIds.length} without gaps, found server.${id}`);
    });
    values['zookeeper.servers'] = serverIds.length;
  }
  return { values, unmodelled, unknown };
}

/** A zoo.cfg as `zookeeper.*` overrides; an unknown key is a UsageError naming the closest key. */
export function parseZooCfg(text: string, source = 'zoo.cfg'): { [key: string]: ConfigValue } {
  const r = readZooCfg(text, source);
  const bad = r.unknown[0];
  if (bad !== undefined) throw new UsageError(`${source}: unknown key '${bad.key}'${bad.closest !== null ? ` (did you mean '${bad.closest}'?)` : ''}`);
  return { ...r.values };
}
