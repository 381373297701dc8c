import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '../errors.ts';
import { summarySchema } from '../report/summary-schema.ts';
import type { RunSummary } from '../report/summary.ts';
import { writeReports } from '../report/write-reports.ts';

const MAX_ISSUES = 5;

/** Reads and checks a run directory's summary.json; every problem is a usage error (exit 2). */
export async function readRunSummary(dir: string): Promise<RunSummary> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw usageError('RUN_DIR_NOT_FOUND', `${dir}: no such run directory`);
  const file = join(dir, 'summary.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw usageError('SUMMARY_NOT_FOUND', `${file}: not found (a run directory holds the summary.json that \`crosswire run\` wrote)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw usageError('SUMMARY_INVALID', `${file}: not JSON (${(error as Error).message})`);
  }
  const checked = summarySchema.safeParse(raw);
  if (!checked.success) {
    const issues = checked.error.issues.slice(0, MAX_ISSUES).map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    const more = checked.error.issues.length > MAX_ISSUES ? [`  … and ${checked.error.issues.length - MAX_ISSUES} more`] : [];
    throw usageError('SUMMARY_INVALID', `${file}: not a crosswire run summary:\n${[...issues, ...more].join('\n')}`);
  }
  // render from the document itself: fields newer than this schema are kept, not stripped
  return raw as RunSummary;
}

/** `crosswire report <run-dir>`: re-renders junit.xml, summary.md and report.html from summary.json. */
export async function reportCommand(dir: string, options: { quiet?: boolean }): Promise<number> {
  const summary = await readRunSummary(dir);
  const files = await writeReports(dir, summary);
  if (!options.quiet) process.stdout.write(files.map((f) => `${f}\n`).join(''));
  return 0;
}
