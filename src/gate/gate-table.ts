import type { ChalkInstance } from 'chalk';
import type { GateResult, SeedPair } from './gate-compare.ts';
import type { GateRun } from './gate-run.ts';
import type { GateSide } from './gate-side.ts';
import { formatMetric, type RegressionMetricName } from './regression-metrics.ts';

const thresholdCell = (r: GateRun) => (r.thresholds.length === 0 ? '—' : `${r.thresholds.filter((t) => t.ok).length}/${r.thresholds.length}`);

/** The metrics compared by default, one column each. */
const SEED_METRICS: readonly RegressionMetricName[] = ['reconnect_p99', 'cache_error_rate', 'cache_p99', 'thumbnail_p99'];

/** One row per scenario and seed; every measured column reads `baseline / candidate`. */
export function seedRows(pairs: readonly SeedPair[]): string[][] {
  return pairs.map(({ scenario, seed, baseline: b, candidate: c }) => [
    scenario,
    String(seed),
    b.verdict,
    c.verdict,
    `${b.violations} / ${c.violations}`,
    ...SEED_METRICS.map((m) => `${formatMetric(m, b.metrics[m])} / ${formatMetric(m, c.metrics[m])}`),
    `${thresholdCell(b)} / ${thresholdCell(c)}`,
  ]);
}

export const SEED_HEADER = ['scenario', 'seed', 'baseline', 'candidate', 'violations b/c', 'p99 reconnect b/c', 'cache errors b/c', 'cache p99 b/c', 'thumbnail p99 b/c', 'thresholds held b/c'];

function table(c: ChalkInstance, header: string[], rows: string[][], bad: (i: number) => boolean): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  return [c.bold(line(header)), ...rows.map((r, i) => (bad(i) ? c.red(line(r)) : line(r)))];
}

const outcomeColour = { PASS: 'green', FAIL: 'red', REGRESSED: 'yellow', INCONCLUSIVE: 'yellow', INTERRUPTED: 'yellow' } as const;

/** The gate in the terminal: the side-by-side runs, the comparisons, then why it passed or not. */
export function renderGateTable(c: ChalkInstance, result: GateResult, sides: { baseline: GateSide; candidate: GateSide }, gateDir: string): string {
  const out: string[] = [c.dim(`baseline ${sides.baseline.label} · candidate ${sides.candidate.label}`), ''];
  out.push(...table(c, SEED_HEADER, seedRows(result.pairs), (i) => result.pairs[i].candidate.verdict !== 'PASS' || result.pairs[i].newBreaches.length > 0));
  if (result.comparisons.length > 0) {
    out.push('', c.bold(`comparisons (${result.aggregation})`));
    for (const cmp of result.comparisons) {
      const mark = cmp.status === 'regressed' ? c.red('✗') : cmp.status === 'ok' ? c.green('✓') : c.dim('·');
      const judged = cmp.status === 'ok' || cmp.status === 'regressed';
      out.push(`  ${mark} ${cmp.scenario} ${cmp.metric}${judged ? '' : ` (margin ${cmp.marginPercent}%)`}: ${judged ? cmp.note : `${cmp.status} (${cmp.note})`}`);
    }
  }
  if (result.findings.length > 0) {
    out.push('', c.bold('why the gate did not pass'));
    for (const f of result.findings) {
      out.push(`  ${c.red('✗')} [exit ${f.exitCode}] ${f.message}`);
      if (f.repro) out.push(`      reproduce: ${f.repro}`);
      if (f.runDir) out.push(c.dim(`      run directory: ${f.runDir}`));
    }
  }
  for (const note of result.notes) out.push(c.dim(`  note: ${note}`));
  out.push('', `gate directory: ${gateDir}`);
  out.push(c[outcomeColour[result.outcome]].bold(`gate: ${result.outcome} (exit ${result.exitCode})`));
  return out.join('\n');
}

/**
 * What `gate --quiet` prints: the outcome line with the gate directory and, for every run behind
 * a finding (a candidate that leaks, is INCONCLUSIVE or breaches a threshold), its run directory
 * and reproduce command.
 */
export function renderGateQuiet(result: Pick<GateResult, 'outcome' | 'exitCode' | 'findings'>, gateDir: string): string {
  const out = [`gate: ${result.outcome} (exit ${result.exitCode}) ${gateDir}`];
  const seen = new Set<string>();
  for (const f of result.findings) {
    if (f.runDir === undefined || seen.has(f.runDir)) continue;
    seen.add(f.runDir);
    out.push(`run directory: ${f.runDir}`);
    if (f.repro) out.push(`reproduce: ${f.repro}`);
  }
  return out.join('\n');
}
