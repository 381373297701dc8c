import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { isCrosswireError } from '../../errors.ts';
import { runScenario } from '../../runner/run-scenario.ts';
import { loadScenarioFile, type Override } from '../../scenario/load-scenario.ts';
import { clockModeOf } from '../../scenario/schema.ts';
import type { Verdict } from '../../oracle/verdict.ts';
import type { BlameClass } from '../../oracle/violation.ts';
import { ExitCode } from '../../exit-codes.ts';
import { makeChalk } from '../output.ts';

/** One row of the self-test: an adapter, the control scenario it runs, what it must come to. */
export interface Control {
  adapter: string;
  scenario: string;
  expected: Verdict;
  /** For a control that must FAIL: the one class of blame its violations must get. */
  blame?: BlameClass;
  /** A scenario field the control sets beside the adapter (`broker.acl`: one rule too broad). */
  set?: { path: string; value: string };
}

/** Runs a real-clock control that must FAIL gets to show its bug. */
const FAIL_TRIES = 3;

const scenarioPath = (name: string) => fileURLToPath(new URL(`../../../scenarios/${name}`, import.meta.url));

/**
 * Every positive control must FAIL, blamed for what it does, and every correct adapter must PASS,
 * on the same scenario and seed: the proof that the oracle sees what it claims to see.
 */
export const controls: Control[] = [
  { adapter: 'memory', scenario: 'reconnect-storm.yaml', expected: 'PASS' },
  { adapter: 'faulty:crossed-replies', scenario: 'reconnect-storm.yaml', expected: 'FAIL', blame: 'wrong-key' },
  { adapter: 'faulty:stale-owner', scenario: 'reconnect-storm.yaml', expected: 'FAIL', blame: 'stale' },
  { adapter: 'faulty:key-collision', scenario: 'reconnect-storm.yaml', expected: 'FAIL', blame: 'wrong-key' },
  // keys cut to 32 characters: harmless on crosswire's own 17-character keys, a leak on realistic ones
  { adapter: 'faulty:long-key-truncation', scenario: 'reconnect-storm.yaml', expected: 'PASS' },
  { adapter: 'memory', scenario: 'controls/long-keys-storm.yaml', expected: 'PASS' },
  { adapter: 'faulty:long-key-truncation', scenario: 'controls/long-keys-storm.yaml', expected: 'FAIL', blame: 'wrong-key' },
  { adapter: 'memory', scenario: 'ttl-churn.yaml', expected: 'PASS' },
  { adapter: 'faulty:stale-owner', scenario: 'ttl-churn.yaml', expected: 'FAIL', blame: 'stale' },
  { adapter: 'ioredis', scenario: 'controls/cache-chaos-storm.yaml', expected: 'PASS' },
  { adapter: 'node-redis', scenario: 'controls/cache-chaos-storm.yaml', expected: 'PASS' },
  { adapter: 'memjs', scenario: 'controls/cache-chaos-storm.yaml', expected: 'PASS' },
  { adapter: 'redis@2.3.0', scenario: 'controls/cache-chaos-storm.yaml', expected: 'PASS' },
  { adapter: 'redis@2.2.5', scenario: 'controls/cache-chaos-storm.yaml', expected: 'FAIL', blame: 'wrong-key' },
  { adapter: 'ioredis@4.16.1', scenario: 'controls/pipeline-reset-storm.yaml', expected: 'PASS' },
  { adapter: 'ioredis@4.16.0', scenario: 'controls/pipeline-reset-storm.yaml', expected: 'FAIL', blame: 'wrong-key' },
  { adapter: 'faulty:wire-crossed-replies', scenario: 'controls/cache-chaos-storm.yaml', expected: 'FAIL', blame: 'wrong-key' },
  { adapter: 'faulty:wire-stale-queue', scenario: 'controls/cache-chaos-storm.yaml', expected: 'FAIL', blame: 'wrong-key' },
  // the broker's rules: hostile tenants get nothing through the embedded broker's, and leak with one rule too broad
  { adapter: 'memory', scenario: 'hostile-tenants.yaml', expected: 'PASS' },
  { adapter: 'memory', scenario: 'hostile-tenants.yaml', set: { path: 'broker.acl', value: 'weakened-read' }, expected: 'FAIL', blame: 'broker' },
  { adapter: 'memory', scenario: 'hostile-tenants.yaml', set: { path: 'broker.acl', value: 'weakened-publish' }, expected: 'FAIL', blame: 'broker' },
];

export interface SelftestRow extends Control {
  verdict: Verdict | 'ERROR';
  violations: number;
  seconds: number;
  ok: boolean;
  note: string;
  /** How many runs the row took (a real-clock control that must FAIL gets up to three). */
  runs: number;
}

export async function selftestCommand(options: { only?: string; seed?: number; color?: boolean; json?: boolean }): Promise<number> {
  const out = makeChalk(process.stdout, options.color === false);
  const err = makeChalk(process.stderr, options.color === false);
  const chosen = controls.filter((c) => options.only === undefined || c.adapter === options.only || c.scenario.includes(options.only));
  const rows: SelftestRow[] = [];
  let unavailable = false;
  for (const control of chosen) {
    if (!options.json) process.stderr.write(err.dim(`selftest: ${control.adapter} on ${scenarioText(control)} (expect ${control.expected})…\n`));
    const started = performance.now();
    try {
      const overrides: Override[] = [{ path: ['cache', 'adapter'], value: control.adapter, origin: 'selftest' }];
      if (options.seed !== undefined) overrides.push({ path: ['seed'], value: options.seed, origin: 'flag --seed' });
      if (control.set !== undefined) overrides.push({ path: control.set.path.split('.'), value: control.set.value, origin: 'selftest' });
      const { scenario } = await loadScenarioFile(scenarioPath(control.scenario), overrides);
      // A control that must FAIL on a real clock may miss its interleaving on a loaded machine (the
      // bug needs a reply cut at the right instant): it gets up to three runs to show it. A control
      // that must PASS gets one run: a FAIL there is never retried away.
      const tries = control.expected === 'FAIL' && clockModeOf(scenario) === 'real' ? FAIL_TRIES : 1;
      let { summary } = await runScenario(scenario);
      let tried = 1;
      for (; tried < tries && summary.verdict !== 'FAIL'; tried++) ({ summary } = await runScenario(scenario));
      const blamed = Object.keys(summary.blame ?? {});
      const wrongBlame = control.blame !== undefined && (blamed.length === 0 || blamed.some((b) => b !== control.blame));
      const ok = summary.verdict === control.expected && !wrongBlame;
      const triesText = tries > 1 && (tried > 1 || !ok) ? (summary.verdict === 'FAIL' ? ` (FAILed on run ${tried} of at most ${tries})` : ` (no FAIL in ${tried} runs)`) : '';
      const note = (ok ? '' : wrongBlame ? `blamed ${blamed.join(', ') || 'nothing'}, expected ${control.blame}` : (summary.reasons[0] ?? '')) + triesText;
      rows.push({ ...control, verdict: summary.verdict, violations: summary.violationCount, seconds: (performance.now() - started) / 1000, ok, note, runs: tried });
    } catch (error) {
      if (isCrosswireError(error) && error.exitCode === ExitCode.unavailable) unavailable = true;
      rows.push({ ...control, verdict: 'ERROR', violations: 0, seconds: (performance.now() - started) / 1000, ok: false, note: (error as Error).message.split('\n')[0], runs: 1 });
    }
  }
  const allOk = rows.every((r) => r.ok);
  if (options.json) process.stdout.write(JSON.stringify({ ok: allOk, rows }, null, 2) + '\n');
  else process.stdout.write(renderTable(out, rows) + '\n' + (allOk ? out.green('selftest: every control came out as expected') : out.red('selftest: some controls did not come out as expected')) + '\n');
  if (allOk) return ExitCode.pass;
  return unavailable ? ExitCode.unavailable : ExitCode.fail;
}

/** The scenario, and the field a control sets (`hostile-tenants.yaml --set broker.acl=weakened-read`). */
function scenarioText(c: Control): string {
  return c.set === undefined ? c.scenario : `${c.scenario} --set ${c.set.path}=${c.set.value}`;
}

function renderTable(c: ReturnType<typeof makeChalk>, rows: SelftestRow[]): string {
  const header = ['adapter', 'scenario', 'expected', 'verdict', 'blame', 'violations', 'time', ''];
  const cells = rows.map((r) => [r.adapter, scenarioText(r), r.expected, r.verdict, r.blame ?? '', String(r.violations), `${r.seconds.toFixed(1)}s`, r.ok ? (r.note ? `✓ ${r.note}` : '✓') : `✗ ${r.note}`]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  return [c.bold(line(header)), ...cells.map((row, i) => (rows[i].ok ? line(row) : c.red(line(row))))].join('\n');
}
