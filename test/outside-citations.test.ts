import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Everything a comment, scenario, test or page cites must be in the repository: the design notes
 * and the mechanism catalogue that code once pointed to live in docs/ now (docs/architecture.md,
 * docs/mechanisms.md). The patterns are built from parts so this file does not match itself.
 */
const root = fileURLToPath(new URL('../', import.meta.url));
const places = ['src', 'test', 'bench', 'scenarios', 'examples', 'docs', '.ci', 'README.md'];
const catalogue = 'CATA' + 'LOG';
const forbidden = [['DESIGN', 'md'].join('.'), [catalogue, 'md'].join('.')];
// the folder beside the repository (a module named shared-something is fine)
const outsideFolder = new RegExp(`\\.\\./${'sha' + 'red'}(?![\\w-])`);
// a bare citation of the mechanism catalogue by its old name and a mechanism id ("<name> A1")
const catalogueWord = new RegExp(`\\b${catalogue}\\b`);

async function files(path: string): Promise<string[]> {
  const full = join(root, path);
  const entries = await readdir(full, { withFileTypes: true }).catch(() => undefined);
  if (entries === undefined) return [full];
  const nested = await Promise.all(entries.filter((e) => e.name !== 'node_modules').map((e) => files(join(path, e.name))));
  return nested.flat();
}

describe('citations', () => {
  it('no file cites a document outside the repository', async () => {
    const offenders: string[] = [];
    for (const file of (await Promise.all(places.map(files))).flat()) {
      const text = await readFile(file, 'utf8').catch(() => '');
      text.split('\n').forEach((line, i) => {
        if (forbidden.some((s) => line.includes(s)) || catalogueWord.test(line) || outsideFolder.test(line)) offenders.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders, 'cite docs/mechanisms.md or docs/architecture.md instead').toEqual([]);
  });
});
