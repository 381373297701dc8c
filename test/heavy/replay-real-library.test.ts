import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { skipWithout } from '../support/server-skip.ts';

/** A real library's bug, found on a real clock, re-judged from its history and reproduced by replay. */
let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-replay-real-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

const crosswire = (args: string[]) => runCli(args);

describe.skipIf(skipWithout('redis'))('on a real clock, with a real library and server', () => {
  const control = fileURLToPath(new URL('../../scenarios/controls/cache-chaos-storm.yaml', import.meta.url));
  it('a catalogued bug (redis@2.2.5) reproduces its verdict on replay, and check re-judges its history', async () => {
    const first = await crosswire(['run', control, '--cache', 'redis@2.2.5', '--out-dir', out, '--quiet']);
    expect(first.code, first.stderr).toBe(1);
    const dir = join(out, 'latest');
    const check = await crosswire(['check', dir]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('same verdict, checks and violations as the run reported');
    const replay = await crosswire(['replay', dir, '--out-dir', out, '--quiet']);
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    expect(replay.stdout).toContain('REPRODUCED: verdict FAIL (recorded FAIL), real clock');
  }, 180_000);
});
