import { defineConfig } from 'vitest/config';

/** The trust matrix: long (every shipped scenario × honest adapters × five seeds), so a script of its own. */
export default defineConfig({
  test: {
    include: ['test/trust/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
