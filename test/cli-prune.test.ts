import { mkdir, mkdtemp, readdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.ts';
import { stampDaysAgo, storedRun } from './support/stored-runs.ts';

/** A small storm on the virtual clock: a few seconds. */
const SMALL = ['--devices', '200', '--clock', 'virtual', '--set', 'duration=20s', '--set', 'timeline.0.at=5s', '--set', 'timeline.0.duration=3s', '--set', 'timeline.1.at=12s', '--quiet'];
const exists = (path: string) => stat(path).then(() => true, () => false);

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'crosswire-prune-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('crosswire prune', () => {
  it('prints each directory it removed and the space freed; --dry-run removes nothing', async () => {
    const root = join(base, 'cli');
    const runs = [];
    for (let i = 5; i >= 1; i--) runs.push(await storedRun(root, 'storm', stampDaysAgo(i * 4), 'finished', 2 * 2 ** 20));
    await mkdir(join(root, 'mine'));
    const dry = await runCli(['prune', '--out-dir', root, '--older-than', '7d', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would remove  ${runs[0]}`);
    expect(dry.stdout).toMatch(/would prune 4 runs and 0 gate directories: 8\.\d MiB would be freed; kept 1 run/);
    expect(await readdir(join(root, 'storm'))).toHaveLength(5);
    const real = await runCli(['prune', '--out-dir', root, '--older-than', '7d']);
    expect(real.code, real.stderr).toBe(0);
    for (const dir of runs.slice(0, 4)) expect(real.stdout).toContain(`removed  ${dir}  2.0 MiB`);
    expect(real.stdout).toMatch(/pruned 4 runs and 0 gate directories: 8\.\d MiB freed; kept 1 run and 0 gate directories/);
    expect(await exists(runs[4])).toBe(true);
    expect(await exists(join(root, 'mine'))).toBe(true);
  });

  it('refuses a bad age, no policy and a directory that does not exist (exit 2, no stack)', async () => {
    const root = join(base, 'bad');
    await mkdir(root, { recursive: true });
    for (const [args, message] of [
      [['--older-than', '7 days'], '--older-than "7 days": expected an age like 7d'],
      [[], 'give --keep N, --older-than AGE, or both'],
      [['--keep', '-1'], "option '--keep <n>' argument '-1' is invalid"],
    ] as const) {
      const r = await runCli(['prune', '--out-dir', root, ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const missing = await runCli(['prune', '--out-dir', join(base, 'nowhere'), '--keep', '1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nowhere: no such directory of runs');
  });
});

describe('the cap after a run', () => {
  it('keeps the newest 50 in the default reports directory, the run just written among them', async () => {
    const cwd = join(base, 'default');
    const older = [];
    for (let i = 51; i >= 1; i--) older.push(await storedRun(join(cwd, 'reports'), 'reconnect-storm', stampDaysAgo(i)));
    const inProgress = await storedRun(join(cwd, 'reports'), 'reconnect-storm', stampDaysAgo(100), 'running');
    const r = await runCli(['run', ...SMALL.filter((a) => a !== '--quiet')], { cwd, env: { CROSSWIRE_KEEP_RUNS: undefined } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/kept the newest 50 runs in reports: removed 2 older/);
    const left = await readdir(join(cwd, 'reports', 'reconnect-storm'));
    expect(left).toHaveLength(51); // 50 finished, the one in progress
    expect(await exists(older[0])).toBe(false);
    expect(await exists(older[1])).toBe(false);
    expect(await exists(older[2])).toBe(true);
    expect(await exists(inProgress)).toBe(true);
    expect(await exists(join(cwd, 'reports', 'latest', 'summary.json'))).toBe(true);
  });

  it('applies no cap in another --out-dir unless asked, and --keep-runs / CROSSWIRE_KEEP_RUNS set it', async () => {
    const root = join(base, 'elsewhere');
    for (let i = 4; i >= 1; i--) await storedRun(root, 'reconnect-storm', stampDaysAgo(i));
    const free = await runCli(['run', ...SMALL, '--out-dir', root], { env: { CROSSWIRE_KEEP_RUNS: undefined } });
    expect(free.code, free.stderr).toBe(0);
    expect(await readdir(join(root, 'reconnect-storm'))).toHaveLength(5);
    const byEnv = await runCli(['run', ...SMALL, '--out-dir', root], { env: { CROSSWIRE_KEEP_RUNS: '3' } });
    expect(byEnv.code, byEnv.stderr).toBe(0);
    expect(await readdir(join(root, 'reconnect-storm'))).toHaveLength(3);
    const byFlag = await runCli(['run', ...SMALL, '--out-dir', root, '--keep-runs', '1'], { env: { CROSSWIRE_KEEP_RUNS: '3' } });
    expect(byFlag.code, byFlag.stderr).toBe(0);
    const left = await readdir(join(root, 'reconnect-storm'));
    expect(left).toHaveLength(1);
    // the one kept is the run just written
    expect(await realpath(join(root, 'latest'))).toBe(await realpath(join(root, 'reconnect-storm', left[0])));
  });

  it('a bad CROSSWIRE_KEEP_RUNS or --keep-runs is exit 2 before anything runs', async () => {
    const root = join(base, 'bad-cap');
    const env = await runCli(['run', ...SMALL, '--out-dir', root], { env: { CROSSWIRE_KEEP_RUNS: 'many' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('CROSSWIRE_KEEP_RUNS="many": expected a whole number of runs to keep (1 or more) or off');
    const flag = await runCli(['run', ...SMALL, '--out-dir', root, '--keep-runs', '0']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--keep-runs');
    expect(await exists(join(root, 'reconnect-storm'))).toBe(false);
  });
});
