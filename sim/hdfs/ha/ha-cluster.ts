import type { Config } from '../../core/config.ts';
import type { Json, ProcessId } from '../../core/types.ts';
import { MS } from '../../core/types.ts';
import type { NamedTarget } from '../../harness/system.ts';
import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { hdfsAckedEditsDurableChecker } from '../checkers/acked-edits-durable.ts';
import { hdfsOneWriterChecker } from '../checkers/one-writer.ts';
import { haSettings } from './config-ha.ts';
import { failoverClientFactory } from './failover-client.ts';
import { haNameNodeFactory } from './ha-namenode.ts';
import { journalNodeFactory } from './journalnode.ts';
import { zkfcFactory } from './zkfc.ts';

// Builds an HA nameservice: hosts jn-1..3 (JournalNodes), nn-1 and nn-2 (a NameNode and its ZKFC,
// zkfc-1 / zkfc-2, on each), client hosts c-1.. with namespace clients that fail over between the
// NameNodes. The ZooKeeper ensemble (ha.zookeeper.quorum) is built by the caller
// (zookeeper.build) and named here. README "HA".

export interface HdfsHaOptions {
  readonly nameservice: string;
  readonly zkServers: readonly string[];
  /** Each client makes this many directories, one at a time, `gapUs` apart. */
  readonly clients: readonly { readonly dirs: number; readonly startUs: number; readonly gapUs: number }[];
}

export interface HdfsHaCluster {
  readonly nameservice: string;
  readonly journalNodes: readonly string[];
  readonly namenodes: readonly string[];
  readonly zkfcs: readonly string[];
  readonly clients: readonly string[];
}

export const HA_NAMENODES = ['nn-1', 'nn-2'];
export const HA_JOURNALNODES = ['jn-1', 'jn-2', 'jn-3'];

export function buildHdfsHaCluster(world: World, cfg: Config, opts: HdfsHaOptions): HdfsHaCluster {
  const s = haSettings(cfg); // validates the HA keys before anything runs
  for (const jn of HA_JOURNALNODES) {
    world.addHost(jn, { rack: '/rack-1' });
    world.addProcess(jn, jn, journalNodeFactory({ journalId: opts.nameservice }), { system: 'hdfs', role: 'journalnode' });
  }
  const zkfcs: string[] = [];
  HA_NAMENODES.forEach((nn, i) => {
    const peer = HA_NAMENODES[1 - i]!;
    world.addHost(nn, { rack: `/rack-${i + 1}` });
    world.addProcess(nn, nn, haNameNodeFactory({
      resolveRack: () => '/default-rack', namespaceId: 0x5eed, nameservice: opts.nameservice, peer, journalNodes: HA_JOURNALNODES,
      formatSharedEdits: i === 0, tailEditsPeriodUs: s.tailEditsPeriodMs * MS, logRollPeriodUs: s.logRollPeriodMs * MS, qjmTimeouts: s.qjm,
    }), { system: 'hdfs', role: 'namenode' });
    const z = `zkfc-${i + 1}`;
    world.addProcess(z, nn, zkfcFactory({
      nameservice: opts.nameservice, namenode: nn, otherNamenode: peer, zkServers: opts.zkServers, sessionTimeoutMs: s.sessionTimeoutMs,
      healthCheckIntervalMs: s.healthCheckIntervalMs, healthRpcTimeoutMs: s.healthRpcTimeoutMs, gracefulFenceTimeoutMs: s.gracefulFenceTimeoutMs,
      newActiveTimeoutMs: s.newActiveTimeoutMs, fencingMethods: s.fencingMethods,
    }), { system: 'hdfs', role: 'zkfc' });
    zkfcs.push(z);
  });
  const clients: string[] = [];
  opts.clients.forEach((c, i) => {
    const name = `client-${i + 1}`;
    world.addHost(`c-${i + 1}`, { rack: '/rack-clients' });
    const paths = Array.from({ length: c.dirs }, (_, k) => `/${name}/d-${k}`);
    world.addProcess(name, `c-${i + 1}`, failoverClientFactory({ namenodes: HA_NAMENODES, paths, startUs: c.startUs, gapUs: c.gapUs }), { system: 'hdfs', role: 'client' });
    clients.push(name);
  });
  return { nameservice: opts.nameservice, journalNodes: HA_JOURNALNODES, namenodes: HA_NAMENODES, zkfcs, clients };
}

export function hdfsHaCheckers(c: HdfsHaCluster): Checker[] {
  return [hdfsOneWriterChecker({ journalNodes: c.journalNodes }), hdfsAckedEditsDurableChecker({ namenodes: c.namenodes })];
}

function haStateOf(world: World, name: string): { haState: string; epoch: number } | null {
  if (!world.hasProcess(name)) return null;
  const pid = world.pid(name) as ProcessId;
  if (!world.isUp(pid)) return null;
  const v = world.inspect(pid) as { haState?: Json; epoch?: Json };
  return typeof v.haState === 'string' ? { haState: v.haState, epoch: typeof v.epoch === 'number' ? v.epoch : 0 } : null;
}

/** `active-namenode()`: the up NameNode in state active (the highest epoch if two think so); `standby-namenode()`: an up one in standby. */
export const activeNamenodeTarget: NamedTarget = {
  name: 'active-namenode', usage: 'active-namenode()', arg: /^$/,
  resolve(world) {
    let best: { name: string; epoch: number } | null = null;
    for (const n of HA_NAMENODES) {
      const s = haStateOf(world, n);
      if (s !== null && s.haState === 'active' && (best === null || s.epoch > best.epoch)) best = { name: n, epoch: s.epoch };
    }
    return best?.name ?? null;
  },
  check: (world) => (world.hasProcess('nn-1') ? null : 'no HA NameNodes in this world'),
};

export const standbyNamenodeTarget: NamedTarget = {
  name: 'standby-namenode', usage: 'standby-namenode()', arg: /^$/,
  resolve(world) {
    return HA_NAMENODES.find((n) => haStateOf(world, n)?.haState === 'standby') ?? null;
  },
  check: (world) => (world.hasProcess('nn-1') ? null : 'no HA NameNodes in this world'),
};

/** `active-zkfc()`: the ZKFC beside the active NameNode (pause it with its NameNode: a whole-host stall). */
export const activeZkfcTarget: NamedTarget = {
  name: 'active-zkfc', usage: 'active-zkfc()', arg: /^$/,
  resolve(world) {
    const nn = activeNamenodeTarget.resolve(world, '');
    return nn === null ? null : `zkfc-${HA_NAMENODES.indexOf(nn) + 1}`;
  },
  check: (world) => (world.hasProcess('zkfc-1') ? null : 'no ZKFCs in this world'),
};

/** `hdfs haadmin -getAllServiceState` (host:port, state), then the JournalNodes' epochs. */
export function haSummary(world: World): string {
  const lines: string[] = [];
  for (const n of HA_NAMENODES) {
    if (!world.hasProcess(n)) continue;
    const s = haStateOf(world, n);
    lines.push(`${`${n}:8020`.padEnd(50)}${s === null ? 'Failed to connect: Connection refused' : s.haState}`);
  }
  for (const j of HA_JOURNALNODES) {
    if (!world.hasProcess(j)) continue;
    const pid = world.pid(j) as ProcessId;
    if (!world.isUp(pid)) {
      lines.push(`${j}: down`);
      continue;
    }
    const v = world.inspect(pid) as { [k: string]: Json };
    lines.push(`${j}: lastPromisedEpoch=${String(v.lastPromisedEpoch)} lastWriterEpoch=${String(v.lastWriterEpoch)} committedTxId=${String(v.committedTxId)} segments=${JSON.stringify(v.segments ?? [])}`);
  }
  return lines.join('\n');
}
