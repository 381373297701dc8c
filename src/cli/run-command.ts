import { fileURLToPath } from 'node:url';
import { usageError } from '../errors.ts';
import { renderConsoleSummary, verdictLine } from '../report/console-summary.ts';
import { writeRunDirectory } from '../report/run-directory.ts';
import { appendStepSummary } from '../report/write-reports.ts';
import { runScenario } from '../runner/run-scenario.ts';
import { loadScenarioFile } from '../scenario/load-scenario.ts';
import { makeChalk } from './output.ts';
import { createProgress } from './progress-display.ts';
import { overridesFrom, reproCommand, type RunFlags } from './scenario-overrides.ts';

export interface RunCommandOptions extends RunFlags {
  outDir: string;
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
}

export const DEFAULT_SCENARIO = fileURLToPath(new URL('../../scenarios/reconnect-storm.yaml', import.meta.url));

/** `crosswire run [scenario]`: load, override, run, report; returns the exit code. */
export async function runCommand(file: string | undefined, options: RunCommandOptions): Promise<number> {
  const scenarioFile = file ?? DEFAULT_SCENARIO;
  if (options.devices !== undefined && options.accounts !== undefined) {
    throw usageError('CONFLICTING_FLAGS', 'flags --devices and --accounts: give one; with --accounts the device count follows from devicesPerAccount');
  }
  const { scenario } = await loadScenarioFile(scenarioFile, overridesFrom(options));

  const err = makeChalk(process.stderr, options.color === false);
  const out = makeChalk(process.stdout, options.color === false);
  const repro = reproCommand(file, options, scenario.seed);
  if (!options.quiet) {
    process.stderr.write(err.dim(`crosswire: ${scenario.name} seed ${scenario.seed} (${file ?? 'built-in default'})\n`));
  }

  const progress = options.quiet || options.json ? undefined : createProgress(process.stderr, err);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130); // a second Ctrl-C means now
    const note = err.yellow('interrupted: healing faults and writing a partial report…');
    if (progress) progress.note(note);
    else process.stderr.write(`\n${note}\n`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const { summary } = await runScenario(scenario, {
      repro,
      scenarioFile: file,
      signal: controller.signal,
      onLive: progress ? (snapshot) => progress.attach(snapshot) : undefined,
    });
    progress?.stop();
    const runDir = await writeRunDirectory(options.outDir, summary);
    await appendStepSummary(summary);
    if (options.json) process.stdout.write(JSON.stringify({ ...summary, runDirectory: runDir }, null, 2) + '\n');
    else if (options.quiet) process.stdout.write(verdictLine(out, summary) + '\n');
    else process.stdout.write(renderConsoleSummary(out, summary, runDir) + '\n');
    return summary.exitCode;
  } finally {
    progress?.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
