import { join, relative, resolve } from 'node:path';
import { exportRepro, REPRO_FILES, type ExportedRepro } from '../../export/export-repro.ts';
import { makeChalk } from '../output.ts';

export interface ExportOptions {
  out?: string;
  json?: boolean;
  color?: boolean;
}

/** The default place of a run's repro: inside the run directory, so prune removes it with the run. */
export const REPRO_DIR = 'repro';

/**
 * `crosswire export <run-dir> [--out <dir>]`: a standalone repro of the run's first wrong read for
 * the client library's maintainers. Exit 0 when written; 2 (with a stable code) when the run's
 * adapter or its failure cannot be reproduced at the library level — nothing is written then.
 */
export async function exportCommand(runDir: string, options: ExportOptions): Promise<number> {
  const exported = await exportRepro(runDir, options.out ?? join(runDir, REPRO_DIR), shown(runDir));
  if (options.json) {
    process.stdout.write(JSON.stringify({ dir: exported.dir, files: exported.files, library: `${exported.target.packageName}@${exported.target.version}`, plan: exported.plan }, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(exportedText(exported, makeChalk(process.stdout, options.color === false)));
  return 0;
}

/** A path as typed from here, or absolute when it is not under here. */
function shown(path: string): string {
  const near = relative(process.cwd(), path);
  return near === '' ? '.' : near.startsWith('..') ? resolve(path) : near;
}

/** What was written and how to run it (also printed by `explore --export`). */
export function exportedText(exported: ExportedRepro, c: ReturnType<typeof makeChalk>): string {
  const { plan, target } = exported;
  const dir = shown(exported.dir);
  const inFlight = plan.commands.filter((cmd) => cmd.phase === 'in-flight').length;
  return [
    `${c.bold('exported')} a standalone repro for ${target.packageName}@${target.version}: ${plan.commands.length} commands (${inFlight} in flight at the ${plan.drop.fault} at ${plan.drop.at} ms), first wrong read GET ${plan.wrong.key}`,
    `  ${join(dir, REPRO_FILES.script)}, ${REPRO_FILES.packageJson} (depends on ${target.packageName}@${target.version} only), ${REPRO_FILES.readme}`,
    `  run it: cd ${dir} && npm install && REDIS_URL=redis://127.0.0.1:6379 node ${REPRO_FILES.script}`,
  ].join('\n') + '\n';
}
