import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateServer, type PrivateServer } from '../src/servers/private-server.ts';
import { runCli } from './support/run-cli.ts';
import { skipWithout } from './support/server-skip.ts';
import { ROOT, sh, userEnv } from './support/user-project.ts';

/**
 * `crosswire export` end to end: a run of the chaos control against the real redis@2.2.5 FAILs,
 * its repro is exported, and the script — in a directory holding only the library, installed
 * offline — shows the wrong reply against a private redis-server (exit 1); with redis@2.3.0, the
 * fixed version, swapped in, the same script exits 0. Positive control both ways.
 */
const work = mkdtempSync(join(tmpdir(), 'crosswire-export-'));
let server: PrivateServer;

interface Plan {
  wrong: { key: string; received: string };
  commands: { phase: string }[];
}

beforeAll(async () => {
  if (!skipWithout('redis', 'crosswire export against redis@2.2.5')) server = await startPrivateServer('redis');
});

afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** `dir` gets `redis@version` and nothing else, by `npm ci --offline` from a lockfile pinning what this checkout installed (the npm cache has it). */
async function installRedis(dir: string, version: '2.2.5' | '2.3.0'): Promise<void> {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string; integrity: string; dependencies?: Record<string, string> }> };
  const entry = (path: string, name: string) => {
    const e = lock.packages[path]!;
    return { version: e.version, resolved: `https://registry.npmjs.org/${name}/-/${name}-${e.version}.tgz`, integrity: e.integrity, ...(e.dependencies ? { dependencies: e.dependencies } : {}) };
  };
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
  pkg.dependencies = { redis: version };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  const packages = {
    '': { name: pkg.name, version: '1.0.0', dependencies: pkg.dependencies },
    'node_modules/redis': entry(`node_modules/redis-${version}`, 'redis'),
    'node_modules/double-ended-queue': entry('node_modules/double-ended-queue', 'double-ended-queue'),
  };
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: pkg.name, version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
  rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
  const installed = await sh('npm', ['ci', '--offline', '--no-audit', '--no-fund'], dir, 120_000);
  expect(installed.code, installed.stderr).toBe(0);
  expect(readdirSync(join(dir, 'node_modules')).filter((n) => !n.startsWith('.')).sort()).toEqual(['double-ended-queue', 'redis']);
}

function repro(dir: string) {
  return sh(process.execPath, ['repro.mjs'], dir, 120_000, userEnv({ REDIS_URL: server.url }));
}

describe.skipIf(skipWithout('redis', 'crosswire export against redis@2.2.5'))('crosswire export: a standalone repro of redis@2.2.5', () => {
  const reports = join(work, 'reports');
  const project = join(work, 'maintainer');
  let plan: Plan;

  it('exports the first wrong reply of a FAILing run', async () => {
    const run = await runCli(['run', 'scenarios/controls/cache-chaos-storm.yaml', '--cache', 'redis@2.2.5', '--out-dir', reports, '--quiet'], { cwd: ROOT, timeoutMs: 180_000 });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const out = join(work, 'exported');
    const exported = await runCli(['export', join(reports, 'latest'), '--out', out, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    plan = (JSON.parse(exported.stdout) as { plan: Plan }).plan;
    expect(plan.commands.some((c) => c.phase === 'in-flight')).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['README.md', 'package.json', 'repro.mjs']);
    expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')).dependencies).toEqual({ redis: '2.2.5' });
    const script = readFileSync(join(out, 'repro.mjs'), 'utf8');
    expect(script).not.toMatch(/from '(?!node:)|require\('(?!redis)/);
    cpSync(out, project, { recursive: true });
  }, 240_000);

  it('with only redis@2.2.5 installed, the script prints the wrong reply and exits 1', async () => {
    await installRedis(project, '2.2.5');
    expect(existsSync(join(project, 'node_modules', 'crosswire'))).toBe(false);
    const ran = await repro(project);
    expect(ran.code, ran.stdout + ran.stderr).toBe(1);
    expect(ran.stdout).toContain('redis@2.2.5 against');
    // the run's wrong read comes back wrong at the library level: the key asked, what was expected, what came
    expect(ran.stdout).toContain(`WRONG REPLY: GET ${plan.wrong.key}\n  expected `);
    expect(ran.stdout).toMatch(/\n {2}received .+/);
    expect(ran.stdout).toMatch(/FAIL: redis@2\.2\.5 returned \d+ wrong repl(y|ies) on attempt \d of at most 5/);
  }, 180_000);

  it('with redis@2.3.0 (the fix) swapped in, the same script exits 0', async () => {
    await installRedis(project, '2.3.0');
    const ran = await repro(project);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stdout).toContain('OK: redis@2.3.0 gave no wrong reply in 5 attempt(s)');
    expect(ran.stdout).toContain('rejected (UNCERTAIN_STATE)');
    expect(ran.stdout).not.toContain('WRONG REPLY');
  }, 180_000);

  it('a server that is not there is exit 2, not a verdict', async () => {
    const ran = await sh(process.execPath, ['repro.mjs'], project, 60_000, userEnv({ REDIS_URL: 'redis://127.0.0.1:1' }));
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('could not run the reproduction');
  }, 60_000);
});

/** The minimal scenario `crosswire explore` found for redis@2.2.5 from the chaos control's bounds: two cameras and a server restart. */
const RESTART_SCENARIO = `name: export-restart
seed: 1127676183
timeScale: 5
duration: 32s
drain: 4s
fleet:
  devices: 2
  devicesPerAccount: { min: 1, max: 5 }
  viewersPerAccount: { min: 1, max: 1 }
  eventInterval: 3.93s
  backoff: { base: 240ms, cap: 1.5s }
identities:
  keyTemplate: tenant:eu-west-1/owner/{device}
cache:
  adapter: redis@2.2.5
  ttl: 2m
timeline:
  - at: 9s
    fault: cache-restart
    duration: 11.4s
`;

describe.skipIf(skipWithout('redis', 'crosswire export of a server restart'))('crosswire export: a server restart, staged by the script', () => {
  it('reproduces redis@2.2.5 answering a GET sent while the server was down with another command\'s reply; redis@2.3.0 does not', async () => {
    const file = join(work, 'export-restart.yaml');
    writeFileSync(file, RESTART_SCENARIO);
    const reports = join(work, 'restart-reports');
    const run = await runCli(['run', file, '--out-dir', reports, '--quiet'], { cwd: ROOT, timeoutMs: 120_000 });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const out = join(work, 'restart-repro');
    const exported = await runCli(['export', join(reports, 'latest'), '--out', out, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const plan = (JSON.parse(exported.stdout) as { plan: Plan & { drop: { fault: string; whileDown?: string; empty?: boolean } } }).plan;
    expect(plan.drop).toMatchObject({ fault: 'cache-restart', whileDown: 'accept-and-close', empty: true });
    await installRedis(out, '2.2.5');
    const wrong = await repro(out);
    expect(wrong.code, wrong.stdout + wrong.stderr).toBe(1);
    expect(wrong.stdout).toContain('a server restart with');
    expect(wrong.stdout).toContain('WRONG REPLY: GET tenant:eu-west-1/owner/cam-');
    await installRedis(out, '2.3.0');
    const right = await repro(out);
    expect(right.code, right.stdout + right.stderr).toBe(0);
    expect(right.stdout).toContain('OK: redis@2.3.0 gave no wrong reply in 5 attempt(s)');
  }, 240_000);
});

describe('crosswire export refuses what has no library to hand upstream', () => {
  it('an in-process adapter: exit 2 with a stable code, nothing written', async () => {
    const reports = join(work, 'in-process');
    const run = await runCli(['run', '--cache', 'faulty:crossed-replies', '--out-dir', reports, '--quiet'], { cwd: ROOT });
    expect(run.code, run.stderr).toBe(1);
    const out = join(work, 'not-written');
    const refused = await runCli(['export', join(reports, 'latest'), '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('faulty:crossed-replies runs inside crosswire');
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('explore --export with such an adapter is refused before the search', async () => {
    const explored = await runCli(['explore', '--cache', 'faulty:wire-stale-queue', '--export', join(work, 'x'), '--budget', '5s', '--out-dir', join(work, 'explore')], { cwd: ROOT });
    expect(explored.code).toBe(2);
    expect(explored.stderr).toContain("crosswire's own RESP client");
  }, 60_000);
});
