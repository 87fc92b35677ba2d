import { defineScenario } from '../../sim/harness/scenario.ts';
import { buildZk, schema, summary, systems } from './lib/common.ts';

// A ZooKeeper weakness the zk-random-faults sweep found (seed 1134), reproduced on purpose.
//
// zk-1, a follower with a slow disk, always has txns appended to its log that no fsync has
// covered yet. At 10 s it is killed (kill -9): those txns stay in the host's page cache, not yet
// written back (its disk is back to normal speed from then on). It restarts at once,
// recovers its log from the page cache (un-fsynced txns included), votes and syncs with that
// history, and logs everything after it into a new log file, which it fsyncs before ACKing
// NEWLEADER. Nothing fsyncs the old file: ZooKeeper only syncs the streams it wrote itself
// (FileTxnLog.commit). At 20 s the host loses power before the OS wrote the old file's tail back
// (dirty pages expire after 30 s): the tail is gone, the new file is not. On restart, replay
// (FileTxnSnapLog.fastForwardFromEdits) checks only that zxids increase, so zk-1 applies the new
// file right after the shortened old one: its data tree silently misses the lost txns, and the
// leader, seeing zk-1's last zxid inside its own history, sends a DIFF from there that never
// repairs the hole. zk-history-agreement catches the replica whose history skips committed txns.
//
// Only one server is hurt and nothing acknowledged to a client is lost cluster-wide, but the
// replica serves a tree that differs from the leader's. ZooKeeper 3.6 added a data-tree digest
// (ZOOKEEPER-3114) to detect such divergence after the fact; fsyncing recovered log files on
// startup would prevent it.

export default defineScenario({
  name: 'zk-crash-then-power-loss',
  description: 'A follower killed with un-fsynced txns restarts from the page cache, then loses power: its log keeps a gap that replay skips silently, and the replica diverges.',
  teaches: 'What "durable" means across a kill -9 and a power loss: page cache vs media, fsync per file, why recovery that trusts unsynced data it did not write can leave a silent gap, and how a history-digest checker catches the diverged replica.',
  systems,
  schema,
  defaults: { 'zookeeper.servers': 3, 'check.livenessBoundMs': 25_000, 'workload.clients': 5, 'workload.opIntervalMs': 20 },
  faultPhaseMs: 30_000,
  quiesceMs: 30_000,
  faults: [
    'at 0s slow-disk zk-1 x100 for 10s',
    'at 10s crash zk-1 for 100ms',
    'at 20s power-off zk-1 for 300ms',
  ].join('\n'),
  expect: { violations: ['zk-history-agreement'], why: 'ZooKeeper replays a txn log with a hole (it only checks that zxids increase), so the follower ends up with a data tree that skips committed txns' },
  build(world, cfg) {
    buildZk(world, cfg);
  },
  summary,
});
