import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '../support/server-skip.ts';

/** The Feb 2024 incident timeline, replayed in incident time: it FAILs with the faulty library, and verification contains it. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INCIDENT = join(ROOT, 'scenarios', 'incidents', '2024-02-camera-cloud-outage.yaml');

// The CLI runs from source (.ts), which needs Node >= 24; plain `node` on PATH may be older.
const LOCAL_NODE = join(ROOT, 'node_modules', '.bin', 'node');
const NODE = Number(process.versions.node.split('.')[0]) >= 24 || !existsSync(LOCAL_NODE) ? process.execPath : LOCAL_NODE;

function crosswire(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    for (const name of Object.keys(env)) if (name.startsWith('CROSSWIRE_')) delete env[name];
    const child = spawn(NODE, [join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// A real clock at 1000×: a one-second CPU stall on a busy machine is sixteen minutes of incident
// time, enough to leave a run INCONCLUSIVE. One retry; a real regression fails twice.
describe.skipIf(skipWithout('redis'))('the Feb 2024 incident scenario', { retry: 1 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crosswire-incident-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('with redis@2.2.5 (replies shift after a reconnect): FAIL, with the incident-style headline counts', async () => {
    const r = await crosswire(['run', INCIDENT, '--cache', 'redis@2.2.5', '--out-dir', dir], dir);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const headline = /^\d+ accounts exposed, \d+ accounts that tapped; (\d+) accounts received a foreign thumbnail, (\d+) opened a foreign video, (\d+) devices exposed, (\d+) foreign deliveries$/m.exec(r.stdout);
    expect(headline, r.stdout).not.toBeNull();
    const [accounts, , devices, deliveries] = headline!.slice(1).map(Number);
    expect(accounts).toBeGreaterThan(10);
    expect(devices).toBeGreaterThan(10);
    expect(deliveries).toBeGreaterThanOrEqual(accounts);
    expect(r.stdout).toMatch(/^FAIL\s+2024-02-camera-cloud-outage/m);
    expect(r.stdout).toContain('reproduce:');
  });

  it('with redis@2.2.5 and verify: source-of-truth: PASS, nothing leaks, and it says what the verification blocked', async () => {
    const r = await crosswire(['run', INCIDENT, '--cache', 'redis@2.2.5', '--verify', 'source-of-truth', '--out-dir', dir, '--json'], dir);
    expect(r.code, r.stdout.slice(0, 2000) + r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { verdict: string; violationCount: number; blocked: { total: number; byLayer: Record<string, number> } };
    expect(summary.verdict).toBe('PASS');
    expect(summary.violationCount).toBe(0);
    expect(summary.blocked.total).toBeGreaterThan(0);
    expect(summary.blocked.byLayer['source-of-truth']).toBe(summary.blocked.total);
  });
});
