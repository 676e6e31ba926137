import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Model-dependent tests spawn workers and native code: forks isolate them.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: running every heavy file at once only slows each one down.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
