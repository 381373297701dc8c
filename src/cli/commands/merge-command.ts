import { join } from 'node:path';
import { quietSummary, renderConsoleSummary } from '../../report/console-summary.ts';
import { mergeRun, type ShardRun } from '../../runner/merge-run.ts';
import { resolvedScenarioYaml } from '../../scenario/resolved-scenario.ts';
import { checkOutDir } from '../../store/out-dir-check.ts';
import { createRunDirectory, findHistory, readRunSummary, RUN_FILES, writeRunDirectory } from '../../store/run-store.ts';
import { ViolationSpool, writeViolationFiles } from '../../store/violation-files.ts';
import { makeChalk } from '../output.ts';
import { appendStepSummary } from '../../report/write-reports.ts';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

export interface MergeOptions {
  outDir: string;
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
}

/**
 * `crosswire merge <run-dir…>`: the run directories of every shard of one run → one run
 * directory judged by the same checker as a single-process run. Exit code: the merged verdict's.
 * The shards' directories are only read.
 */
export async function mergeCommand(dirs: string[], options: MergeOptions): Promise<number> {
  const shards: ShardRun[] = [];
  for (const dir of dirs) shards.push({ dir, historyFile: await findHistory(dir), summary: await readRunSummary(dir).catch(() => undefined) });
  await checkOutDir(options.outDir);
  // the merged history is written aside first: its run directory is named after its time zero
  const scratch = await mkdtemp(join(tmpdir(), 'crosswire-merge-'));
  try {
    const staged = join(scratch, RUN_FILES.history);
    // every violation of the merged judgement, spooled aside until its run directory exists
    const spool = new ViolationSpool(scratch);
    const { summary, scenario, checker } = await mergeRun(shards, staged, { onViolation: spool.add });
    // named for when the merge ran: merging the same shards again keeps the earlier result
    summary.startedAt = new Date().toISOString();
    const runDir = await createRunDirectory(options.outDir, scenario.name, scenario.seed, new Date(summary.startedAt), resolvedScenarioYaml(scenario, summary.scenario.file), `merged${summary.shards!.count}`);
    const historyFile = join(runDir, RUN_FILES.history);
    await rename(staged, historyFile).catch(async () => {
      const { copyFile } = await import('node:fs/promises');
      await copyFile(staged, historyFile);
    });
    summary.history = { ...summary.history!, file: historyFile };
    await writeViolationFiles(runDir, spool, (v) => checker.blameOf(v));
    await writeRunDirectory(options.outDir, summary);
    await appendStepSummary(summary);
    const out = makeChalk(process.stdout, options.color === false);
    if (options.json) process.stdout.write(JSON.stringify({ ...summary, runDirectory: runDir }, null, 2) + '\n');
    else if (options.quiet) process.stdout.write(quietSummary(out, summary, runDir) + '\n');
    else process.stdout.write(renderConsoleSummary(out, summary, runDir) + '\n');
    return summary.exitCode;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
