import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO } from '../src/cli/commands/run-command.ts';
import { overridesFrom } from '../src/cli/scenario-overrides.ts';
import { castOf } from '../src/fuzz/fuzz-cast.ts';
import { embeddedTarget, type FuzzTarget } from '../src/fuzz/fuzz-target.ts';
import { fromRegressionFile, readRegressionFile } from '../src/fuzz/regression-case.ts';
import { runCase } from '../src/fuzz/run-case.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';
import { runCli } from './support/run-cli.ts';

// `crosswire fuzz` from the command line: clean on the embedded broker (exit 0, the summary's
// figures), exit 1 with a shrunk case file against a broker whose ACL lets a viewer read
// `accounts/+/…` (`weakened-read`, reached by --broker as an external broker is), exit 2 on bad flags.
const SEED = 4;
const env = { CROSSWIRE_BROKER_SECRET: undefined };
let out: string;
let planted: FuzzTarget;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-fuzz-cli-'));
  const { scenario } = await loadScenarioFile(DEFAULT_SCENARIO, overridesFrom({ seed: SEED }, {}));
  const cast = castOf(SEED, scenario.fleet, '');
  planted = await embeddedTarget(cast, { transport: 'tcp', acl: 'weakened-read' });
});
afterAll(async () => {
  await planted.close();
  await rm(out, { recursive: true, force: true });
});

describe('crosswire fuzz', () => {
  // proves: the shipped embedded broker is clean for a short budget, and the summary says what ran
  it('replays the shipped regression cases clean', async () => {
    const result = await runCli(['fuzz', '--replay', 'test/fixtures/fuzz-regressions'], { env });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/PASS {2}fuzz replay .* (\d+)\/\1 cases clean/);
  }, 60_000);

  it('exits 0 on the embedded broker with its figures', async () => {
    const result = await runCli(['fuzz', '--budget', '4s', '--seed', String(SEED), '--json', '--out-dir', out], { env });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ verdict: 'PASS', seed: SEED, crashes: 0, hangs: 0, bypasses: 0, specViolations: 0 });
    expect(summary.cases).toBeGreaterThan(50);
    expect(summary.packets).toBeGreaterThan(summary.cases);
  }, 60_000);

  // proves: against a broker with a planted `accounts/+/…` grant, reached as an external one, the
  // fuzzer exits 1, names the bypass and writes a shrunk case that still finds it when replayed
  it('exits 1 with a shrunk case file on a planted bypass', async () => {
    const result = await runCli(['fuzz', '--broker', planted.url!, '--budget', '40s', '--shrink-budget', '20s', '--seed', String(SEED), '--out-dir', out], { env, timeoutMs: 120_000 });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {2}fuzz/);
    expect(result.stdout).toMatch(/\[bypass\]/);
    const [dir] = await readdir(join(out, 'fuzz'));
    const caseFile = join(out, 'fuzz', dir, 'case.json');
    expect(existsSync(caseFile)).toBe(true);
    const file = await readRegressionFile(caseFile);
    expect(file.found.map((f) => f.kind)).toContain('bypass');
    const { scenario } = await loadScenarioFile(DEFAULT_SCENARIO, overridesFrom({ seed: SEED }, {}));
    const findings = await runCase(planted, castOf(SEED, scenario.fleet, ''), fromRegressionFile(file), 1);
    expect(findings.map((f) => f.kind)).toContain('bypass');
    // the same file through --replay: still a finding there, clean on the embedded broker's strict rules
    const again = await runCli(['fuzz', '--replay', caseFile, '--broker', planted.url!], { env });
    expect(again.code, again.stdout + again.stderr).toBe(1);
    expect(again.stdout).toMatch(/✗ case\.json/);
    const fixed = await runCli(['fuzz', '--replay', caseFile], { env });
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
  }, 150_000);

  it.each([
    [['--budget', 'soon'], /--budget/],
    [['--broker', 'http://127.0.0.1:1'], /--broker/],
    [['--transport', 'udp'], /transport/],
    [['--replay', '/nonexistent/case.json'], /not a readable JSON fuzz case/],
  ])('exits 2 on %j', async (args, message) => {
    const result = await runCli(['fuzz', ...args], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
