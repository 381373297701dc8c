import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `2026-01-02T030405Z`: a run or gate directory's time stamp, `days` before `now`. */
export function stampDaysAgo(days: number, now = new Date()): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * A run directory as crosswire leaves one (`finished`: with summary.json; `error`: with
 * error.json instead; `running`: only what a run in progress has written), `bytes` of history.
 */
export async function storedRun(root: string, scenario: string, stamp: string, state: 'finished' | 'error' | 'running' = 'finished', bytes = 1000): Promise<string> {
  const dir = join(root, scenario, `${stamp}-seed1`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'scenario.resolved.yaml'), `name: ${scenario}\n`);
  await writeFile(join(dir, 'history.ndjson.gz'), Buffer.alloc(bytes, 1));
  if (state === 'finished') await writeFile(join(dir, 'summary.json'), '{}\n');
  if (state === 'error') await writeFile(join(dir, 'error.json'), '{}\n');
  return dir;
}

/** A gate directory (`finished`: with gate.json) holding one side's run. */
export async function storedGate(root: string, stamp: string, finished = true): Promise<string> {
  const dir = join(root, 'gate', stamp);
  await storedRun(join(dir, 'baseline'), 'cache-chaos-storm', stamp);
  if (finished) await writeFile(join(dir, 'gate.json'), '{}\n');
  return dir;
}
