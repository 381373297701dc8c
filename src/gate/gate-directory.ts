import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { GateDocument } from './gate-document.ts';
import { renderGateJunit } from './gate-junit.ts';
import { renderGateMarkdown } from './gate-markdown.ts';

/** `<out-dir>/gate/<utc-time>/`, with `<out-dir>/gate/latest` pointing at the newest. */
export function gateDirectoryPath(outRoot: string, startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  return resolve(outRoot, 'gate', stamp);
}

/** Where one side's run directories go inside the gate directory. */
export const sideRoot = (gateDir: string, side: 'baseline' | 'candidate'): string => join(gateDir, side);

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

/** gate.json, junit.xml and summary.md beside the per-run directories. */
export async function writeGateDirectory(doc: GateDocument): Promise<string[]> {
  const dir = doc.gateDirectory;
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    ['gate.json', JSON.stringify(doc, null, 2) + '\n'],
    ['junit.xml', renderGateJunit(doc)],
    ['summary.md', renderGateMarkdown(doc)],
  ];
  for (const [name, text] of files) await writeAtomically(join(dir, name), text);
  const latest = resolve(dir, '..', 'latest');
  try {
    await rm(latest, { force: true });
    await symlink(relative(resolve(dir, '..'), dir), latest);
  } catch {
    // no symlinks here: the gate directory itself is still complete
  }
  return files.map(([name]) => join(dir, name));
}
