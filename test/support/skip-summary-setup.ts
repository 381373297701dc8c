import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SKIP_LOG_ENV, skipSummary } from './server-skip.ts';

/**
 * Vitest global setup: test files record the groups they skip for a missing binary into one log
 * (workers inherit its path through the environment); at the end of the run every skipped group
 * is named in a loud line, and the run fails unless CROSSWIRE_ALLOW_SKIPS=1.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'crosswire-skips-'));
  const log = join(dir, 'skips.ndjson');
  process.env[SKIP_LOG_ENV] = log;
  return () => {
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    const { lines, fail } = skipSummary(text, process.env.CROSSWIRE_ALLOW_SKIPS === '1');
    if (lines.length === 0) return;
    const bar = '='.repeat(78);
    process.stdout.write(`\n${bar}\n${lines.join('\n')}\n${bar}\n`);
    // a failed exit code without a stack: the lines above say everything
    if (fail) process.exitCode = 1;
  };
}
