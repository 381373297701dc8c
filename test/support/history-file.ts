import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Where a run directory written by this crosswire keeps its history. */
export const historyPath = (dir: string): string => join(dir, 'history.ndjson.gz');

/** A run directory's history as text (history.ndjson.gz inflated by zlib, not by crosswire's reader). */
export async function historyText(dir: string): Promise<string> {
  return gunzipSync(await readFile(historyPath(dir))).toString('utf8');
}

/** Its lines, without the empty one after the last newline. */
export async function historyLines(dir: string): Promise<string[]> {
  return (await historyText(dir)).trimEnd().split('\n');
}
