import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateDocument } from '../src/gate/gate-document.ts';
import { expectJunitShape } from './support/junit-shape.ts';
import { skipWithout } from './support/server-skip.ts';
import { runCli, type CliResult } from './support/run-cli.ts';
import { parseXml, type XmlElement } from './support/xml-parse.ts';

const small = fileURLToPath(new URL('./fixtures/gate-small.yaml', import.meta.url));
const slow = fileURLToPath(new URL('./fixtures/slow-map-adapter.js', import.meta.url));

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-gate-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

function crosswire(args: string[], dir: string, stepSummary?: string): Promise<CliResult> {
  return runCli(['gate', '--out-dir', dir, ...args], { env: { GITHUB_STEP_SUMMARY: stepSummary || undefined } });
}

const kids = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);

/** The one gate directory under `dir`, its documents parsed. */
async function gateDirectory(dir: string): Promise<{ path: string; doc: GateDocument; junit: XmlElement; markdown: string }> {
  const stamps = (await readdir(join(dir, 'gate'))).filter((n) => n !== 'latest');
  expect(stamps).toHaveLength(1);
  const path = join(dir, 'gate', stamps[0]);
  expect((await readdir(path)).sort()).toEqual(['baseline', 'candidate', 'gate.json', 'junit.xml', 'summary.md']);
  const junit = parseXml(await readFile(join(path, 'junit.xml'), 'utf8'));
  expectJunitShape(junit);
  return { path, doc: JSON.parse(await readFile(join(path, 'gate.json'), 'utf8')), junit, markdown: await readFile(join(path, 'summary.md'), 'utf8') };
}

describe.skipIf(skipWithout('redis'))('crosswire gate on the shipped example: redis@2.3.0 and redis@2.2.5 (A1, the reply shift)', () => {
  it('baseline redis@2.3.0, candidate redis@2.2.5: exit 1, the leak named with its scenario, seed and repro command', async () => {
    const dir = join(out, 'leak');
    const { code, stdout, stderr } = await crosswire(['--baseline', 'redis@2.3.0', '--candidate', 'redis@2.2.5', '--seeds', '1'], dir);
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
    const { code, stdout, stderr } = await crosswire(['--baseline', 'redis@2.2.5', '--candidate', 'redis@2.3.0'], dir);
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toContain('note: baseline redis@2.2.5 FAILs on cache-chaos-storm seed 1');
    expect(stdout).toMatch(/✓ cache-chaos-storm reconnect_p99: median [\d.]+s → [\d.]+s/);
    expect(stdout).toContain('gate: PASS (exit 0)');
    const { doc, junit } = await gateDirectory(dir);
    expect(doc.findings).toEqual([]);
    expect(Number(junit.attributes.failures) + Number(junit.attributes.errors)).toBe(0);
  }, 120_000);
});

describe('crosswire gate on a regression', () => {
  it('memory vs a correct but slow adapter module: no leak, a threshold only the candidate breaches and a margin exceeded, exit 3', async () => {
    const dir = join(out, 'slow');
    const started = Date.now();
    const step = join(out, 'step-summary.md');
    const { code, stdout, stderr } = await crosswire([small, '--baseline', 'memory', '--candidate', slow, '--max-regression', 'cache_p99=100', '--json'], dir, step);
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
      const { code, stderr } = await crosswire([...args], dir);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
      await expect(stat(join(dir, 'gate'))).rejects.toThrow(); // nothing was run or written
    });
  }
});
