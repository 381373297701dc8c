import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Override } from '../../src/scenario/load-scenario.ts';

/** A `--set path=value` as the loader takes it, from a test. */
export const set = (path: string, value: unknown, origin = 'test'): Override => ({ path: path.split('.'), value, origin });

/** Every scenario file under `dir`, sorted. */
export async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await yamlFiles(path)));
    else if (entry.name.endsWith('.yaml')) out.push(path);
  }
  return out.sort();
}
