import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.ts';

/**
 * `crosswire explore` as a user runs it: a FAIL found, shrunk and recorded, whose minimal.yaml
 * FAILs again under `crosswire run`; and a correct cache that passes a small budget.
 */
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('crosswire explore (CLI)', () => {
  it('finds faulty:key-collision, shrinks it and writes a minimal.yaml that FAILs again', async () => {
    const out = await mkdtemp(join(tmpdir(), 'crosswire-explore-'));
    dirs.push(out);
    const { code, stdout, stderr } = await runCli(['explore', '--cache', 'faulty:key-collision', '--seed', '1', '--budget', '60s', '--shrink-budget', '60s', '--out-dir', out], { timeoutMs: 150_000 });
    expect(stderr).toContain('--seed 1 repeats this search');
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL {2}explore {2}cache faulty:key-collision {2}seed 1$/m);
    expect(stdout).toMatch(/^found after \d+ runs/m);
    expect(stdout).toMatch(/^shrunk in \d+ runs/m);
    expect(stdout).toMatch(/^recorded run: FAIL/m);
    const file = /^minimal scenario: (.+)$/m.exec(stdout)![1];
    const runDir = /^run directory: +(.+)$/m.exec(stdout)![1];
    const yaml = await readFile(file, 'utf8');
    expect(yaml).toMatch(/^# Found by `crosswire explore --cache faulty:key-collision --seed 1`: FAIL/);
    expect(yaml).toContain(`# Replay: crosswire run ${file}`);
    const devices = Number(/^ {2}devices: (\d+)$/m.exec(yaml)![1]);
    expect(devices).toBeLessThanOrEqual(30);
    const record = JSON.parse(await readFile(join(runDir, 'explore.json'), 'utf8'));
    expect(record.shrink.runs).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')).verdict).toBe('FAIL');

    const again = await runCli(['run', file, '--quiet', '--out-dir', out], { timeoutMs: 60_000 });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/^FAIL/);
  });

  it('reports nothing against memory within a small budget (exit 0) and says what it covered', async () => {
    const out = await mkdtemp(join(tmpdir(), 'crosswire-explore-'));
    dirs.push(out);
    const { code, stdout } = await runCli(['explore', '--cache', 'memory', '--seed', '5', '--budget', '8s', '--out-dir', out], { timeoutMs: 60_000 });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^PASS {2}explore {2}cache memory {2}seed 5$/m);
    expect(stdout).toMatch(/no FAIL in [1-9]\d* runs .*virtual clock\): \d+ shapes, fault kinds tried: \w/);
  });

  it('refuses a budget it cannot read (exit 2, naming the flag)', async () => {
    const { code, stderr } = await runCli(['explore', '--budget', 'soon'], { timeoutMs: 30_000 });
    expect(code).toBe(2);
    expect(stderr).toContain('flag --budget: expected a duration');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
