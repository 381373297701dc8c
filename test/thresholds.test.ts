import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare, parseThreshold } from '../src/scenario/threshold-expression.ts';
import { runCli } from './support/run-cli.ts';

const SMALL = ['--devices', '300', '--clock', 'virtual', '--set', 'duration=30s', '--set', 'timeline.0.at=10s', '--set', 'timeline.0.duration=5s', '--set', 'timeline.1.at=20s', '--no-color'];

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-thresholds-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

const run = (args: string[]) => runCli(['run', ...SMALL, '--out-dir', out, ...args]);

describe('threshold expressions', () => {
  it('parse the k6 forms and refuse what a metric cannot take', () => {
    expect(parseThreshold('p(99)<30', 'trend')).toEqual({ aggregation: 'p(99)', percentile: 99, op: '<', value: 30 });
    expect(parseThreshold(' avg <= 2.5 ', 'trend')).toMatchObject({ aggregation: 'avg', op: '<=', value: 2.5 });
    expect(parseThreshold('rate<0.01', 'rate')).toMatchObject({ aggregation: 'rate', op: '<', value: 0.01 });
    expect(parseThreshold('count==0', 'counter')).toMatchObject({ aggregation: 'count', op: '==', value: 0 });
    expect(parseThreshold('rate<0.01', 'trend')).toMatch(/a trend metric takes avg \| min \| max \| med \| p\(N\)/);
    expect(parseThreshold('p(0)<1', 'trend')).toMatch(/percentile/);
    expect(parseThreshold('p99<1', 'trend')).toMatch(/expected/);
    expect([compare(1, '<', 2), compare(2, '<', 2), compare(2, '<=', 2), compare(3, '>', 2), compare(2, '!=', 2)]).toEqual([true, false, true, true, false]);
  });
});

describe('thresholds in a run', () => {
  it('all met: PASS, exit 0, each measured and listed in summary.json and junit.xml', async () => {
    const r = await run(['--set', 'thresholds={reconnect_seconds: ["p(99)<60", "max<60"], thumbnail_latency_ms: ["p(95)<10000"], cache_errors: ["rate<0.01"], violations: ["count==0"]}']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(await readFile(join(out, 'latest', 'summary.json'), 'utf8'));
    expect(summary.thresholds).toHaveLength(5);
    expect(summary.thresholds.every((t: { ok: boolean }) => t.ok)).toBe(true);
    const p99 = summary.thresholds.find((t: { expression: string }) => t.expression === 'p(99)<60');
    expect(p99.measured).toBeGreaterThan(0); // a real storm took real (scenario) time
    expect(p99.measured).toBeCloseTo(summary.storms[0].timeToReconnect.p99 / 1000, 1);
    const junit = await readFile(join(out, 'latest', 'junit.xml'), 'utf8');
    expect(junit).toContain('name="threshold reconnect_seconds p(99)&lt;60"');
  });

  it('breached alone: the verdict stays PASS and the exit code is 3', async () => {
    const r = await run(['--set', 'thresholds={reconnect_seconds: ["p(99)<0.001"], violations: ["count==0"]}']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toContain('1 threshold breached (exit 3)');
    const summary = JSON.parse(await readFile(join(out, 'latest', 'summary.json'), 'utf8'));
    expect(summary.verdict).toBe('PASS');
    expect(summary.exitCode).toBe(3);
    expect(summary.thresholds.map((t: { ok: boolean }) => t.ok)).toEqual([false, true]);
    const junit = await readFile(join(out, 'latest', 'junit.xml'), 'utf8');
    expect(junit).toMatch(/threshold reconnect_seconds p\(99\)&lt;0\.001"[^>]*>\s*<failure/);
    // the stored history re-judges to the same thresholds
    const check = await runCli(['check', join(out, 'latest')]);
    expect(check.code).toBe(3);
  });

  it('a leak outranks thresholds: FAIL exits 1 even with a breached threshold', async () => {
    const r = await run(['--cache', 'faulty:crossed-replies', '--set', 'thresholds={violations: ["count==0"]}']);
    expect(r.code).toBe(1);
  });

  it('a malformed threshold is a usage error naming the field', async () => {
    const r = await run(['--set', 'thresholds={cache_errors: ["p(99)<1"]}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('thresholds.cache_errors[0]: "p(99)<1": a rate metric takes rate');
  });
});
