import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateDirectory, kids, runGate } from '../support/gate-run.ts';
import { skipWithout } from '../support/server-skip.ts';

/** The gate on the shipped example with two real published versions of one library (npm aliases). */
let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-gate-real-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe.skipIf(skipWithout('redis'))('crosswire gate on the shipped example: redis@2.3.0 and redis@2.2.5 (A1, the reply shift)', () => {
  it('baseline redis@2.3.0, candidate redis@2.2.5: exit 1, the leak named with its scenario, seed and repro command', async () => {
    const dir = join(out, 'leak');
    const { code, stdout, stderr } = await runGate(['--baseline', 'redis@2.3.0', '--candidate', 'redis@2.2.5', '--seeds', '1'], dir);
    expect(code, stderr).toBe(1);
    expect(stdout).toMatch(/cache-chaos-storm\s+1\s+PASS\s+FAIL\s+0 \/ \d+/);
    expect(stdout).toContain('[exit 1] candidate redis@2.2.5 FAILs on cache-chaos-storm seed 1: isolation:');
    expect(stdout).toMatch(/reproduce: .*scenarios\/controls\/cache-chaos-storm\.yaml --cache redis@2\.2\.5 --seed 1/);
    expect(stdout).toContain('gate: FAIL (exit 1)');

    const { path, doc, junit, markdown } = await gateDirectory(dir);
    expect(doc).toMatchObject({ outcome: 'FAIL', exitCode: 1, seeds: [1], baseline: { label: 'redis@2.3.0', library: 'redis@2.3.0' }, candidate: { label: 'redis@2.2.5', library: 'redis@2.2.5' } });
    expect(doc.runs[0].candidate.violations).toBeGreaterThan(0);
    expect(doc.runs[0].baseline.verdict).toBe('PASS');
    // per-run directories, each a full run directory with its own summary
    for (const side of ['baseline', 'candidate'] as const) {
      const runDir = doc.runs[0][side].runDir;
      expect(runDir.startsWith(join(path, side))).toBe(true);
      expect(JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')).cache.adapter).toBe(side === 'baseline' ? 'redis@2.3.0' : 'redis@2.2.5');
    }
    const suite = kids(junit, 'testsuite')[0];
    expect(suite.attributes.name).toBe('gate cache-chaos-storm');
    const isolation = kids(suite, 'testcase').find((c) => c.attributes.name === 'candidate isolation, seed 1');
    expect(kids(isolation!, 'failure')[0].attributes.message).toContain('candidate redis@2.2.5 leaks');
    expect(markdown).toContain('## ❌ gate FAIL — candidate redis@2.2.5 vs baseline redis@2.3.0');
  }, 120_000);

  it('the reverse, baseline redis@2.2.5 and candidate redis@2.3.0, passes (exit 0); the leaking baseline is noted', async () => {
    const dir = join(out, 'fix');
    const { code, stdout, stderr } = await runGate(['--baseline', 'redis@2.2.5', '--candidate', 'redis@2.3.0'], dir);
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toContain('note: baseline redis@2.2.5 FAILs on cache-chaos-storm seed 1');
    expect(stdout).toMatch(/✓ cache-chaos-storm reconnect_p99: median [\d.]+s → [\d.]+s/);
    expect(stdout).toContain('gate: PASS (exit 0)');
    const { doc, junit } = await gateDirectory(dir);
    expect(doc.findings).toEqual([]);
    expect(Number(junit.attributes.failures) + Number(junit.attributes.errors)).toBe(0);
  }, 120_000);
});

