import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveMetrics } from '../src/metrics/live-metrics.ts';
import { startMetricsServer } from '../src/metrics/metrics-server.ts';
import { samples, startAnnouncingMetrics } from './support/metrics-scrape.ts';
import { runCli } from './support/run-cli.ts';

/** Cameras and viewers over MQTT over WebSocket, 200 cameras split 89 + 111 by the two workers. */
const SCENARIO = `name: workers-live
seed: 5
timeScale: 5
clock: real
duration: 20s
drain: 4s
fleet:
  devices: 200
  transport: tcp
  eventInterval: 3s
  cameraTransport: ws
  viewerTransport: ws
cache:
  adapter: memory
`;

const dir = mkdtempSync(join(tmpdir(), 'crosswire-workers-live-'));
const file = join(dir, 'live.yaml');
writeFileSync(file, SCENARIO);
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('run --workers: WebSocket clients, one /metrics summing the workers, live progress', () => {
  it('2 workers over WebSocket: PASS; the parent\'s /metrics counts both workers\' cameras; progress lines on stderr', async () => {
    const run = await startAnnouncingMetrics(['run', file, '--workers', '2', '--metrics-port', '0', '--out-dir', join(dir, 'out')], { CI: '1' }, 120_000);
    const { url } = run;
    // scrape until both workers report a connected fleet under way
    let seen: Map<string, number> | undefined;
    for (let i = 0; i < 300 && seen === undefined; i++) {
      const response = await fetch(url).catch(() => undefined);
      if (response) {
        const m = samples(await response.text());
        if ((m.get('crosswire_cameras_connected') ?? 0) === 200 && (m.get('crosswire_events_published_total') ?? 0) > 0) seen = m;
      }
      if (seen === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    const code = await run.exited;
    const stderr = run.stderr();
    const stdout = run.stdout();
    expect(code, stderr).toBe(0);
    expect(seen, `no scrape saw both workers' fleets up\n${stderr}`).toBeDefined();
    const m = seen!;
    // 200 = 89 + 111: neither worker alone has that many
    expect(m.get('crosswire_cameras')).toBe(200);
    expect(m.get('crosswire_run_info{scenario="workers-live",seed="5",cache="memory",side="run"}')).toBe(1);
    expect(m.get('crosswire_scenario_duration_seconds')).toBe(20);
    expect(m.get('crosswire_violations_total')).toBe(0);
    // the run is over: nothing listens there any more
    await expect(fetch(url)).rejects.toThrow();

    // live progress from the parent, the workers' numbers added up (plain lines: stderr is a pipe)
    expect(stderr).toMatch(/starting workers/);
    expect(stderr).toMatch(/t=[\d.]+s\/20\.0s (steady|drain|ramp-up): cameras up 200\/200 /);

    // WebSocket clients, served by the parent's aedes beside its TCP listener
    expect(stderr).toMatch(/broker mqtt:\/\/127\.0\.0\.1:\d+ and ws:\/\/127\.0\.0\.1:\d+\/mqtt here/);
    expect(stdout).toContain('over tcp (cameras over ws, viewers over ws)');
    const runDirectory = join(dir, 'out', 'workers-live', readdirSync(join(dir, 'out', 'workers-live')).find((d) => d.endsWith('-merged2'))!);
    const summary = JSON.parse(readFileSync(join(runDirectory, 'summary.json'), 'utf8')) as { verdict: string; fleet: { cameraTransport?: string; viewerTransport?: string } };
    expect(summary.verdict).toBe('PASS');
    expect(summary.fleet).toMatchObject({ cameraTransport: 'ws', viewerTransport: 'ws' });
    const shards = join(runDirectory, 'shards', 'workers-live');
    const dirs = readdirSync(shards);
    expect(dirs).toHaveLength(2);
    for (const d of dirs) {
      const worker = JSON.parse(readFileSync(join(shards, d, 'summary.json'), 'utf8')) as { fleet: { cameraTransport?: string; viewerTransport?: string; brokerUrl?: string } };
      expect(worker.fleet).toMatchObject({ cameraTransport: 'ws', viewerTransport: 'ws' });
    }
  }, 150_000);

  it('--metrics-port on a port in use is exit 2 before any worker starts', async () => {
    const busy = await startMetricsServer(new LiveMetrics(), 0);
    try {
      const out = join(dir, 'busy');
      const result = await runCli(['run', file, '--workers', '2', '--metrics-port', String(busy.port), '--quiet', '--out-dir', out]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--metrics-port ${busy.port}: cannot listen on 127.0.0.1:${busy.port} (EADDRINUSE)`);
      // nothing ran: no run directory
      expect(existsSync(join(out, 'workers-live'))).toBe(false);
    } finally {
      await busy.close();
    }
  });
});
