import { exitCodeFor, type JudgedSummary, type RunSummary } from '../../report/summary.ts';
import { checkHistory } from '../../runner/check-history.ts';
import { makeChalk } from '../output.ts';
import { findHistory, readRunSummary, RUN_FILES } from '../../store/run-store.ts';
import { ViolationSpool, writeViolationFiles } from '../../store/violation-files.ts';

export interface CheckOptions {
  json?: boolean;
  color?: boolean;
}

/**
 * `crosswire check <run-dir>`: re-judges the stored history (compressed or not) without re-running anything and says
 * whether it reaches the verdict the run reported. Exit code: the re-judged verdict's.
 */
export async function checkCommand(dir: string, options: CheckOptions): Promise<number> {
  const file = await findHistory(dir);
  // the run directory's violation files are re-derived too (the same bytes for the same history)
  // (a run directory that cannot be written, say a read-only artifact, is still judged)
  let unwritten: string | undefined;
  let spool: ViolationSpool | undefined;
  try {
    spool = new ViolationSpool(dir);
  } catch (error) {
    unwritten = (error as Error).message;
  }
  const { judgement, judged, reading, checker } = await checkHistory(file, { onViolation: spool?.add }).catch(async (error: unknown) => {
    await spool?.discard();
    throw error;
  });
  if (spool) await writeViolationFiles(dir, spool, (v) => checker.blameOf(v)).catch((error: unknown) => (unwritten = (error as Error).message));
  if (unwritten !== undefined) process.stderr.write(`crosswire: ${RUN_FILES.violations} and ${RUN_FILES.affectedAccounts} not written: ${unwritten}\n`);
  const recorded = await readRunSummary(dir).catch(() => undefined);
  const comparison = recorded ? compare(recorded, judged, reading.sha256) : undefined;
  // the verdict's code: an interrupted run's history is INCONCLUSIVE here, not "interrupted" (130)
  const exitCode = exitCodeFor(judgement.verdict, false, judgement.thresholds.some((t) => !t.ok));
  if (options.json) {
    process.stdout.write(JSON.stringify({ ...judged, exitCode, history: { file, ops: reading.ops, bytes: reading.bytes, sha256: reading.sha256, compressed: reading.compressed }, matchesRun: comparison }, null, 2) + '\n');
    return exitCode;
  }
  const c = makeChalk(process.stdout, options.color === false);
  const colour = judgement.verdict === 'PASS' ? c.green : judgement.verdict === 'FAIL' ? c.red : c.yellow;
  const lines = [`${colour.bold(judgement.verdict)} re-judged from ${file} (${reading.ops.toLocaleString('en-US')} ops, sha256 ${reading.sha256.slice(0, 16)}…)`];
  for (const check of judgement.checks) lines.push(`  ${check.status.padEnd(12)} ${check.name}: ${check.detail}`);
  if (comparison === undefined) lines.push(c.dim('  no summary.json beside it to compare with'));
  else if (comparison.length === 0) lines.push(c.green('  same verdict, checks and violations as the run reported'));
  else lines.push(c.red(`  differs from the run's summary.json: ${comparison.join('; ')}`));
  process.stdout.write(lines.join('\n') + '\n');
  return exitCode;
}

/** What differs between the recorded summary and the re-judged one (empty: nothing). */
export function compare(recorded: RunSummary, j: JudgedSummary, sha256: string): string[] {
  const out: string[] = [];
  if (recorded.verdict !== j.verdict) out.push(`verdict ${recorded.verdict} → ${j.verdict}`);
  if (JSON.stringify(recorded.checks) !== JSON.stringify(j.checks)) out.push('check results differ');
  if (recorded.violationCount !== j.violationCount) out.push(`violations ${recorded.violationCount} → ${j.violationCount}`);
  if (recorded.violationPairs !== undefined && recorded.violationPairs.sha256 !== j.violationPairs?.sha256) out.push(`violation pairs ${recorded.violationPairs.count} → ${j.violationPairs?.count} (a different set)`);
  // counts a newer crosswire added are not in an older summary: compare the ones it has
  const rejudged = Object.fromEntries(Object.keys(recorded.headline).map((k) => [k, j.headline[k as keyof typeof j.headline]]));
  if (JSON.stringify(recorded.headline) !== JSON.stringify(rejudged)) out.push('headline counts differ');
  if (recorded.history?.sha256 !== undefined && recorded.history.sha256 !== sha256) out.push('history hash differs from the one recorded (the file changed)');
  return out;
}
