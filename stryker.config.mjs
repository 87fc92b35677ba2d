// Mutation testing of the protocol rule files (`npm run mutate`, not part of `npm test`).
// Scope and the score of the last run: docs/testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  coverageAnalysis: 'perTest',
  mutate: [
    'sim/kafka/replica-rules.ts',
    'sim/kafka/election.ts',
    'sim/kafka/produce-purgatory.ts',
    'sim/zookeeper/vote.ts',
    'sim/zookeeper/election.ts',
    'sim/zookeeper/sync.ts',
    'sim/zookeeper/learner.ts',
    'sim/zookeeper/leader.ts',
  ],
  ignorePatterns: ['viz', 'docs', 'traces', 'test-artifacts', 'test/browser', 'reports'],
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
