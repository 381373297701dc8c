import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverBinaryAvailable, type ServerKind } from '../../src/servers/private-server.ts';
import { serverRecipes } from '../../src/servers/server-binaries.ts';

/** Where skips are recorded for the summary at the end of the run (set by skip-summary-setup.ts). */
// not CROSSWIRE_*: the CLI refuses variables it does not read, and tests spawn it with this environment
export const SKIP_LOG_ENV = 'VITEST_CROSSWIRE_SKIP_LOG';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A group of tests skipped for want of a binary: what, where, what is missing and how to get it. */
export interface Skip {
  group: string;
  file: string;
  /** What is missing, as said: `memcached not on PATH`, `/usr/bin/chromium not found`. */
  missing: string;
  install: string;
}

/** The test file that asked, from the call stack (the first frame under test/ that is not support/). */
function callerFile(): string {
  const frames = (new Error().stack ?? '').split('\n');
  for (const frame of frames) {
    const found = /(?:file:\/\/)?(\/[^\s():]+\.test\.ts)/.exec(frame);
    if (found) return relative(ROOT, found[1]!);
  }
  return 'unknown file';
}

/** Warns now and records the skip for the loud summary `npm test` ends with. */
export function recordSkip(skip: Omit<Skip, 'file'>): void {
  const entry: Skip = { ...skip, file: callerFile() };
  console.warn(`skipping ${entry.group}: ${entry.missing} (${entry.install})`);
  const log = process.env[SKIP_LOG_ENV];
  if (log) appendFileSync(log, `${JSON.stringify(entry)}\n`);
}

/**
 * Skip a network test only locally, with the install hint, and record it for the summary; under
 * CI (process.env.CI) a missing server must fail, since CI installs both.
 */
export function skipWithout(kind: ServerKind, group = `${kind} tests`): boolean {
  if (serverBinaryAvailable(kind) || process.env.CI) return false;
  const { binary, installHint } = serverRecipes[kind];
  recordSkip({ group, missing: `${binary} not on PATH`, install: installHint });
  return true;
}

/** The lines `npm test` ends with, and whether the skips fail the run (they do unless allowed). */
export function skipSummary(log: string, allowSkips: boolean): { lines: string[]; fail: boolean } {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const line of log.split('\n')) {
    if (line.trim() === '') continue;
    const skip = JSON.parse(line) as Skip;
    const text = `SKIPPED: ${skip.group} (${skip.file}) — ${skip.missing} (${skip.install})`;
    if (!seen.has(text)) lines.push(text);
    seen.add(text);
  }
  if (lines.length === 0) return { lines, fail: false };
  lines.push(
    allowSkips
      ? `${lines.length} test group(s) skipped; CROSSWIRE_ALLOW_SKIPS=1 lets the run pass without them`
      : `${lines.length} test group(s) skipped: the suite is not complete. Install what is named above, or set CROSSWIRE_ALLOW_SKIPS=1 to pass without them`,
  );
  return { lines, fail: !allowSkips };
}
