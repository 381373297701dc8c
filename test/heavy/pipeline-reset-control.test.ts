import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { skipWithout } from '../support/server-skip.ts';

/** The ioredis 4.16 pair on its control scenario, as `crosswire selftest` runs it: the buggy version FAILs, its fix PASSes. */
describe.skipIf(skipWithout('redis'))('controls/pipeline-reset-storm.yaml', () => {
  it('ioredis@4.16.0 FAILs blamed wrong-key and ioredis@4.16.1 PASSes, same scenario and seed', async () => {
    const { code, stdout } = await runCli(['selftest', '--only', 'pipeline-reset-storm', '--json']);
    const result = JSON.parse(stdout) as { rows: { adapter: string; verdict: string; blame?: string; violations: number; ok: boolean }[] };
    expect(result.rows.map((r) => [r.adapter, r.verdict, r.ok])).toEqual([
      ['ioredis@4.16.1', 'PASS', true],
      ['ioredis@4.16.0', 'FAIL', true],
    ]);
    expect(result.rows[1].violations).toBeGreaterThan(0);
    expect(code, stdout).toBe(0);
  }, 180_000);
});
