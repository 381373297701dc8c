import { join } from 'node:path';
import type { ChalkInstance } from 'chalk';
import { createRunDirectory, RUN_FILES, writeRunDirectory, writeRunError } from '../store/run-store.ts';
import { ViolationSpool, writeViolationFiles } from '../store/violation-files.ts';
import type { RunSummary } from '../report/summary.ts';
import { appendStepSummary } from '../report/write-reports.ts';
import { runScenario } from '../runner/run-scenario.ts';
import type { RunSnapshot } from '../metrics/run-snapshot.ts';
import { resolvedScenarioYaml } from '../scenario/resolved-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { isCrosswireError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { createProgress } from './progress/create-progress.ts';
import type { ShardStartOptions } from '../runner/shard-start.ts';
import { abortOnInterrupt } from './interrupt-signals.ts';

export interface RecordOptions {
  outDir: string;
  /** The scenario file as given (undefined: the built-in default). */
  file: string | undefined;
  repro: string;
  /** Live progress on stderr (off for --quiet and --json). */
  progress: boolean;
  err: ChalkInstance;
  /** Also hand the live snapshot to this (the metrics endpoint). */
  onLive?: (snapshot: () => RunSnapshot) => void;
  /** Append summary.md to $GITHUB_STEP_SUMMARY (default yes; the gate writes its own). */
  stepSummary?: boolean;
  /** A shard: how it meets the others. */
  shardStart?: ShardStartOptions;
}

/**
 * One run, recorded: the run directory is made first (scenario.resolved.yaml, then
 * history.ndjson as the run goes), Ctrl-C heals and judges what happened so far, and every
 * report is written at the end, interrupted or not. A run directory is never deleted: one whose
 * run could not start keeps error.json saying why.
 */
export async function recordRun(scenario: Scenario, options: RecordOptions): Promise<{ summary: RunSummary; runDir: string }> {
  const { err } = options;
  const progress = options.progress ? createProgress(process.stderr, err) : undefined;
  const startedAt = new Date();
  const runDir = await createRunDirectory(options.outDir, scenario.name, scenario.seed, startedAt, resolvedScenarioYaml(scenario, options.file), scenario.shard);

  const controller = new AbortController();
  const stopListening = abortOnInterrupt(controller, () => {
    const note = err.yellow('interrupted: healing faults and writing a partial report…');
    if (progress) progress.note(note);
    else process.stderr.write(`\n${note}\n`);
  });
  try {
    const spool = new ViolationSpool(runDir);
    const { summary, world } = await runScenario(scenario, {
      repro: options.repro,
      scenarioFile: options.file,
      startedAt,
      historyFile: join(runDir, RUN_FILES.history),
      signal: controller.signal,
      onViolation: spool.add,
      shardStart: options.shardStart,
      onLive:
        progress || options.onLive
          ? (snapshot) => {
              progress?.attach(snapshot);
              options.onLive?.(snapshot);
            }
          : undefined,
    }).catch(async (error: unknown) => {
      // nothing ran (a missing server, an adapter that cannot start): the directory keeps why
      await writeRunError(runDir, errorRecord(error)).catch(() => undefined);
      await spool.discard().catch(() => undefined);
      throw error;
    });
    progress?.stop();
    await writeViolationFiles(runDir, spool, (v) => world.checker.blameOf(v));
    await writeRunDirectory(options.outDir, summary);
    if (options.stepSummary !== false) await appendStepSummary(summary);
    return { summary, runDir };
  } finally {
    progress?.stop();
    stopListening();
  }
}

/** error.json: why a run directory holds no verdict. */
function errorRecord(error: unknown): { code: string; exitCode: number; message: string } {
  if (isCrosswireError(error)) return { code: error.code, exitCode: error.exitCode, message: error.message };
  return { code: 'INTERNAL', exitCode: ExitCode.internal, message: (error as Error)?.message ?? String(error) };
}
