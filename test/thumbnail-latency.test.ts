import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureAll } from '../src/gate/regression-metrics.ts';
import { summarySchema } from '../src/report/summary-schema.ts';
import { checkHistory } from '../src/runner/check-history.ts';
import { runScenario } from '../src/runner/run-scenario.ts';
import { defaultScenario } from './support/default-scenario.ts';

/** Thumbnail latency (publish to receipt) in summary.json: what the gate's thumbnail_p99 reads. */
describe('thumbnail latency in the summary', () => {
  it('covers every thumbnail received, is re-derived from the history alike, and feeds thumbnail_p99', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crosswire-thumb-'));
    try {
      const scenario = await defaultScenario((s) => {
        s.fleet.devices = 200;
        s.duration = 8_000;
        s.drain = 1_000;
        s.timeline = [{ at: 3_000, fault: 'broker-outage', duration: 1_000 }];
      });
      const historyFile = join(dir, 'history.ndjson');
      const { summary } = await runScenario(scenario, { historyFile });
      const t = summary.thumbnailLatency!;
      expect(t.count).toBe(summary.stats.thumbnailsReceived);
      expect(t.count).toBeGreaterThan(100);
      expect(t.p50).toBeGreaterThan(0);
      expect(t.p99).toBeGreaterThanOrEqual(t.p50);
      expect(summarySchema.parse(JSON.parse(JSON.stringify(summary))).thumbnailLatency).toEqual(t);
      expect(measureAll(summary).thumbnail_p99).toBe(t.p99 / 1000);
      // a function of the history: `crosswire check` reaches the same numbers
      expect((await checkHistory(historyFile)).judged.thumbnailLatency).toEqual(t);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
