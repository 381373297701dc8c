import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { randomInt } from 'node:crypto';
import { loadCacheAdapter } from '../../cache/load-adapter.ts';
import { isAdapterModulePath } from '../../cache/builtin-adapters.ts';
import { isCrosswireError, usageError } from '../../errors.ts';
import { exportRepro, type ExportedRepro } from '../../export/export-repro.ts';
import { exportTarget } from '../../export/export-target.ts';
import { ExitCode } from '../../exit-codes.ts';
import { explore, type ExploreOutcome } from '../../explore/explore-search.ts';
import { minimalYaml } from '../../explore/minimal-yaml.ts';
import { shapeOf } from '../../explore/scenario-draft.ts';
import { parseDuration } from '../../fields/duration.ts';
import { violationsText } from '../../report/summary.ts';
import { loadScenarioFile } from '../../scenario/load-scenario.ts';
import { checkOutDir } from '../../store/out-dir-check.ts';
import { applyKeepRuns, keepRunsFor } from '../keep-runs.ts';
import { makeChalk } from '../output.ts';
import { ExploreProgressLine, seconds } from '../progress/explore-progress.ts';
import { recordRun } from '../record-run.ts';
import { overridesFrom } from '../scenario-overrides.ts';
import { exportedText } from './export-command.ts';
import { DEFAULT_SCENARIO } from './run-command.ts';

export interface ExploreCommandOptions {
  cache?: string;
  cacheModule?: string;
  budget: string;
  shrinkBudget: string;
  seed?: number;
  outDir: string;
  /** On a FAIL, write a standalone repro for the client library here. */
  export?: string;
  json?: boolean;
  color?: boolean;
}

export const MINIMAL_FILE = 'minimal.yaml';

function budgetMs(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 1000) throw usageError('BAD_FLAG', `flag ${flag}: expected a duration of at least 1s like 90s, 10m or 1h, found ${JSON.stringify(text)}`);
  return ms;
}

/** `crosswire explore [scenario]`: search the bounds for a FAIL, shrink it, record the minimal run. */
export async function exploreCommand(file: string | undefined, options: ExploreCommandOptions): Promise<number> {
  const budget = budgetMs(options.budget, '--budget');
  const shrinkBudget = budgetMs(options.shrinkBudget, '--shrink-budget');
  const origin = file ?? 'the built-in default';
  const overrides = overridesFrom({ cache: options.cache, cacheModule: options.cacheModule }, {});
  const { scenario: template } = await loadScenarioFile(file ?? DEFAULT_SCENARIO, overrides);
  const adapterModule = isAdapterModulePath(template.cache.adapter) ? await loadCacheAdapter(template.cache.adapter, options.cache ? 'flag --cache' : `${origin}: cache.adapter`) : undefined;
  // refused before the search, not after it: an adapter with no library to hand upstream
  if (options.export !== undefined) exportTarget(template.cache.adapter, template.cache.module);
  await checkOutDir(options.outDir);
  const seed = options.seed ?? randomInt(1, 2 ** 31 - 1);
  const err = makeChalk(process.stderr, options.color === false);
  const out = makeChalk(process.stdout, options.color === false);
  const command = ['crosswire explore', file, `--cache ${template.cache.adapter}`, options.cacheModule ? `--cache-module ${options.cacheModule}` : undefined, `--seed ${seed}`]
    .filter((part) => part !== undefined)
    .join(' ');
  process.stderr.write(err.dim(`crosswire explore: cache ${template.cache.adapter}, seed ${seed} (--seed ${seed} repeats this search), budget ${seconds(budget)}, bounds from ${origin}\n`));

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on('SIGINT', onSigint);
  const progress = options.json ? undefined : new ExploreProgressLine(process.stderr, err);
  let outcome: ExploreOutcome;
  try {
    outcome = await explore({ template, origin, adapterModule, budgetMs: budget, shrinkBudgetMs: shrinkBudget, seed, signal: controller.signal, onProgress: (p) => progress?.update(p) });
  } finally {
    progress?.stop();
    process.off('SIGINT', onSigint);
  }

  const coverage = {
    runs: outcome.searchRuns,
    shapes: outcome.shapes.length,
    faultKindsTried: outcome.faultKindsTried,
    discarded: outcome.discarded,
  };
  if (outcome.found === undefined) {
    const code = outcome.interrupted ? ExitCode.interrupted : ExitCode.pass;
    if (options.json) {
      process.stdout.write(JSON.stringify({ verdict: 'PASS', seed, clock: outcome.clock, elapsedSeconds: outcome.elapsedMs / 1000, interrupted: outcome.interrupted, ...coverage }, null, 2) + '\n');
      return code;
    }
    process.stdout.write(
      `${out.bold.green('PASS')}  explore  cache ${template.cache.adapter}  seed ${seed}${outcome.interrupted ? out.yellow('  (interrupted)') : ''}\n` +
        `no FAIL in ${outcome.searchRuns} runs (${seconds(outcome.elapsedMs)}, ${outcome.clock} clock): ${outcome.shapes.length} shapes, ` +
        `fault kinds tried: ${outcome.faultKindsTried.filter((k) => k !== 'transfer').sort().join(', ') || 'none'}` +
        `${outcome.faultKindsTried.includes('transfer') ? ', with transfers' : ''}; ${outcome.discarded} invalid draws discarded\n`,
    );
    return code;
  }

  // the minimal scenario, run once more and recorded: its run directory holds minimal.yaml
  const found = outcome.found;
  const keep = keepRunsFor(undefined, options.outDir);
  // on a real clock the recorded run is tried up to `attempts` + 1 times: every try keeps its run directory
  const tries = outcome.clock === 'real' ? outcome.attempts + 1 : 1;
  let recorded: Awaited<ReturnType<typeof recordRun>> | undefined;
  let tried = 0;
  while (tried < tries && recorded?.summary.verdict !== 'FAIL') {
    tried++;
    recorded = await recordRun(found.minimalScenario, { outDir: options.outDir, file: MINIMAL_FILE, repro: '', progress: false, err, stepSummary: false });
  }
  const { summary, runDir } = recorded!;
  const yamlFile = join(runDir, MINIMAL_FILE);
  const shown = relative(process.cwd(), yamlFile) || yamlFile;
  const shownDir = relative(process.cwd(), runDir) || runDir;
  await writeFile(
    yamlFile,
    minimalYaml(found.minimal, found.minimalSummary, { command, file: shown, runDir: shownDir, searchRuns: outcome.searchRuns, shrinkRuns: outcome.shrinkRuns, from: shapeOf(found.first), to: shapeOf(found.minimal) }),
  );
  await writeFile(join(runDir, 'explore.json'), JSON.stringify(exploreRecord(outcome, seed, command), null, 2) + '\n');
  await applyKeepRuns(options.outDir, keep, runDir, err, true);
  const exported = options.export === undefined ? undefined : await exportOrWhyNot(runDir, options.export, shownDir);
  const reproduced = summary.verdict === 'FAIL';
  if (options.json) {
    const exportJson = exported === undefined ? {} : { export: 'error' in exported ? { error: exported.error } : { dir: exported.dir, files: exported.files } };
    process.stdout.write(JSON.stringify({ ...exploreRecord(outcome, seed, command), minimalFile: yamlFile, runDirectory: runDir, recordedVerdict: summary.verdict, recordTries: tried, ...exportJson }, null, 2) + '\n');
    return ExitCode.fail;
  }
  process.stdout.write(
    [
      `${out.bold.red('FAIL')}  explore  cache ${template.cache.adapter}  seed ${seed}`,
      `found after ${outcome.searchRuns} runs (${seconds(found.timeToFirstFailMs)}): ${shapeOf(found.first)}, violations ${violationsText(found.firstSummary)}`,
      `shrunk in ${outcome.shrinkRuns} runs (${seconds(found.shrinkMs)}${outcome.attempts > 1 ? `, each kept candidate FAILed ${outcome.attempts} times in a row` : ''}) to ${out.bold(shapeOf(found.minimal))}` +
        (found.shrinkCutShort ? out.yellow(' (shrink budget spent: smaller may exist)') : ''),
      ...found.kept.map((k) => out.dim(`  ✓ ${k.what}`)),
      `recorded run: ${summary.verdict}, violations ${violationsText(summary)}${tries > 1 ? ` (try ${tried} of at most ${tries})` : ''}` +
        (reproduced ? '' : out.yellow(' — the minimal scenario did not FAIL again when recorded (real clock); replay it a few times')),
      `minimal scenario: ${shown}`,
      `run directory:    ${shownDir}`,
      `replay: crosswire run ${shown}   or   crosswire replay ${shownDir}`,
    ].join('\n') + '\n',
  );
  if (exported !== undefined) {
    process.stdout.write('error' in exported ? out.yellow(`no repro exported: ${exported.error.message} [${exported.error.code}]\n`) : exportedText(exported, out));
  }
  return ExitCode.fail;
}

/** The repro of the recorded run, or why there is none (the FAIL stands either way: exit 1). */
async function exportOrWhyNot(runDir: string, dir: string, shownDir: string): Promise<ExportedRepro | { error: { code: string; message: string } }> {
  try {
    return await exportRepro(runDir, dir, shownDir);
  } catch (error) {
    if (!isCrosswireError(error)) throw error;
    return { error: { code: error.code, message: error.message } };
  }
}

/** explore.json: how the search and the shrink went, beside the recorded run. */
function exploreRecord(outcome: ExploreOutcome, seed: number, command: string) {
  const found = outcome.found!;
  return {
    verdict: 'FAIL',
    command,
    seed,
    clock: outcome.clock,
    attempts: outcome.attempts,
    search: { runs: outcome.searchRuns, seconds: found.timeToFirstFailMs / 1000, shapes: outcome.shapes.length, faultKindsTried: outcome.faultKindsTried, discarded: outcome.discarded, first: shapeOf(found.first) },
    shrink: { runs: outcome.shrinkRuns, seconds: found.shrinkMs / 1000, cutShort: found.shrinkCutShort, kept: found.kept, minimal: shapeOf(found.minimal) },
    bounds: outcome.bounds,
  };
}
