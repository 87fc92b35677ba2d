import { defineConfig } from 'vitest/config';

// The tests `npm run mutate` (StrykerJS) runs against each mutant of the protocol rule files listed
// in stryker.config.mjs: the rule functions' unit tests, the cheap cluster tests that drive the
// purgatory and the elections, and the planted-bug ZooKeeper runs (test/planted/). The long
// scenario and property suites stay out (too slow per mutant); with per-test coverage each mutant
// runs only the tests that reach it. Scope and score: docs/testing.md.
export default defineConfig({
  test: {
    include: [
      'test/kafka/replica-rules.test.ts',
      'test/kafka/election.test.ts',
      'test/kafka/broker.test.ts',
      'test/kafka/produce-purgatory.test.ts',
      'test/zookeeper/election.test.ts',
      'test/interaction/interaction.test.ts',
      'test/zookeeper/checkers.test.ts',
      'test/zookeeper/zxid-vote.test.ts',
      'test/zookeeper/sync-plan.test.ts',
      'test/zookeeper/client.test.ts',
      'test/zookeeper/force-sync.test.ts',
      'test/planted/zookeeper-runs.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
