import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveMetrics } from '../src/metrics/live-metrics.ts';
import { startMetricsServer } from '../src/metrics/metrics-server.ts';
import type { RunSnapshot } from '../src/metrics/run-snapshot.ts';
import { samples, startAnnouncingMetrics } from './support/metrics-scrape.ts';

const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const small = fileURLToPath(new URL('./fixtures/gate-small.yaml', import.meta.url));

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-metrics-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});


function snapshot(over: Partial<RunSnapshot> = {}): RunSnapshot {
  return {
    stage: 'steady', t: 5000, durationMs: 20_000, elapsedRealMs: 900, cameras: 10, camerasConnected: 8, camerasInBackoff: 2, camerasGaveUp: 0,
    viewers: 4, viewersOnline: 4, thumbnailsPerSecond: 3, cacheP50Ms: 1, cacheP99Ms: 4, violations: 0, faults: [],
    totals: { connectAttempts: 12, eventsPublished: 30, thumbnailsReceived: 25, cacheOps: 40, cacheErrors: 1 },
    ...over,
  };
}

describe('Prometheus metrics from the live snapshot', () => {
  it('reads the attached run at scrape time; counters follow its totals and start again for the next run', async () => {
    const metrics = new LiveMetrics();
    const server = await startMetricsServer(metrics, 0);
    try {
      let now = snapshot();
      metrics.attach(() => now, { scenario: 'gate-small', seed: 3, cache: 'memory', side: 'candidate' });
      const scrape = async () => samples(await (await fetch(server.url)).text());
      let m = await scrape();
      expect(m.get('crosswire_run_info{scenario="gate-small",seed="3",cache="memory",side="candidate"}')).toBe(1);
      expect(m.get('crosswire_cameras_connected')).toBe(8);
      expect(m.get('crosswire_scenario_time_seconds')).toBe(5);
      expect(m.get('crosswire_cache_latency_seconds{quantile="0.99"}')).toBe(0.004);
      expect(m.get('crosswire_cache_operations_total')).toBe(40);
      now = snapshot({ violations: 2, totals: { connectAttempts: 12, eventsPublished: 31, thumbnailsReceived: 26, cacheOps: 55, cacheErrors: 1 } });
      m = await scrape();
      expect(m.get('crosswire_cache_operations_total')).toBe(55);
      expect(m.get('crosswire_violations_total')).toBe(2);
      now = snapshot({ totals: { connectAttempts: 1, eventsPublished: 0, thumbnailsReceived: 0, cacheOps: 5, cacheErrors: 0 } });
      metrics.attach(() => now, { scenario: 'gate-small', seed: 4, cache: 'memory' });
      m = await scrape();
      expect(m.get('crosswire_cache_operations_total')).toBe(5);
      expect(m.get('crosswire_run_info{scenario="gate-small",seed="4",cache="memory",side="run"}')).toBe(1);
      expect([...m.keys()].filter((k) => k.startsWith('crosswire_run_info'))).toHaveLength(1);
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await server.close();
    }
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('crosswire run --metrics-port 0 serves /metrics while the run goes on, and closes it at the end', async () => {
    const run = await startAnnouncingMetrics(['run', small, '--clock', 'real', '--time-scale', '4', '--metrics-port', '0', '--quiet', '--out-dir', out]);
    const { url } = run;
    // scrape until the storm is under way: connected cameras, time moving, cache in use
    let seen: Map<string, number> | undefined;
    let contentType = '';
    for (let i = 0; i < 100 && seen === undefined; i++) {
      const response = await fetch(url).catch(() => undefined);
      if (response) {
        contentType = response.headers.get('content-type') ?? '';
        const m = samples(await response.text());
        if ((m.get('crosswire_scenario_time_seconds') ?? 0) > 2 && (m.get('crosswire_cache_operations_total') ?? 0) > 0) seen = m;
      }
      if (seen === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    const code = await run.exited;
    expect(code, run.stderr()).toBe(0);
    expect(run.stdout()).toContain('PASS');
    expect(seen, 'no scrape saw the run under way').toBeDefined();
    const m = seen!;
    expect(contentType).toContain('text/plain');
    expect(m.get('crosswire_run_info{scenario="gate-small",seed="1",cache="memory",side="run"}')).toBe(1);
    expect(m.get('crosswire_cameras')).toBe(150);
    expect(m.get('crosswire_cameras_connected')).toBeGreaterThan(0);
    expect(m.get('crosswire_cameras_connected')).toBeLessThanOrEqual(150);
    expect(m.get('crosswire_scenario_duration_seconds')).toBe(20);
    expect(m.get('crosswire_scenario_time_seconds')).toBeLessThanOrEqual(20);
    expect(m.get('crosswire_viewers_online')).toBeGreaterThanOrEqual(0);
    expect(m.get('crosswire_connect_attempts_total')).toBeGreaterThanOrEqual(m.get('crosswire_cameras_connected')!);
    expect(m.get('crosswire_violations_total')).toBe(0);
    for (const name of ['crosswire_cameras_in_backoff', 'crosswire_cache_errors_total', 'crosswire_events_published_total', 'crosswire_faults_active', 'crosswire_cache_latency_seconds{quantile="0.5"}']) {
      expect(m.has(name), name).toBe(true);
    }
    // the run is over: nothing listens there any more
    await expect(fetch(url)).rejects.toThrow();
  });

  it('a port already in use is exit 2, before the run', async () => {
    const metrics = new LiveMetrics();
    const busy = await startMetricsServer(metrics, 0);
    try {
      const child = spawn(process.execPath, [cli, 'run', small, '--metrics-port', String(busy.port), '--quiet', '--out-dir', out], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(2);
      expect(stderr).toContain(`--metrics-port ${busy.port}: cannot listen on 127.0.0.1:${busy.port} (EADDRINUSE)`);
    } finally {
      await busy.close();
    }
  });
});
