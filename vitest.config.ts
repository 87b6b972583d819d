import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: protocol and runtime tests spawn real processes.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
