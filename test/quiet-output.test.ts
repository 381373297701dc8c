import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyPath } from './support/history-file.ts';
import { runCli } from './support/run-cli.ts';

/** `crosswire run --quiet`: one line when the run passed; the way back to the evidence when not. */
let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-quiet-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

const SMALL = ['--devices', '200'];

async function quietRun(name: string, args: string[]) {
  const dir = join(out, name);
  const r = await runCli(['run', ...SMALL, ...args, '--quiet', '--out-dir', dir]);
  return { ...r, lines: r.stdout.split('\n').filter((l) => l !== '') };
}

/** The run directory and repro line printed must be the run's own. */
async function expectPointsAtTheRun(lines: string[]) {
  const dir = /^run directory: (.+)$/.exec(lines[1])?.[1];
  expect(dir, lines.join('\n')).toBeDefined();
  expect((await stat(historyPath(dir!))).isFile()).toBe(true);
  const summary = JSON.parse(await readFile(join(dir!, 'summary.json'), 'utf8'));
  expect(lines[2]).toBe(`reproduce: ${summary.repro}`);
  return summary;
}

describe('crosswire run --quiet', () => {
  it('PASS: the verdict line alone', async () => {
    const r = await quietRun('pass', []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.lines).toEqual([expect.stringMatching(/^PASS reconnect-storm seed=1 cache=memory violations=0$/)]);
  });

  it('FAIL: the verdict line, the run directory and the repro line', async () => {
    const r = await quietRun('fail', ['--cache', 'faulty:crossed-replies']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.lines).toHaveLength(3);
    expect(r.lines[0]).toMatch(/^FAIL reconnect-storm seed=1 cache=faulty:crossed-replies violations=[1-9]\d*$/);
    const summary = await expectPointsAtTheRun(r.lines);
    expect(summary.repro).toContain('--cache faulty:crossed-replies');
  });

  it('INCONCLUSIVE: the same three lines', async () => {
    // a history cap far below what the run writes stops it early: INCONCLUSIVE, naming the cap
    const r = await quietRun('inconclusive', ['--set', 'limits.historyBytes=1048576']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.lines).toHaveLength(3);
    expect(r.lines[0]).toMatch(/^INCONCLUSIVE reconnect-storm seed=1 cache=memory violations=0$/);
    const summary = await expectPointsAtTheRun(r.lines);
    expect(summary.repro).toContain('--set limits.historyBytes=1048576');
  });
});
