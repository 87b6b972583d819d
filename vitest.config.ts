import { defineConfig } from 'vitest/config';

// Two tiers. `fast` (npm test) is what to run before a commit: unit, protocol, runtime, CLI, cache
// and pool tests. `full` (npm run test:full runs both) adds the real corpora, the behaviour suites
// (compilers and the projects' own tests over instrumented code) and the editor end-to-end tests.
const full = ['tests/corpus/**/*.test.ts', 'tests/behaviour/**/*.test.ts', 'tests/editors/**/*.test.ts', 'tests/**/*.full.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: protocol and runtime tests spawn real processes.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      { extends: true, test: { name: 'fast', include: ['tests/**/*.test.ts'], exclude: full } },
      { extends: true, test: { name: 'full', include: full } },
    ],
  },
});
