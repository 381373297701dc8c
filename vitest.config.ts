import { defineConfig } from 'vitest/config';
import { e2eFiles, longFiles } from './test/suites.ts';

/**
 * Two groups, one after the other. `unit`: modules and quick virtual-clock runs, files in
 * parallel (`npm run test:unit` for the inner loop). `e2e`: whole runs on a real clock, private
 * servers, CLI processes, a browser — two files at a time, since real-clock runs on a 2-core
 * machine starve each other beyond that. The long suites run apart (vitest.long.config.ts:
 * `npm run test:heavy`, `npm run test:trust`).
 */

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    // names every group skipped for a missing binary at the end, and fails unless CROSSWIRE_ALLOW_SKIPS=1
    globalSetup: ['test/support/skip-summary-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...e2eFiles, ...longFiles, 'test/heavy/**', 'test/trust/**', 'node_modules/**'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'e2e', include: e2eFiles, maxWorkers: 2, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
