import { FailoverClient, failoverClientFactory } from '../../sim/hdfs/ha/failover-client.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import { MS, SEC } from '../../sim/core/types.ts';
import { hdfsAckedEditsDurableChecker } from '../../sim/hdfs/checkers/acked-edits-durable.ts';
import { hdfsOneWriterChecker } from '../../sim/hdfs/checkers/one-writer.ts';
import { hdfsSchema } from '../../sim/hdfs/config.ts';
import { HaNameNode, haNameNodeFactory, type HaNameNodeOptions } from '../../sim/hdfs/ha/ha-namenode.ts';
import { journalNodeFactory } from '../../sim/hdfs/ha/journalnode.ts';
import { DEFAULT_QJM_TIMEOUTS } from '../../sim/hdfs/ha/qjm.ts';
import { World } from '../../sim/world/world.ts';
import { zkfcFactory } from '../../sim/hdfs/ha/zkfc.ts';
import { addEnsemble } from '../../sim/zookeeper/ensemble.ts';
import { zkSchema } from '../../sim/zookeeper/config.ts';
import { constantNetwork } from '../env/fixtures.ts';
import { JNS } from './ha-world.ts';

// An HA nameservice for tests of step 2: three JournalNodes, nn-1 and nn-2 (HaNameNode, no
// DataNodes) and a client that makes directories one at a time and fails over between the two
// NameNodes (ConfiguredFailoverProxyProvider: a StandbyException, a lost connection or no answer in
// 10 s sends the call to the other NameNode after 500 ms).

export interface HaNnWorldOptions {
  readonly seed?: number;
  readonly dirs?: number;
  /** Adds a ZooKeeper ensemble (zk-1..3) and a ZKFC beside each NameNode (automatic failover). */
  readonly zkfc?: boolean;
  readonly qjm?: HaNameNodeOptions['qjm'];
}

export function haNnWorld(opts: HaNnWorldOptions = {}): { world: World; nn: (n: string) => HaNameNode; client: () => FailoverClient } {
  const world = new World({ seed: opts.seed ?? 1, config: resolveConfig({ ...hdfsSchema, ...zkSchema }, {}, {}), network: constantNetwork(200), trace: null });
  if (opts.zkfc === true) addEnsemble(world, world.config);
  for (const jn of JNS) {
    world.addHost(jn, { rack: '/rack-1' });
    world.addProcess(jn, jn, journalNodeFactory({ journalId: 'mycluster' }), { system: 'hdfs', role: 'journalnode' });
  }
  for (const [i, name] of ['nn-1', 'nn-2'].entries()) {
    world.addHost(name, { rack: '/rack-1' });
    world.addProcess(name, name, haNameNodeFactory({
      resolveRack: () => '/rack-1', namespaceId: 4242, nameservice: 'mycluster', peer: i === 0 ? 'nn-2' : 'nn-1', journalNodes: JNS,
      formatSharedEdits: i === 0, tailEditsPeriodUs: 2 * SEC, logRollPeriodUs: 5 * SEC, qjmTimeouts: DEFAULT_QJM_TIMEOUTS,
      ...(opts.qjm !== undefined ? { qjm: opts.qjm } : {}),
    }), { system: 'hdfs', role: 'namenode' });
    if (opts.zkfc === true) {
      world.addProcess(`zkfc-${i + 1}`, name, zkfcFactory({
        nameservice: 'mycluster', namenode: name, otherNamenode: i === 0 ? 'nn-2' : 'nn-1', zkServers: ['zk-1', 'zk-2', 'zk-3'],
        sessionTimeoutMs: 10000, healthCheckIntervalMs: 1000, healthRpcTimeoutMs: 45000, gracefulFenceTimeoutMs: 5000, newActiveTimeoutMs: 60000,
        fencingMethods: ['shell(/bin/true)'],
      }), { system: 'hdfs', role: 'zkfc' });
    }
  }
  world.addHost('c-1', { rack: '/rack-2' });
  const paths = Array.from({ length: opts.dirs ?? 40 }, (_, k) => `/d/${k}`);
  world.addProcess('client-1', 'c-1', failoverClientFactory({ namenodes: ['nn-1', 'nn-2'], paths, startUs: 2 * SEC, gapUs: 400 * MS }), { system: 'hdfs', role: 'client' });
  world.addChecker(hdfsOneWriterChecker({ journalNodes: JNS }));
  world.addChecker(hdfsAckedEditsDurableChecker({ namenodes: ['nn-1', 'nn-2'] }));
  return { world, nn: (n) => world.actor<HaNameNode>(n)!, client: () => world.actor<FailoverClient>('client-1')! };
}

/** Asks a NameNode to become active at `atUs` (haadmin -transitionToActive); the outcome lands in `out`. */
export function transitionAt(world: World, atUs: number, nn: string, out: (string | null)[]): void {
  world.schedule(atUs, () => {
    const a = world.actor<HaNameNode>(nn);
    if (a === null) {
      out.push(`${nn} is down`);
      return;
    }
    world.activate(world.pid(nn), () => a.transitionToActive((err) => out.push(err)));
  });
}
