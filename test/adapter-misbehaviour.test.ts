import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './support/run-cli.ts';

/**
 * The verdict survives the adapter: each way an adapter written outside crosswire can misbehave
 * ends with its documented exit code, a run directory that is kept, and a message naming the
 * adapter and the call — and the process ends promptly, whatever the adapter left running.
 */
const ADAPTER = fileURLToPath(new URL('./fixtures/misbehaving-adapter.js', import.meta.url));
const SCENARIO = fileURLToPath(new URL('./fixtures/misbehaving-storm.yaml', import.meta.url));

interface Case {
  how: string;
  exit: number;
  /** What the output or the run directory must say: the adapter's id and the call. */
  says: RegExp;
  /** Where it is said: the console, or summary.json's warnings. */
  in: 'output' | 'warnings';
  /** What the run directory holds. */
  holds: 'summary.json' | 'error.json';
}

const cases: Case[] = [
  { how: 'close-throws', exit: 0, says: /misbehaving\).*close\(\).*close failed/, in: 'warnings', holds: 'summary.json' },
  { how: 'close-hangs', exit: 0, says: /misbehaving\).*close\(\) did not settle within 1000 ms \(cache\.closeTimeout\)/, in: 'warnings', holds: 'summary.json' },
  { how: 'create-throws', exit: 5, says: /misbehaving\): create\(\) threw: misbehaving adapter: cannot connect/, in: 'output', holds: 'error.json' },
  { how: 'create-hangs', exit: 5, says: /misbehaving\): create\(\) did not settle within 1500 ms \(cache\.createTimeout\)/, in: 'output', holds: 'error.json' },
  { how: 'create-returns-null', exit: 5, says: /misbehaving\): create\(\) resolved to null/, in: 'output', holds: 'error.json' },
  { how: 'missing-delete', exit: 1, says: /adapter-contract: .*misbehaving create\(\): delete\(\) is missing/, in: 'output', holds: 'summary.json' },
  { how: 'get-returns-number', exit: 1, says: /adapter-contract: .*misbehaving get\("owner:cam-\d+"\): resolved to the number 42/, in: 'output', holds: 'summary.json' },
  { how: 'stray-rejection', exit: 1, says: /adapter-contract: .*misbehaving adapter code: unhandled rejection .*background refresh failed/, in: 'output', holds: 'summary.json' },
  { how: 'leaks-timer', exit: 0, says: /PASS/, in: 'output', holds: 'summary.json' },
];

let out: string;
const results = new Map<string, { cli: CliResult; seconds: number }>();

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-misbehaving-'));
  // three at a time: each run is a few seconds of a small storm
  for (let i = 0; i < cases.length; i += 3) {
    await Promise.all(
      cases.slice(i, i + 3).map(async ({ how }) => {
        const started = performance.now();
        const cli = await runCli(
          [
            'run', SCENARIO, '--cache', ADAPTER, '--set', `cache.options.misbehave=${how}`,
            '--set', 'cache.createTimeout=1500ms', '--set', 'cache.closeTimeout=1s', '--out-dir', join(out, how),
          ],
          { timeoutMs: 60_000 },
        );
        results.set(how, { cli, seconds: (performance.now() - started) / 1000 });
      }),
    );
  }
}, 240_000);

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

async function runDirOf(how: string): Promise<string> {
  const base = join(out, how, 'misbehaving-storm');
  const dirs = (await readdir(base)).filter((d) => d !== 'latest');
  expect(dirs).toHaveLength(1);
  return join(base, dirs[0]);
}

describe('an adapter that misbehaves', () => {
  it.each(cases)('$how: exit $exit, run directory kept, the adapter and the call named', async (c) => {
    const { cli, seconds } = results.get(c.how)!;
    expect(cli.code, cli.stderr).toBe(c.exit);
    expect(cli.stderr).not.toMatch(/^\s+at /m); // no stack trace
    const dir = await runDirOf(c.how);
    const files = await readdir(dir);
    expect(files).toContain(c.holds);
    expect(files).toContain('scenario.resolved.yaml');
    if (c.in === 'output') expect(cli.stdout + cli.stderr).toMatch(c.says);
    else {
      const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as { warnings: string[] };
      expect(summary.warnings.join('\n')).toMatch(c.says);
      expect(cli.stdout).toMatch(/warning: .*close\(\)/);
    }
    if (c.holds === 'error.json') {
      const error = JSON.parse(await readFile(join(dir, 'error.json'), 'utf8')) as { exitCode: number; code: string };
      expect(error).toMatchObject({ exitCode: 5, code: 'ADAPTER_START_FAILED' });
    }
    // a 4 s storm plus start-up: a process kept alive by the adapter would run into the 60 s guard
    expect(seconds).toBeLessThan(30);
  });
});
