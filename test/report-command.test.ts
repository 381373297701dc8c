import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html-report.ts';
import { renderJunit } from '../src/report/junit-report.ts';
import { syntheticSummary } from './support/synthetic-summary.ts';

const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const crosswire = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'crosswire-report-command-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('crosswire report <run-dir>', () => {
  it('re-renders junit.xml, summary.md and report.html from summary.json alone', async () => {
    const dir = join(root, 'run');
    await mkdir(dir);
    const summary = syntheticSummary({ violations: 12 });
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ ...summary, aFieldFromTheFuture: 1 }, null, 2));
    const { status, stdout, stderr } = crosswire('report', dir);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout.trim().split('\n')).toEqual(['junit.xml', 'summary.md', 'report.html'].map((f) => join(dir, f)));
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toBe(renderHtml(summary));
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toBe(renderJunit(summary));
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toMatch(/^## ❌ FAIL/);
  });

  it('exits 2 with a clear message when the directory is missing', () => {
    const { status, stderr } = crosswire('report', join(root, 'nope'));
    expect(status).toBe(2);
    expect(stderr).toBe(`crosswire: ${join(root, 'nope')}: no such run directory\n`);
  });

  it('exits 2 when the directory has no summary.json', async () => {
    const dir = join(root, 'empty');
    await mkdir(dir);
    const { status, stderr } = crosswire('report', dir);
    expect(status).toBe(2);
    expect(stderr).toContain(`${join(dir, 'summary.json')}: not found`);
  });

  it('exits 2 naming the fields when summary.json is not JSON or not a summary', async () => {
    const dir = join(root, 'broken');
    await mkdir(dir);
    await writeFile(join(dir, 'summary.json'), '{"verdict": ');
    let result = crosswire('report', dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('summary.json: not JSON');
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ ...syntheticSummary(), verdict: 'MAYBE', seed: undefined, checks: 'none' }));
    result = crosswire('report', dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('not a crosswire run summary');
    expect(result.stderr).toContain('  verdict: ');
    expect(result.stderr).toContain('  checks: ');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
