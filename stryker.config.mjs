// Mutation testing of the protocol rule files (`npm run mutate`, not part of `npm test`).
// Scope and the score of the last run: docs/testing.md. ZooKeeper's learner.ts and leader.ts are
// the next files to add: every one of their ~1,000 mutants needs cluster runs, which took the
// estimate to 5 h on the shared 2 cores; run them alone with
//   npx stryker run stryker.config.mjs --mutate sim/zookeeper/learner.ts
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
  ],
  ignorePatterns: ['viz', 'docs', 'traces', 'test-artifacts', 'test/browser', 'reports'],
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
