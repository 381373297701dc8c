import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { skipWithout } from '../support/server-skip.ts';

/**
 * The shipped chaos scenarios on network caches, end to end through the CLI: once the verdict is
 * printed the process exits by itself within seconds. A handle left open by the chaos proxy (or
 * a timer, or a server) would keep it running after the verdict, as a user once saw at 90% CPU.
 * Fleets and durations are cut down; the cache faults (latency, resets every few seconds) stay.
 */
const scenario = (path: string) => fileURLToPath(new URL(`../../scenarios/${path}`, import.meta.url));
const VERDICT = /^(PASS|FAIL|INCONCLUSIVE)\b.* violations=\d+/m;
const CODES: Record<string, number> = { PASS: 0, FAIL: 1, INCONCLUSIVE: 4 };
/** From the verdict line to the process's exit. */
const EXIT_BOUND_MS = 5_000;

const runs = [
  { name: 'cache-chaos-storm, ioredis', file: 'controls/cache-chaos-storm.yaml', args: ['--cache', 'ioredis', '--devices', '100', '--time-scale', '10'] },
  {
    name: 'cache-chaos-storm, faulty:wire-stale-queue',
    file: 'controls/cache-chaos-storm.yaml',
    args: ['--cache', 'faulty:wire-stale-queue', '--devices', '100', '--time-scale', '20'],
  },
  { name: '2024-02-camera-cloud-outage, ioredis', file: 'incidents/2024-02-camera-cloud-outage.yaml', args: ['--accounts', '50', '--time-scale', '2000'] },
];

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-exit-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe.skipIf(skipWithout('redis'))('a chaos run exits after its verdict', () => {
  it.each(runs)('$name: exits within 5 s of printing its verdict', async ({ file, args }) => {
    const r = await runCli(['run', scenario(file), ...args, '--quiet', '--no-color', '--out-dir', out], {
      watch: VERDICT,
      killAfterWatchMs: 3 * EXIT_BOUND_MS,
      timeoutMs: 50_000, // within the test's own timeout, so no child outlives it
    });
    const verdict = VERDICT.exec(r.stdout)?.[1];
    expect(verdict, `no verdict line\n${r.stdout}\n${r.stderr}`).toBeDefined();
    expect(r.exitedAt - r.watchedAt!, 'ms from the verdict to the exit').toBeLessThanOrEqual(EXIT_BOUND_MS);
    // exited on its own (not killed), with the verdict's code
    expect(r.code, r.stderr).toBe(CODES[verdict!]);
  });
});
