import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../src/runner/run-scenario.ts';
import { loadScenarioFile, type Override } from '../src/scenario/load-scenario.ts';
import { skipWithout } from './support/server-skip.ts';
import { set, yamlFiles } from './support/scenario-files.ts';

/**
 * Every shipped scenario validates and says what it is for; the cheap ones run, smaller, and
 * PASS with a correct cache (and show what they are for); the incident scenario reproduces the
 * exposure with a faulty client and is contained by verification.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCENARIOS = join(ROOT, 'scenarios');
const INCIDENT = join(SCENARIOS, 'incidents', '2024-02-camera-cloud-outage.yaml');



describe('every shipped scenario', () => {
  it('validates and opens with a comment saying what it is for', async () => {
    const files = await yamlFiles(SCENARIOS);
    expect(files.map((f) => relative(SCENARIOS, f))).toEqual(
      expect.arrayContaining([
        'steady-state.yaml',
        'partial-partition.yaml',
        'cache-flush-during-storm.yaml',
        'ownership-churn.yaml',
        'slow-source-of-truth.yaml',
        'incidents/2024-02-camera-cloud-outage.yaml',
      ]),
    );
    for (const file of files) {
      await loadScenarioFile(file);
      const [, ...rest] = (await readFile(file, 'utf8')).split('\n');
      const header = rest.slice(0, rest.findIndex((line) => !line.startsWith('#')));
      expect(header.join(' ').length, `${file} has no header comment`).toBeGreaterThan(80);
    }
  });
});

/** The cheap scenarios at a third of their size: each must PASS, and its fault must have happened. */
const cheap: { file: string; size: Override; shows: (s: Awaited<ReturnType<typeof runScenario>>['summary']) => void }[] = [
  { file: 'steady-state.yaml', size: set('fleet.devices', 200), shows: (s) => expect(s.faults).toEqual([]) },
  {
    file: 'partial-partition.yaml',
    size: set('fleet.devices', 200),
    shows: (s) => {
      expect(s.storms.map((x) => x.fault)).toEqual(['partition']);
      expect(s.storms[0].dropped).toBeLessThan(200 * 0.4);
    },
  },
  {
    file: 'cache-flush-during-storm.yaml',
    size: set('fleet.devices', 200),
    shows: (s) => expect(s.faults.map((f) => [f.id, f.injectedAt])).toEqual([['broker-outage', 12_000], ['cache-flush', 23_500], ['cache-flush', 26_000]]),
  },
  { file: 'ownership-churn.yaml', size: set('fleet.accounts', 70), shows: (s) => expect(s.transfers.map((t) => t.devices > 0)).toEqual([true, true, true]) },
  {
    file: 'slow-source-of-truth.yaml',
    size: set('fleet.devices', 200),
    shows: (s) => expect(s.accounting.dropped['service-offline']).toBeGreaterThan(0),
  },
];

describe('the cheap shipped scenarios, smaller, PASS with the correct cache', () => {
  it.each(cheap)('$file', async ({ file, size, shows }) => {
    const { scenario } = await loadScenarioFile(join(SCENARIOS, file), [size]);
    const { summary } = await runScenario(scenario);
    expect(summary.reasons).toEqual([]);
    expect(summary.verdict).toBe('PASS');
    shows(summary);
  });

  it('ownership-churn catches lost invalidations (faulty:stale-owner FAILs)', async () => {
    const { scenario } = await loadScenarioFile(join(SCENARIOS, 'ownership-churn.yaml'), [set('fleet.accounts', 70), set('cache.adapter', 'faulty:stale-owner')]);
    const { summary } = await runScenario(scenario);
    expect(summary.verdict).toBe('FAIL');
    expect(summary.headline.foreignDeliveries).toBeGreaterThan(0);
  });
});

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
    const headline = /^(\d+) accounts received a foreign thumbnail, (\d+) opened a foreign video, (\d+) devices exposed, (\d+) foreign deliveries$/m.exec(r.stdout);
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
