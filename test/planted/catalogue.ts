// Planted bugs: each is a source patch to protocol code, planted alone in a temporary copy of the
// repository by `npm run planted` (scripts/planted.ts), which then runs the test that must catch it
// through a simulated run (a checker firing or a scenario expectation failing) and fails if that
// test still passes. test/planted/catalogue.test.ts (part of npm test) checks that every patch still
// applies to the code as it is, so a refactor cannot silently turn a planted bug into a no-op.
//
// Why patches and not options: a bug planted through a constructor option needs a seam in shipped
// code for every bug (the log's recovery, the CRC check and the epoch checkpoint have none, and
// should not grow one for tests). A patch plants the bug exactly where a real regression would be.

export interface Patch {
  readonly file: string;
  /** Must occur exactly once in the file. */
  readonly find: string;
  readonly replace: string;
}

export interface PlantedBug {
  readonly id: string;
  readonly bug: string;
  readonly patches: readonly Patch[];
  /** The catching test: a file and a test-name pattern (vitest -t). */
  readonly test: { readonly file: string; readonly name: string };
}

export const PLANTED: readonly PlantedBug[] = [
  {
    id: 'min-isr-replicas',
    bug: 'min.insync.replicas compared with the replica count instead of the ISR',
    patches: [
      {
        file: 'sim/kafka/broker-leader.ts',
        find: 'notEnoughReplicasBeforeAppend(f, msg.acks, part.isr, minIsr, part.key)',
        replace: 'notEnoughReplicasBeforeAppend(f, msg.acks, part.replicas, minIsr, part.key)',
      },
      {
        file: 'sim/kafka/produce-purgatory.ts',
        find: 'const isrSize = part.maximalIsr.length;',
        replace: 'const isrSize = part.replicas.length;',
      },
    ],
    test: { file: 'test/kafka/scenarios.test.ts', name: 'kafka-min-isr refuses' },
  },
  {
    id: 'epoch-checkpoint',
    bug: 'the leader-epoch cache not checkpointed (leader-epoch-checkpoint never written)',
    patches: [{
      file: 'sim/kafka/log/epoch-cache.ts',
      find: '    this.writer.write(formatEpochCheckpoint(this.epochs));',
      replace: '    void formatEpochCheckpoint(this.epochs);',
    }],
    test: { file: 'test/kafka/scenarios.test.ts', name: 'restarts every broker with controlled shutdown and loses nothing acknowledged' },
  },
  {
    id: 'newleader-ack-early',
    bug: 'a ZooKeeper learner ACKs NEWLEADER before the synced txns are durable (ZOOKEEPER-3911)',
    patches: [{
      file: 'sim/zookeeper/learner.ts',
      find: `      peer.syncer.whenDurable(() => {
        if (!this.live) return;
        peer.persistEpoch(CURRENT_EPOCH, this.newEpoch, () => this.ackNewLeader());
      });`,
      replace: `      this.ackNewLeader();
      peer.persistEpoch(CURRENT_EPOCH, this.newEpoch, () => undefined);`,
    }],
    test: { file: 'test/planted/zookeeper-runs.test.ts', name: 'a txn committed by NEWLEADER survives' },
  },
  {
    id: 'kip279-answer-ignored',
    bug: 'OffsetsForLeaderEpoch answered and used as before KIP-279 at 2.0+ (the truncation point can fall inside a leader batch)',
    patches: [{ file: 'sim/kafka/version.ts', find: '    kip279: ge(KAFKA_2_0_IV0),', replace: '    kip279: false,' }],
    test: { file: 'test/kafka/replica-stuck.test.ts', name: 'fires on the stuck replica at 0.11 and not at 2.0' },
  },
  {
    id: 'isr-join-below-hw',
    bug: 'a follower joining the ISR with LEO < HW',
    patches: [{ file: 'sim/kafka/replica-rules.ts', find: '  if (followerLeo < leaderHw) return false;', replace: '  if (followerLeo < leaderHw && false) return false;' }],
    test: { file: 'test/planted/kafka-runs.test.ts', name: 'the leader dies as a returning follower rejoins the ISR' },
  },
  {
    id: 'no-log-recovery',
    bug: 'log recovery skipped after a crash (unclean shutdown)',
    patches: [{ file: 'sim/kafka/log/log-load.ts', find: '  if (!hadCleanShutdown) {', replace: '  if (false) {' }],
    test: { file: 'test/planted/kafka-runs.test.ts', name: 'a replica whose segment rotted while it was down leads later' },
  },
  {
    id: 'no-batch-crc',
    bug: 'record-batch CRCs not checked',
    patches: [{ file: 'sim/kafka/records.ts', find: '  if (stored !== computed) return { corrupt:', replace: '  if (stored !== computed && false) return { corrupt:' }],
    test: { file: 'test/planted/kafka-runs.test.ts', name: 'a replica whose segment rotted while it was down leads later' },
  },
  {
    id: 'vote-zxid-first',
    bug: 'the vote order comparing zxid before peer epoch',
    patches: [{
      file: 'sim/zookeeper/vote.ts',
      find: `  return newEpoch > curEpoch
    || (newEpoch === curEpoch && (newZxid > curZxid || (newZxid === curZxid && newId > curId)));`,
      replace: `  return newZxid > curZxid
    || (newZxid === curZxid && (newEpoch > curEpoch || (newEpoch === curEpoch && newId > curId)));`,
    }],
    test: { file: 'test/planted/zookeeper-runs.test.ts', name: 'a peer that acknowledged a newer epoch beats a stale peer' },
  },
  {
    id: 'fle-quorum-minus-one',
    bug: 'Fast Leader Election finalizing with one matching vote fewer than a quorum',
    patches: [{
      file: 'sim/zookeeper/election.ts',
      find: '    if (countVotes(this.recvset, this.selfVote()) >= quorumSize(this.host.servers)) {',
      replace: '    if (countVotes(this.recvset, this.selfVote()) >= quorumSize(this.host.servers) - 1) {',
    }],
    test: { file: 'test/planted/zookeeper-runs.test.ts', name: 'a peer alone keeps looking' },
  },
  {
    id: 'mr-fetch-failure-no-rerun',
    bug: 'the MRAppMaster never fails a map attempt for fetch failures (JobImpl.TaskAttemptFetchFailureTransition missing)',
    patches: [{
      file: 'sim/mapreduce/am/app-master.ts',
      find: '    if (m.fetchFailures >= this.settings.fetchFailuresNotifications && rate >= this.settings.fetchFailuresFraction) {',
      replace: '    if (m.fetchFailures >= this.settings.fetchFailuresNotifications && rate >= this.settings.fetchFailuresFraction && false) {',
    }],
    test: { file: 'test/mapreduce/mapreduce.test.ts', name: 'mr-nodemanager-loss' },
  },
  {
    id: 'mr-aborted-counts',
    bug: 'an ABORTED or PREEMPTED container counts as a failed task attempt (RMContainerAllocator.createContainerFinishedEvent)',
    patches: [{
      file: 'sim/mapreduce/am/app-master.ts',
      find: "    return exitStatus === ExitStatus.ABORTED || exitStatus === ExitStatus.PREEMPTED ? 'KILLED' : 'FAILED';",
      replace: "    return exitStatus === ExitStatus.ABORTED || exitStatus === ExitStatus.PREEMPTED ? 'FAILED' : 'FAILED';",
    }],
    test: { file: 'test/mapreduce/checkers.test.ts', name: 'passes when the lost node' },
  },
  {
    id: 'mr-success-before-merge',
    bug: 'commitJob creates _SUCCESS before it merged the committed task outputs into the output dir',
    patches: [
      { file: 'sim/mapreduce/am/committer.ts', find: '      ...(this.successFirst ? [success] : []),', replace: '      success,' },
      { file: 'sim/mapreduce/am/committer.ts', find: '      ...(this.successFirst ? [] : [success]),', replace: '' },
    ],
    test: { file: 'test/mapreduce/checkers.test.ts', name: 'passes on a fault-free word count' },
  },
  {
    id: 'mr-no-recover-task',
    bug: 'a restarted MRAppMaster takes the previous attempt\'s reduces as done without FileOutputCommitter.recoverTask (v1)',
    patches: [{
      file: 'sim/mapreduce/am/committer.ts',
      find: "        if (t.kind === 'map' || am.settings.committerVersion === 2) return recovered();",
      replace: '        return recovered();',
    }],
    test: { file: 'test/mapreduce/mapreduce.test.ts', name: 'mr-am-restart' },
  },
];
