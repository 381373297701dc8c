import { mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listStored, pruneRuns } from '../src/store/run-retention.ts';
import { stampDaysAgo, storedGate, storedRun } from './support/stored-runs.ts';

const DAY = 86_400_000;
const exists = (path: string) => stat(path).then(() => true, () => false);

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'crosswire-retention-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('pruneRuns', () => {
  it('--keep N removes all but the newest N finished runs, oldest first, and counts the bytes', async () => {
    const dirs = [];
    for (let i = 10; i >= 1; i--) dirs.push(await storedRun(root, i % 2 ? 'storm-a' : 'storm-b', stampDaysAgo(i), 'finished', 1000 * i));
    const result = await pruneRuns(root, { keep: 3 });
    expect(result.removed.map((e) => e.dir)).toEqual(dirs.slice(0, 7));
    expect(result.kept.map((e) => e.dir).sort()).toEqual(dirs.slice(7).sort());
    // every file counts: the history, the scenario and the summary
    const expected = result.removed.reduce((sum, e) => sum + e.bytes, 0);
    expect(result.freedBytes).toBe(expected);
    expect(expected).toBeGreaterThan((10 + 9 + 8 + 7 + 6 + 5 + 4) * 1000);
    for (const dir of dirs.slice(0, 7)) expect(await exists(dir)).toBe(false);
    for (const dir of dirs.slice(7)) expect(await exists(dir)).toBe(true);
  });

  it('--older-than removes what started before the age, and with --keep only what both would remove', async () => {
    const old = [await storedRun(root, 's', stampDaysAgo(30)), await storedRun(root, 's', stampDaysAgo(9))];
    const young = [await storedRun(root, 's', stampDaysAgo(2)), await storedRun(root, 's', stampDaysAgo(1))];
    const both = await pruneRuns(root, { olderThanMs: 7 * DAY, keep: 3, dryRun: true });
    expect(both.removed.map((e) => e.dir)).toEqual([old[0]]);
    const byAge = await pruneRuns(root, { olderThanMs: 7 * DAY });
    expect(byAge.removed.map((e) => e.dir)).toEqual(old);
    expect((await listStored(root)).map((e) => e.dir)).toEqual(young);
  });

  it('--dry-run removes nothing and reports the same', async () => {
    for (let i = 5; i >= 1; i--) await storedRun(root, 's', stampDaysAgo(i));
    const dry = await pruneRuns(root, { keep: 2, dryRun: true });
    expect(dry.removed).toHaveLength(3);
    expect(dry.freedBytes).toBeGreaterThan(3000);
    expect(await listStored(root)).toHaveLength(5);
    const real = await pruneRuns(root, { keep: 2 });
    expect(real.removed.map((e) => e.dir)).toEqual(dry.removed.map((e) => e.dir));
    expect(real.freedBytes).toBe(dry.freedBytes);
  });

  it('never removes a run in progress, what latest points at, or a protected run', async () => {
    const running = await storedRun(root, 's', stampDaysAgo(40), 'running');
    const latestTarget = await storedRun(root, 's', stampDaysAgo(30));
    const justWritten = await storedRun(root, 'long', stampDaysAgo(20));
    const errored = await storedRun(root, 's', stampDaysAgo(10), 'error');
    await symlink(join('s', latestTarget.split('/').at(-1)!), join(root, 'latest'));
    const result = await pruneRuns(root, { keep: 1, protect: [justWritten] });
    expect(result.removed.map((e) => e.dir)).toEqual([]);
    expect(result.unfinished.map((e) => e.dir)).toEqual([running]);
    // a run that could not start (error.json) is finished: with keep 0 of it, it goes
    const again = await pruneRuns(root, { keep: 0, protect: [justWritten] });
    expect(again.removed.map((e) => e.dir)).toEqual([errored]);
    for (const dir of [running, latestTarget, justWritten]) expect(await exists(dir)).toBe(true);
  });

  it('leaves alone whatever is not a crosswire run: other names, directories without the marker files', async () => {
    const foreign = [join(root, 'notes'), join(root, 's', 'my-results'), join(root, 's', '2020-01-01T000000Z-seed1-copy')];
    for (const dir of foreign) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'summary.json'), '{}');
    }
    // named like a run, but with no scenario.resolved.yaml: not one crosswire made
    const lookalike = join(root, 's', `${stampDaysAgo(50)}-seed7`);
    await mkdir(lookalike, { recursive: true });
    await writeFile(join(lookalike, 'summary.json'), '{}');
    await writeFile(join(root, 'readme.txt'), 'mine');
    const run = await storedRun(root, 's', stampDaysAgo(60));
    const result = await pruneRuns(root, { keep: 0 });
    expect(result.removed.map((e) => e.dir)).toEqual([run]);
    for (const dir of [...foreign, lookalike, join(root, 'readme.txt')]) expect(await exists(dir)).toBe(true);
  });

  it('prunes gate directories as whole units, never the runs inside them, and never an unfinished gate', async () => {
    const gates = [await storedGate(root, stampDaysAgo(9)), await storedGate(root, stampDaysAgo(8)), await storedGate(root, stampDaysAgo(7))];
    const running = await storedGate(root, stampDaysAgo(20), false);
    const run = await storedRun(root, 's', stampDaysAgo(1));
    const result = await pruneRuns(root, { keep: 1 });
    expect(result.removed.map((e) => e.dir)).toEqual(gates.slice(0, 2));
    expect(result.removed.every((e) => e.kind === 'gate')).toBe(true);
    expect(await exists(gates[2])).toBe(true);
    expect(await exists(running)).toBe(true);
    expect(await exists(run)).toBe(true);
    expect(await readdir(join(root, 'gate'))).toEqual(expect.arrayContaining([gates[2].split('/').at(-1), running.split('/').at(-1)]));
  });

  it('removes a scenario directory it leaves empty, and no other', async () => {
    await storedRun(root, 'gone', stampDaysAgo(5));
    await storedRun(root, 'stays', stampDaysAgo(4));
    await storedRun(root, 'stays', stampDaysAgo(1));
    await pruneRuns(root, { keep: 1 });
    expect((await readdir(root)).sort()).toEqual(['stays']);
  });

  it('refuses no policy and a missing directory (exit 2)', async () => {
    await expect(pruneRuns(root, {})).rejects.toMatchObject({ code: 'PRUNE_NO_POLICY', exitCode: 2 });
    await expect(pruneRuns(join(root, 'nope'), { keep: 1 })).rejects.toMatchObject({ code: 'RUN_ROOT_NOT_FOUND', exitCode: 2 });
  });
});
