import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { directoryNameFor } from './directory-name.ts';
import type { RunSummary } from './summary.ts';
import { writeReports } from './write-reports.ts';

/**
 * `reports/<scenario>/<utc-time>-seed<N>/`, with `reports/latest` pointing at the newest;
 * `<scenario>` is the name made safe for a path (directory-name.ts).
 */
export function runDirectoryFor(outRoot: string, summary: RunSummary): string {
  return runDirectoryPath(outRoot, summary.scenario.name, summary.scenario.seed, new Date(summary.startedAt));
}

/** The same path before the run has a summary: the run writes its history there as it goes. */
export function runDirectoryPath(outRoot: string, scenario: string, seed: number, startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  return resolve(outRoot, directoryNameFor(scenario), `${stamp}-seed${seed}`);
}

export async function writeRunDirectory(outRoot: string, summary: RunSummary): Promise<string> {
  const dir = runDirectoryFor(outRoot, summary);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  await writeReports(dir, summary);
  const latest = resolve(outRoot, 'latest');
  try {
    await rm(latest, { force: true });
    await symlink(relative(resolve(outRoot), dir), latest);
  } catch {
    // a file system without symlinks still gets the run directory itself
  }
  return dir;
}
