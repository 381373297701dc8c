import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the trust matrix runs apart: npm run test:trust
    exclude: ['test/trust/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Scenario runs are real-time: two at once on a 2-core machine starve each other's clocks
    // and turn timing into noise. Test files therefore run one after another.
    fileParallelism: false,
    reporters: ['default'],
  },
});
