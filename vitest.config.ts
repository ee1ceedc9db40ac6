import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    // Integration and end-to-end tests spawn real programs: keep the 2-core CI machine unhurried.
    maxWorkers: 2,
  },
});
