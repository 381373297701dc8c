import { defineConfig } from 'vitest/config';
import { longFiles } from './test/suites.ts';

/**
 * The long suites, apart from `npm test` (CI runs them after it). `heavy`: real published
 * libraries through whole runs — the incident replay, the gate on a real version pair, a replayed
 * real-library bug, every control exiting promptly — and the end-to-end files too long for
 * `npm test` (test/suites.ts). `trust`: every shipped scenario × the honest
 * adapters × seeds 1–5. One file at a time: they are real-clock runs.
 */
export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
    globalSetup: ['test/support/skip-summary-setup.ts'],
    projects: [
      { extends: true, test: { name: 'heavy', include: ['test/heavy/**/*.test.ts', ...longFiles], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'trust', include: ['test/trust/**/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
