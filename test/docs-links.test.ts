import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exitCodeTable } from '../src/exit-codes.ts';

/**
 * The README is the front page and docs/ holds the rest: every relative link between them must
 * land on a file that exists and, with a `#fragment`, on a heading of that page.
 */
const root = fileURLToPath(new URL('../', import.meta.url));

async function pages(): Promise<string[]> {
  const docs = (await readdir(join(root, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => join(root, 'docs', f));
  return [join(root, 'README.md'), join(root, 'bench', 'README.md'), ...docs];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (heading) out.add(heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
  }
  return out;
}

describe('documentation links', () => {
  it('every relative link lands on an existing page and heading', async () => {
    const broken: string[] = [];
    for (const page of await pages()) {
      const text = (await readFile(page, 'utf8')).replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, fragment] = target.split('#');
        const file = path === '' ? page : join(dirname(page), path);
        const body = await readFile(file, 'utf8').catch(() => undefined);
        if (body === undefined) broken.push(`${relative(root, page)}: ${target} (no such file)`);
        else if (fragment !== undefined && !anchors(body).has(fragment)) broken.push(`${relative(root, page)}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the README lists every exit code', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Exit codes'));
    for (const [code] of exitCodeTable) expect(section).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
