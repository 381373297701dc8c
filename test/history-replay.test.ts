import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHistory } from '../src/runner/check-history.ts';
import { runScenario } from '../src/runner/run-scenario.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';
import { resolvedScenarioYaml } from '../src/scenario/resolved-scenario.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { defaultScenario } from './support/default-scenario.ts';
import { historyPath, historyText } from './support/history-file.ts';
import { runCli } from './support/run-cli.ts';
import { skipWithout } from './support/server-skip.ts';

/** A small storm on the virtual clock: 300 cameras, 30 s of scenario time. */
const SMALL = ['--devices', '300', '--clock', 'virtual', '--set', 'duration=30s', '--set', 'timeline.0.at=10s', '--set', 'timeline.0.duration=5s', '--set', 'timeline.1.at=20s'];
const small = (seed: number, adapter = 'memory') => (s: Scenario) => {
  s.seed = seed;
  s.clock = 'virtual';
  s.fleet.devices = 300;
  s.duration = 30_000;
  s.cache.adapter = adapter;
  s.timeline = [
    { at: 10_000, fault: 'broker-outage', duration: 5_000 },
    { at: 20_000, transfer: { share: 0.2 } },
  ];
};

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-history-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

const crosswire = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

const runDirOf = (stdout: string) => stdout.match(/report: (.+)$/m)![1].trim();

/**
 * A copy of a run directory to tamper with, its history inflated to a plain history.ndjson (as
 * runs before compression wrote it); returns the copy's history lines.
 */
async function copyRun(from: string, name: string): Promise<{ dir: string; lines: string[] }> {
  const dir = join(out, name);
  await rm(dir, { recursive: true, force: true });
  await cp(from, dir, { recursive: true });
  const text = await historyText(dir);
  await rm(historyPath(dir));
  await writeFile(join(dir, 'history.ndjson'), text);
  return { dir, lines: text.split('\n') };
}

describe('the virtual clock', () => {
  it('gives the same history, byte for byte, for the same seed, and another for another seed', async () => {
    const a = await runScenario(await defaultScenario(small(3)));
    const b = await runScenario(await defaultScenario(small(3)));
    const c = await runScenario(await defaultScenario(small(4)));
    expect(a.summary.history?.clock).toBe('virtual');
    expect(a.summary.verdict).toBe('PASS');
    expect(a.summary.history?.ops).toBeGreaterThan(5000);
    expect(b.summary.history?.sha256).toBe(a.summary.history?.sha256);
    expect(b.summary.history?.bytes).toBe(a.summary.history?.bytes);
    expect(c.summary.history?.sha256).not.toBe(a.summary.history?.sha256);
  });

  it('reproduces a catalogued bug exactly: the same violations, seed for seed', async () => {
    const a = await runScenario(await defaultScenario(small(5, 'faulty:crossed-replies')));
    const b = await runScenario(await defaultScenario(small(5, 'faulty:crossed-replies')));
    expect(a.summary.verdict).toBe('FAIL');
    expect(b.summary.violations).toEqual(a.summary.violations);
    expect(b.summary.history?.sha256).toBe(a.summary.history?.sha256);
  });
});

describe('crosswire check and replay', () => {
  let passDir: string;
  let failDir: string;
  beforeAll(async () => {
    const pass = await crosswire(['run', ...SMALL, '--out-dir', out]);
    expect(pass.code, pass.stderr).toBe(0);
    passDir = runDirOf(pass.stdout);
    const fail = await crosswire(['run', ...SMALL, '--cache', 'faulty:crossed-replies', '--out-dir', out]);
    expect(fail.code, fail.stderr).toBe(1);
    failDir = runDirOf(fail.stdout);
  }, 240_000);

  it('writes history.ndjson.gz and scenario.resolved.yaml into the run directory', async () => {
    const files = await readdir(passDir);
    expect(files).toEqual(expect.arrayContaining(['history.ndjson.gz', 'scenario.resolved.yaml', 'summary.json']));
    expect(files).not.toContain('history.ndjson');
    const text = await historyText(passDir);
    const summary = JSON.parse(await readFile(join(passDir, 'summary.json'), 'utf8'));
    // the recorded hash and size are the ndjson's, whatever the file's compression
    expect(createHash('sha256').update(text).digest('hex')).toBe(summary.history.sha256);
    expect(Buffer.byteLength(text)).toBe(summary.history.bytes);
    expect((await stat(historyPath(passDir))).size).toBeLessThan(summary.history.bytes / 4);
    const lines = text.trimEnd().split('\n');
    const ops = lines.map((l) => JSON.parse(l) as { op: string });
    expect(ops[0].op).toBe('run');
    expect(ops.at(-1)!.op).toBe('end');
    for (const kind of ['connect', 'disconnect', 'publish', 'thumbnail', 'clip', 'route', 'cache', 'fault-injected', 'fault-healed', 'transfer', 'viewer-up']) {
      expect(ops.some((o) => o.op === kind), kind).toBe(true);
    }
  });

  it('check re-judges the stored history and reaches the run\'s verdict, checks and violations', async () => {
    for (const [dir, code, verdict] of [[passDir, 0, 'PASS'], [failDir, 1, 'FAIL']] as const) {
      const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
      const { judged, reading } = await checkHistory(historyPath(dir));
      expect(reading.compressed).toBe(true);
      expect(judged.verdict).toBe(verdict);
      expect(judged.checks).toEqual(summary.checks);
      expect(judged.violationCount).toBe(summary.violationCount);
      expect(JSON.parse(JSON.stringify(judged.violations))).toEqual(summary.violations);
      expect(reading.sha256).toBe(summary.history.sha256);
      const cli = await crosswire(['check', dir]);
      expect(cli.code).toBe(code);
      expect(cli.stdout).toContain('same verdict, checks and violations as the run reported');
    }
  });

  it('check and replay read a plain history.ndjson as older runs wrote it, with the same verdict and hash', async () => {
    for (const [dir, code] of [[passDir, 0], [failDir, 1]] as const) {
      const { dir: copy } = await copyRun(dir, `plain-${code}`);
      const summary = JSON.parse(await readFile(join(copy, 'summary.json'), 'utf8'));
      const { judged, reading } = await checkHistory(join(copy, 'history.ndjson'));
      expect(reading.compressed).toBe(false);
      expect(reading.sha256).toBe(summary.history.sha256);
      expect(judged.verdict).toBe(summary.verdict);
      const cli = await crosswire(['check', copy, '--json']);
      expect(cli.code).toBe(code);
      expect(JSON.parse(cli.stdout)).toMatchObject({ matchesRun: [], history: { compressed: false, sha256: summary.history.sha256 } });
    }
    const replay = await crosswire(['replay', join(out, 'plain-1'), '--out-dir', out, '--quiet']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain('history identical');
  });

  it('check refuses a run directory holding both a compressed and a plain history (exit 2)', async () => {
    const { dir: copy } = await copyRun(passDir, 'both');
    await cp(historyPath(passDir), historyPath(copy));
    const r = await crosswire(['check', copy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('holds both history.ndjson.gz and history.ndjson');
  });

  it('check of a gzip history cut short (a killed run) is INCONCLUSIVE; a corrupt one names the file (exit 2)', async () => {
    const gz = await readFile(historyPath(passDir));
    const cut = join(out, 'cut-gzip');
    await rm(cut, { recursive: true, force: true });
    await cp(passDir, cut, { recursive: true });
    // mid-member: what a kill during a write leaves
    await writeFile(historyPath(cut), gz.subarray(0, Math.floor(gz.length / 2) + 7));
    const r = await crosswire(['check', cut]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toContain('INCONCLUSIVE');
    const corrupt = Buffer.from(gz);
    corrupt.fill(0x55, 200, 4000);
    await writeFile(historyPath(cut), corrupt);
    const bad = await crosswire(['check', cut]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/history\.ndjson\.gz: not a readable gzip history after line \d+/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('check notices a history that was edited after the run', async () => {
    const { dir: copy, lines } = await copyRun(failDir, 'edited');
    // drop every foreign thumbnail: the edited history hides the leak
    const summary = JSON.parse(await readFile(join(copy, 'summary.json'), 'utf8'));
    const foreign = new Set(summary.violations.map((v: { eventId: number; viewer: string }) => `${v.eventId}:${v.viewer}`));
    const kept = lines.filter((l) => !(l.includes('"op":"thumbnail"') && foreign.has(`${JSON.parse(l).ev}:${JSON.parse(l).viewer}`)));
    await writeFile(join(copy, 'history.ndjson'), kept.join('\n'));
    const r = await crosswire(['check', copy]);
    expect(r.stdout).toContain("differs from the run's summary.json");
    expect(r.stdout).toContain('history hash differs');
  });

  it('check of a history cut short (an interrupted write) is INCONCLUSIVE, never PASS', async () => {
    const { dir: copy, lines } = await copyRun(passDir, 'truncated');
    const text = lines.join('\n');
    await writeFile(join(copy, 'history.ndjson'), text.slice(0, Math.floor(text.length / 2)));
    const r = await crosswire(['check', copy]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('INCONCLUSIVE');
  });

  it('check of a malformed history names the file and line (exit 2)', async () => {
    const { dir: copy, lines } = await copyRun(passDir, 'malformed');
    lines[4] = '{not json';
    await writeFile(join(copy, 'history.ndjson'), lines.join('\n'));
    const r = await crosswire(['check', copy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/history\.ndjson:5: not a JSON line/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('replay re-runs the resolved scenario and reproduces verdict and history hash', async () => {
    for (const dir of [passDir, failDir]) {
      const r = await crosswire(['replay', dir, '--out-dir', out, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('REPRODUCED');
      expect(r.stdout).toContain('history identical');
    }
  }, 120_000);

  it('replay and check of a directory that is not a run exit 2 with the path', async () => {
    for (const command of ['check', 'replay']) {
      const r = await crosswire([command, join(out, 'nope')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('nope: no such run directory');
    }
  });
});

describe('config precedence: defaults < scenario < CROSSWIRE_* < flags < --set', () => {
  it('resolves in that order and saves what it resolved', async () => {
    const r = await crosswire(['run', ...SMALL, '--devices', '250', '--out-dir', out, '--quiet'], { CROSSWIRE_DEVICES: '200', CROSSWIRE_SEED: '9', CROSSWIRE_SET: 'fleet.tapShare=0.1' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('seed=9');
    const latest = join(out, 'latest');
    const { scenario } = await loadScenarioFile(join(latest, 'scenario.resolved.yaml'));
    expect(scenario.fleet.devices).toBe(250); // the flag beat the variable
    expect(scenario.seed).toBe(9); // the variable beat the file
    expect(scenario.fleet.tapShare).toBe(0.1);
    expect(scenario.duration).toBe(30_000); // --set
    const summary = JSON.parse(await readFile(join(latest, 'summary.json'), 'utf8'));
    // the repro line does not depend on this shell's environment
    expect(summary.repro).toContain('--set fleet.tapShare=0.1');
    expect(summary.repro).toContain('--seed 9');
    expect(summary.repro).not.toContain('fleet.devices=200');
  });

  it('an unknown CROSSWIRE_ variable and a malformed --set are usage errors naming them', async () => {
    const env = await crosswire(['run', '--quiet'], { CROSSWIRE_DEVCES: '3' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('CROSSWIRE_DEVCES');
    const set = await crosswire(['run', '--set', 'fleet.devices']);
    expect(set.code).toBe(2);
    expect(set.stderr).toContain('--set "fleet.devices": expected path=value');
    const field = await crosswire(['run', '--set', 'fleet.devicez=3']);
    expect(field.code).toBe(2);
    expect(field.stderr).toContain('flag --set fleet.devicez');
  });

  it('the resolved scenario is itself a valid scenario that resolves to the same thing', async () => {
    const scenario = await defaultScenario(small(11));
    const file = join(out, 'resolved.yaml');
    await writeFile(file, resolvedScenarioYaml(scenario, 'test'));
    const { scenario: again } = await loadScenarioFile(file);
    expect(again).toEqual(scenario);
  });
});
