import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.ts';
import { generatedDocs } from '../src/cli/write-docs.ts';
import { exitCodeTable } from '../src/exit-codes.ts';

/** The generated pages under docs/ are committed; each must be what its generator makes now. */
describe.each(generatedDocs())('$path', ({ path, text }) => {
  it('is committed and up to date (regenerate: npm run docs)', async () => {
    const committed = await readFile(new URL(`../${path}`, import.meta.url), 'utf8').catch(() => '');
    expect(committed === text, `${path} is stale or missing: regenerate it with \`npm run docs\` and commit it`).toBe(true);
  });
});

describe('docs/cli-reference.md', () => {
  const text = generatedDocs().find((d) => d.path === 'docs/cli-reference.md')!.text;

  it('has a section for every command and every option', () => {
    for (const command of buildProgram().commands) {
      expect(text).toContain(`## crosswire ${command.name()}\n`);
      for (const option of command.options) expect(text).toContain(`\`${option.flags}\``);
    }
  });

  it('lists every exit code', () => {
    for (const [code] of exitCodeTable) expect(text).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
