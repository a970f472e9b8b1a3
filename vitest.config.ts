import { defineConfig } from 'vitest/config';

// The stack started by the global setup logs to this process's stderr; keep
// it to warnings unless asked.
process.env.LOG_LEVEL ??= 'warn';

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
