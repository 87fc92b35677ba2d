import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // test/viz/replay.test.ts rebuilds every scenario's views from its whole trace (at the test
    // suite's size, TEST_SCALE); large traces outgrew Node's default heap once and the worker died
    // (an unhandled error that fails the run). The machines have 24 GiB.
    execArgv: ['--max-old-space-size=8192'],
  },
});
