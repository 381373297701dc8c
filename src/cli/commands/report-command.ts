import { writeReports } from '../../report/write-reports.ts';
import { readRunSummary } from '../../store/run-store.ts';

/** `crosswire report <run-dir>`: re-renders junit.xml, summary.md and report.html from summary.json. */
export async function reportCommand(dir: string, options: { quiet?: boolean }): Promise<number> {
  const summary = await readRunSummary(dir);
  const files = await writeReports(dir, summary);
  if (!options.quiet) process.stdout.write(files.map((f) => `${f}\n`).join(''));
  return 0;
}
