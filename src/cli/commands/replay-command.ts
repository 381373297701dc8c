import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '../../errors.ts';
import { loadScenarioFile } from '../../scenario/load-scenario.ts';
import { checkOutDir } from '../../store/out-dir-check.ts';
import { makeChalk } from '../output.ts';
import { applyKeepRuns, keepRunsFor } from '../keep-runs.ts';
import { recordRun } from '../record-run.ts';
import { readRunSummary, requireRunDirectory, RUN_FILES } from '../../store/run-store.ts';
import { invocation } from '../scenario-overrides.ts';

export interface ReplayOptions {
  outDir: string;
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  keepRuns?: number | 'off';
}

/**
 * `crosswire replay <run-dir>`: runs the run's scenario.resolved.yaml again, with its seed, into a
 * new run directory, and says whether the verdict (and, on a virtual clock, the history hash)
 * came out the same. Exit 0 when it reproduced, 1 when it did not.
 */
export async function replayCommand(dir: string, options: ReplayOptions): Promise<number> {
  await requireRunDirectory(dir);
  const recorded = await readRunSummary(dir);
  const file = join(dir, RUN_FILES.resolvedScenario);
  const exists = await stat(file).then(() => true, () => false);
  if (!exists) throw usageError('RESOLVED_SCENARIO_NOT_FOUND', `${file}: not found (runs record their resolved scenario there)`);
  const { scenario } = await loadScenarioFile(file);
  await checkOutDir(options.outDir);
  const keep = keepRunsFor(options.keepRuns, options.outDir);
  const err = makeChalk(process.stderr, options.color === false);
  if (!options.quiet && !options.json) process.stderr.write(err.dim(`crosswire: replaying ${scenario.name} seed ${scenario.seed} from ${dir}\n`));
  const repro = `${invocation()} replay ${dir}`;
  const { summary, runDir } = await recordRun(scenario, { outDir: options.outDir, file, repro, progress: !options.quiet && !options.json, err });
  // the run replayed stays too, whatever its age
  await applyKeepRuns(options.outDir, keep, runDir, err, options.quiet === true, [dir]);

  const virtual = recorded.history?.clock === 'virtual' && summary.history?.clock === 'virtual';
  const sameVerdict = summary.verdict === recorded.verdict;
  const sameHash = !virtual || summary.history?.sha256 === recorded.history?.sha256;
  const reproduced = sameVerdict && sameHash && summary.exitCode !== 130;
  if (options.json) {
    process.stdout.write(JSON.stringify({ reproduced, recorded: pick(recorded), replayed: pick(summary), runDirectory: runDir }, null, 2) + '\n');
    return reproduced ? 0 : 1;
  }
  const c = makeChalk(process.stdout, options.color === false);
  const lines = [
    `${reproduced ? c.green.bold('REPRODUCED') : c.red.bold('NOT REPRODUCED')}: verdict ${summary.verdict} (recorded ${recorded.verdict})` +
      (virtual ? `, history ${sameHash ? 'identical' : 'different'} (sha256 ${summary.history?.sha256.slice(0, 16)}…)` : ', real clock: the verdict is what must reproduce, not the interleaving'),
    `  replay's run directory: ${runDir}`,
  ];
  if (!options.quiet) for (const reason of summary.reasons) lines.push(`  ${reason}`);
  process.stdout.write(lines.join('\n') + '\n');
  return reproduced ? 0 : 1;
}

function pick(s: Awaited<ReturnType<typeof readRunSummary>>) {
  return { verdict: s.verdict, violationCount: s.violationCount, history: s.history };
}
