import { defineConfig } from 'vitest/config';

/**
 * Two groups, one after the other. `unit`: modules and quick virtual-clock runs, files in
 * parallel (`npm run test:unit` for the inner loop). `e2e`: whole runs on a real clock, private
 * servers, CLI processes, a browser — two files at a time, since real-clock runs on a 2-core
 * machine starve each other beyond that. The long suites run apart (vitest.long.config.ts:
 * `npm run test:heavy`, `npm run test:trust`).
 */
const e2e = [
  'adapter-misbehaviour',
  'cache-contract',
  'chaos-clients',
  'ci-example-gate',
  'cli-bad-input',
  'cli-interrupt',
  'cli-prune',
  'cli-selftest',
  'first-hour',
  'gate',
  'history-replay',
  'init-adapter',
  'honest-adapters',
  'ioredis-pipeline-cut',
  'legacy-node-redis',
  'metrics-port',
  'network-controls',
  'network-faulty-controls',
  'positive-controls',
  'quiet-output',
  'private-server',
  'report-browser',
  'shards',
  'shipped-scenarios',
  'storm-run',
  'summary-invariants',
  'tcp-run',
  'thresholds',
  'external-broker',
  'ws-transport',
  'user-adapter-module',
  'wire-fifo-client',
  'workers',
].map((name) => `test/${name}.test.ts`);

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
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...e2e, 'test/heavy/**', 'test/trust/**', 'node_modules/**'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'e2e', include: e2e, maxWorkers: 2, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
