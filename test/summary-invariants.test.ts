import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Chalk } from 'chalk';
import { afterAll, describe, expect, it } from 'vitest';
import { recordRun } from '../src/cli/record-run.ts';
import { checkHistory } from '../src/runner/check-history.ts';
import { loadScenarioFile, type Override } from '../src/scenario/load-scenario.ts';
import { ViolationSpool, writeViolationFiles } from '../src/store/violation-files.ts';
import { RUN_FILES } from '../src/store/run-store.ts';
import { set, yamlFiles } from './support/scenario-files.ts';
import { runCli } from './support/run-cli.ts';
import { skipWithout } from './support/server-skip.ts';
import { expectSummaryAgrees, expectViolationFilesAgree } from './support/summary-invariants.ts';

/**
 * Every shipped scenario, small and on a virtual clock where it allows one, and a leaking run:
 * the summary's numbers agree with each other in every section, and the run directory's
 * violations.ndjson and affected-accounts.csv agree with the summary.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCENARIOS = join(ROOT, 'scenarios');
const files = (await yamlFiles(SCENARIOS)).filter((f) => f.endsWith('.yaml'));
const out = await mkdtemp(join(tmpdir(), 'crosswire-invariants-'));
afterAll(() => rm(out, { recursive: true, force: true }));

/** A small fleet: fewer accounts where the scenario sizes its fleet by accounts, else fewer cameras. */
async function small(file: string): Promise<Override[]> {
  const { scenario } = await loadScenarioFile(file);
  const byAccounts = /^\s*accounts:/m.test(await readFile(file, 'utf8'));
  return [set('clock', 'auto'), byAccounts ? set('fleet.accounts', Math.min(40, scenario.fleet.accounts ?? 40)) : set('fleet.devices', 150)];
}

async function record(file: string, overrides: Override[]) {
  const { scenario } = await loadScenarioFile(file, overrides);
  return recordRun(scenario, { outDir: out, file, repro: 'test', progress: false, err: new Chalk({ level: 0 }), stepSummary: false });
}

describe('the summary agrees with itself', () => {
  it('finds the shipped scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of files) {
    const name = relative(SCENARIOS, file);
    const network = /adapter:\s*(ioredis|node-redis|redis@|memjs)/m;
    it(`${name}`, async (ctx) => {
      if (network.test(await readFile(file, 'utf8')) && skipWithout('redis')) return ctx.skip();
      const { summary, runDir } = await record(file, await small(file));
      expectSummaryAgrees(summary, name);
      await expectViolationFilesAgree(runDir, summary);
    });
  }

  it('in a run that leaks more violations than the summary quotes, and again when re-judged', async () => {
    const file = join(SCENARIOS, 'reconnect-storm.yaml');
    const { summary, runDir } = await record(file, [set('clock', 'virtual'), set('fleet.devices', 100), set('cache.adapter', 'faulty:key-collision')]);
    expect(summary.verdict).toBe('FAIL');
    expect(summary.violationCount).toBeGreaterThan(200);
    expect(summary.violations.length).toBeLessThan(summary.violationCount);
    expect(summary.headline.accountsTapped).toBeGreaterThan(0);
    expectSummaryAgrees(summary, 'key-collision');
    await expectViolationFilesAgree(runDir, summary);

    // `check` writes the same files from the stored history
    const written = await readFile(join(runDir, 'violations.ndjson'));
    const csv = await readFile(join(runDir, 'affected-accounts.csv'));
    const check = await runCli(['check', runDir]);
    expect(check.code, check.stderr).toBe(1);
    expect(await readFile(join(runDir, 'violations.ndjson'))).toEqual(written);
    expect(await readFile(join(runDir, 'affected-accounts.csv'))).toEqual(csv);

    // keeping only 5 in memory changes nothing a reader sees but the quoted examples
    const spool = new ViolationSpool(runDir);
    const { checker, judged } = await checkHistory(join(runDir, RUN_FILES.history), { onViolation: spool.add, keepViolations: 5 });
    await writeViolationFiles(runDir, spool, (v) => checker.blameOf(v));
    expect(judged.blame).toEqual(summary.blame);
    expect(judged.headline).toEqual(summary.headline);
    expect(await readFile(join(runDir, 'violations.ndjson'))).toEqual(written);
  }, 120_000);
});
