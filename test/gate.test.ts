import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateDocument } from '../src/gate/gate-document.ts';
import { gateDirectory, kids, runGate } from './support/gate-run.ts';

const small = fileURLToPath(new URL('./fixtures/gate-small.yaml', import.meta.url));
const slow = fileURLToPath(new URL('./fixtures/slow-map-adapter.js', import.meta.url));

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-gate-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('crosswire gate on a regression', () => {
  it('memory vs a correct but slow adapter module: no leak, a threshold only the candidate breaches and a margin exceeded, exit 3', async () => {
    const dir = join(out, 'slow');
    const started = Date.now();
    const step = join(out, 'step-summary.md');
    const { code, stdout, stderr } = await runGate([small, '--baseline', 'memory', '--candidate', slow, '--max-regression', 'cache_p99=100', '--json'], dir, step);
    expect(code, stderr).toBe(3);
    const doc = JSON.parse(stdout) as GateDocument;
    expect(doc.outcome).toBe('REGRESSED');
    expect(doc.runs.map((r) => [r.baseline.verdict, r.candidate.verdict])).toEqual([['PASS', 'PASS']]);
    // the in-process baseline ran on the real clock too, as the module adapter must
    expect(doc.runs[0].baseline.repro).toContain('--clock real');
    // (on a busy machine the real-clock reconnect times may differ too: also exit 3, so not excluded)
    expect(doc.findings.every((f) => f.exitCode === 3)).toBe(true);
    expect(doc.findings.map((f) => f.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^threshold cache_latency_ms p\(99\)<100 breached by candidate .*slow-map-adapter\.js on gate-small seed 1: measured [\d.]+, baseline [\d.]+$/),
        expect.stringMatching(/^cache_p99 regressed on gate-small: median [\d.]+ms → [\d.]+ms \(\+\d+\.\d%, margin 100%\) over 1 seed$/),
      ]),
    );
    const { junit } = await gateDirectory(dir);
    const names = kids(kids(junit, 'testsuite')[0], 'testcase').filter((c) => kids(c, 'failure').length > 0).map((c) => c.attributes.name);
    expect(names).toEqual(expect.arrayContaining(['threshold cache_latency_ms p(99)<100, seed 1', 'cache_p99 at most 100% worse than baseline (median over seeds)']));
    // the CI step summary gets the gate's summary.md, not each run's
    const markdown = await readFile(step, 'utf8');
    expect(markdown.startsWith('## ⚠️ gate REGRESSED — candidate')).toBe(true);
    expect(markdown).not.toContain('## ✅ PASS');
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});

describe('crosswire gate refuses bad options with exit 2 before running anything', () => {
  for (const [args, message] of [
    [['--candidate', 'memory'], '--baseline is required'],
    [['--baseline', 'memory', '--candidate', 'redis@9'], '--candidate: unknown cache adapter "redis@9"'],
    [['--baseline', 'memory', '--candidate', 'memory', '--max-regression', 'p42=5'], '--max-regression "p42=5"'],
    [['--baseline', 'memory', '--candidate', 'memory', '--seeds', '2', '--seed-list', '1,2'], 'give one'],
    [['--baseline', 'memory', '--candidate', 'memory', join(tmpdir(), 'no-such-scenario.yaml')], 'no-such-scenario.yaml'],
  ] as const) {
    it(`${args.join(' ')}`, async () => {
      const dir = join(out, 'bad');
      const { code, stderr } = await runGate([...args], dir);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
      await expect(stat(join(dir, 'gate'))).rejects.toThrow(); // nothing was run or written
    });
  }
});
