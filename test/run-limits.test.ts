import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../src/runner/run-scenario.ts';
import { defaultScenario } from './support/default-scenario.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswire-limits-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the history cap (limits.historyBytes)', () => {
  it('stops the run early, heals its faults, and judges it INCONCLUSIVE naming the cap and how to raise it', async () => {
    const scenario = await defaultScenario((s) => {
      s.clock = 'virtual';
      s.fleet.devices = 300;
      s.fleet.eventInterval = 50; // 6000 events a second: past 1 MiB within seconds of scenario time
      s.limits.historyBytes = 2 ** 20;
    });
    const historyFile = join(dir, 'history.ndjson');
    const { summary, interrupted } = await runScenario(scenario, { historyFile });
    expect(interrupted).toBe(false);
    expect(summary.verdict).toBe('INCONCLUSIVE');
    expect(summary.exitCode).toBe(4);
    const completed = summary.checks.find((c) => c.name === 'completed');
    expect(completed?.status).toBe('inconclusive');
    expect(completed?.detail).toMatch(/^the run was stopped at t=\d+\.\ds: its history grew past the cap of 1 MiB \(limits\.historyBytes\)/);
    expect(completed?.detail).toContain('--set limits.historyBytes=2MiB');
    // stopped well before the end, a little past the cap (the wind-down is recorded too)
    expect(summary.history!.bytes).toBeGreaterThan(2 ** 20);
    expect(summary.history!.bytes).toBeLessThan(2 * 2 ** 20);
    expect(summary.faults.every((f) => f.injectedAt === undefined || f.healedAt !== undefined)).toBe(true);
    const last = JSON.parse((await readFile(historyFile, 'utf8')).trimEnd().split('\n').at(-1)!);
    expect(last).toMatchObject({ op: 'end', interrupted: false, stopped: completed?.detail });
    expect(last.t).toBeLessThan(scenario.duration);
  });

  it('leaves a run under the cap alone (no stopped reason in its history)', async () => {
    const scenario = await defaultScenario((s) => {
      s.clock = 'virtual';
      s.fleet.devices = 100;
      s.duration = 20_000;
      s.drain = 2_000;
      s.timeline = [];
    });
    const historyFile = join(dir, 'small.ndjson');
    const { summary } = await runScenario(scenario, { historyFile });
    expect(summary.checks.find((c) => c.name === 'completed')).toBeUndefined();
    const last = (await readFile(historyFile, 'utf8')).trimEnd().split('\n').at(-1)!;
    expect(JSON.parse(last)).toEqual({ op: 'end', t: 20_000, interrupted: false });
  });
});
