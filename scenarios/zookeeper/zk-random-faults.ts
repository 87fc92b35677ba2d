import { defineScenario } from '../../sim/harness/scenario.ts';
import { zkNames } from '../../sim/zookeeper/ensemble.ts';
import { buildZk, schema, summary, systems } from './lib/common.ts';

// Random faults inside the fault model ZooKeeper claims to tolerate: process crashes and restarts,
// pauses, partitions (two-sided, isolation, bridges, one-way cuts), slow disks, clock skew and drift,
// and power loss of at most a minority of servers at once. ZooKeeper fsyncs its txn log before it
// acknowledges, so a minority losing its page cache loses nothing committed. Every checker is on;
// after the fault phase everything heals and the ensemble must converge within the liveness bound.

const servers = 5;

function clientNames(cfgClients: number, members: number): string[] {
  return [...Array.from({ length: cfgClients }, (_, i) => `client-${i + 1}`), ...Array.from({ length: members }, (_, i) => `member-${i + 1}`)];
}

export default defineScenario({
  name: 'zk-random-faults',
  description: 'A five-server ensemble with clients under random crashes, restarts, pauses, partitions, slow disks, clock skew and minority power loss; all checkers on.',
  teaches: 'What ZooKeeper tolerates: any minority failing in any way, partitions, stalls; how elections, truncation and resync keep one committed history; what clients see (connection loss, session expiry, reconnects).',
  systems,
  schema,
  defaults: { 'zookeeper.servers': servers, 'zookeeper.snapCount': 200, 'check.livenessBoundMs': 90_000 },
  faultPhaseMs: 60_000,
  quiesceMs: 100_000,
  nemesis: (cfg) => {
    const zk = zkNames(cfg.int('zookeeper.servers'));
    const clients = clientNames(cfg.int('workload.clients'), cfg.int('workload.members'));
    const clientHosts = [...Array.from({ length: cfg.int('workload.clients') }, (_, i) => `c-${i + 1}`), ...Array.from({ length: cfg.int('workload.members') }, (_, i) => `m-${i + 1}`)];
    const minority = Math.floor((zk.length - 1) / 2);
    return {
      kinds: ['crash', 'restart', 'pause', 'power-off', 'partition', 'isolate', 'bridge', 'cut', 'slow-disk', 'clock'],
      processes: [...zk, ...clients],
      hosts: [...zk, ...clientHosts],
      powerOffHosts: zk,
      meanIntervalMs: 3000,
      durationMsMin: 500,
      durationMsMax: 20_000,
      maxDown: Math.max(1, minority),
      maxPoweredOff: Math.max(1, minority),
      swarm: true,
    };
  },
  expect: { violations: [], why: 'every fault stays inside ZooKeeper\'s fault model (a minority down or powered off at a time; the txn log is fsynced before any ACK), so every safety checker holds and the healed ensemble converges' },
  build(world, cfg) {
    buildZk(world, cfg);
  },
  summary,
});
