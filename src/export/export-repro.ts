import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryOp, RunHeader } from '../history/history-op.ts';
import { readHistory } from '../history/read-history.ts';
import { findHistory, requireRunDirectory } from '../store/run-store.ts';
import { exportTarget, type ExportTarget } from './export-target.ts';
import { reproScript } from './repro-script.ts';
import { reproPlan, type ReproPlan } from './repro-plan.ts';
import { reproPackageJson, reproReadme } from './repro-readme.ts';

export const REPRO_FILES = { script: 'repro.mjs', packageJson: 'package.json', readme: 'README.md' } as const;

export interface ExportedRepro {
  dir: string;
  files: string[];
  plan: ReproPlan;
  target: ExportTarget;
}

/** The ops the plan reads: cache operations and fault windows (the rest of a big history is not kept). */
const KEPT = new Set<HistoryOp['op']>(['cache', 'fault-scheduled', 'fault-injected', 'fault-healed']);

/**
 * Reads a run directory's history, finds the library and the wrong read to reproduce, and writes
 * the standalone repro (script, package.json, README) into `outDir`. Refuses (exit 2, stable code)
 * before writing anything when the run's adapter or its wrong read cannot be reproduced at the
 * library level.
 */
export async function exportRepro(runDir: string, outDir: string, origin: string): Promise<ExportedRepro> {
  await requireRunDirectory(runDir);
  const file = await findHistory(runDir);
  const ops: HistoryOp[] = [];
  let target: ExportTarget | undefined;
  const reading = await readHistory(file, (header) => {
    const cache = (header.scenario as { cache?: { adapter?: string; module?: string } }).cache;
    // the adapter decides before the rest is read: a refusal costs no pass over the history
    target = exportTarget(cache?.adapter ?? 'memory', cache?.module);
    return (op) => {
      if (KEPT.has(op.op)) ops.push(op);
    };
  });
  const header: RunHeader = reading.header;
  const plan = reproPlan(header, ops);
  await mkdir(outDir, { recursive: true });
  const contents: [string, string][] = [
    [REPRO_FILES.script, reproScript(plan, target!, origin)],
    [REPRO_FILES.packageJson, reproPackageJson(plan, target!)],
    [REPRO_FILES.readme, reproReadme(plan, target!, origin)],
  ];
  for (const [name, text] of contents) await writeFile(join(outDir, name), text);
  return { dir: outDir, files: contents.map(([name]) => join(outDir, name)), plan, target: target! };
}
