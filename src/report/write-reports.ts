import { appendFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderHtml } from './html-report.ts';
import { renderJunit } from './junit-report.ts';
import { renderMarkdown } from './markdown-report.ts';
import type { RunSummary } from './summary.ts';

/** The files rendered from summary.json (which the run directory holds beside them). */
export const RENDERED_FILES = ['junit.xml', 'summary.md', 'report.html'] as const;

/** Written whole or not at all: a second Ctrl-C mid-write leaves the previous file, not half of one. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

/** Renders junit.xml, summary.md and report.html into `dir`: pure functions of the summary. */
export async function writeReports(dir: string, summary: RunSummary): Promise<string[]> {
  const files: [string, string][] = [
    ['junit.xml', renderJunit(summary)],
    ['summary.md', renderMarkdown(summary)],
    ['report.html', renderHtml(summary)],
  ];
  for (const [name, text] of files) await writeAtomically(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}

/** Appends summary.md to a CI step summary ($GITHUB_STEP_SUMMARY) when the environment names one. */
export async function appendStepSummary(summary: RunSummary, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const target = env.GITHUB_STEP_SUMMARY;
  if (target === undefined || target === '') return undefined;
  await appendFile(target, renderMarkdown(summary) + '\n');
  return target;
}
