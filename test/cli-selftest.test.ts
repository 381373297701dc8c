import { describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.ts';

const crosswire = (args: string[]) => runCli(args, { timeoutMs: 60_000 });

describe('crosswire selftest', () => {
  it('exits 0 when a positive control FAILs as expected, and prints its row', async () => {
    const { code, stdout } = await crosswire(['selftest', '--only', 'faulty:key-collision', '--json']);
    const result = JSON.parse(stdout) as { ok: boolean; rows: { adapter: string; expected: string; verdict: string; violations: number; ok: boolean }[] };
    expect(code).toBe(0);
    expect(result.ok).toBe(true);
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({ adapter: 'faulty:key-collision', expected: 'FAIL', verdict: 'FAIL', blame: 'wrong-key', ok: true });
    expect(result.rows[0].violations).toBeGreaterThan(0);
  });

  it('on the short-TTL churn scenario: memory PASSes and stale-owner FAILs, blamed stale', async () => {
    const { code, stdout } = await crosswire(['selftest', '--only', 'ttl-churn', '--json']);
    const result = JSON.parse(stdout) as { ok: boolean; rows: { adapter: string; verdict: string; ok: boolean; note: string }[] };
    expect(code, stdout).toBe(0);
    expect(result.rows.map((r) => [r.adapter, r.verdict, r.ok])).toEqual([
      ['memory', 'PASS', true],
      ['faulty:stale-owner', 'FAIL', true],
    ]);
  });

  it('on the hostile tenants: the embedded broker\'s rules PASS, each weakened rule FAILs, blamed broker', async () => {
    const { code, stdout } = await crosswire(['selftest', '--only', 'hostile', '--json']);
    const result = JSON.parse(stdout) as { ok: boolean; rows: { set?: { value: string }; verdict: string; blame?: string; ok: boolean }[] };
    expect(code, stdout).toBe(0);
    expect(result.rows.map((r) => [r.set?.value ?? 'strict', r.verdict, r.ok])).toEqual([
      ['strict', 'PASS', true],
      ['weakened-read', 'FAIL', true],
      ['weakened-publish', 'FAIL', true],
    ]);
  });

  it('on the long-keys storm: memory PASSes and long-key truncation FAILs, blamed wrong-key', async () => {
    const { code, stdout } = await crosswire(['selftest', '--only', 'long-keys-storm', '--json']);
    const result = JSON.parse(stdout) as { ok: boolean; rows: { adapter: string; verdict: string; blame?: string; ok: boolean }[] };
    expect(code, stdout).toBe(0);
    expect(result.rows.map((r) => [r.adapter, r.verdict, r.ok])).toEqual([
      ['memory', 'PASS', true],
      ['faulty:long-key-truncation', 'FAIL', true],
    ]);
  });

  it('lists every adapter the controls name', async () => {
    const { code, stdout } = await crosswire(['list', 'adapters']);
    expect(code).toBe(0);
    for (const id of ['memory', 'ioredis', 'node-redis', 'memjs', 'redis@2.2.5', 'redis@2.3.0', 'faulty:wire-stale-queue', 'faulty:long-key-truncation']) {
      expect(stdout).toMatch(new RegExp(`^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`, 'm'));
    }
  });

  it('refuses an unknown list with exit 2', async () => {
    const { code, stderr } = await crosswire(['list', 'colours']);
    expect(code).toBe(2);
    expect(stderr).toContain('expected adapters, attempts, faults or scenarios');
  });
});
