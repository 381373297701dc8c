import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarySchema } from '../src/report/summary-schema.ts';
import { historyLines } from './support/history-file.ts';
import { expectJunitShape } from './support/junit-shape.ts';
import { parseXml } from './support/xml-parse.ts';

const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-interrupt-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

/**
 * Runs the CLI, sends SIGINT once its progress matches `when` (by default: any progress line; `times`
 * in all), and collects how it ended.
 */
function interruptedRun(args: string[], times = 1, when = /t=\d/): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'run', '--out-dir', out, '--no-color', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (!sent && when.test(stderr)) {
        sent = true;
        for (let i = 0; i < times; i++) child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('Ctrl-C', () => {
  it('heals, judges the partial run, writes the report and exits 130', async () => {
    const { code, stdout, stderr } = await interruptedRun([]);
    expect(stderr).toContain('interrupted');
    expect(code).toBe(130);
    const dir = stdout.match(/report: (.+)$/m)?.[1];
    expect(dir).toBeDefined();
    const summary = JSON.parse(await readFile(join(dir!.trim(), 'summary.json'), 'utf8'));
    expect(summary.exitCode).toBe(130);
    expect(summary.verdict).toBe('INCONCLUSIVE');
    expect(summary.reasons.join('\n')).toContain('interrupted');
    // the default storm runs on the virtual clock, whose run loop must let the signal in
    expect(summary.history.clock).toBe('virtual');
    expect(summary.faults.every((f: { injectedAt?: number; healedAt?: number }) => f.injectedAt === undefined || f.healedAt !== undefined)).toBe(true);
    // the partial report is complete: every file, each one parses and says the run was interrupted
    expect(summarySchema.safeParse(summary).success).toBe(true);
    expect(summary.timeSeries.t.length).toBeGreaterThan(0);
    const junit = parseXml(await readFile(join(dir!.trim(), 'junit.xml'), 'utf8'));
    expectJunitShape(junit);
    const completed = junit.children[0].children.find((c) => c.attributes.name === 'completed');
    expect(completed?.children[0]?.name).toBe('error');
    expect((await readFile(join(dir!.trim(), 'summary.md'), 'utf8')).split('\n')[0]).toContain('INCONCLUSIVE (interrupted: partial run)');
    const html = await readFile(join(dir!.trim(), 'report.html'), 'utf8');
    expect(html).toContain('interrupted, partial report');
    expect(html.match(/<svg data-chart=/g)?.length).toBeGreaterThanOrEqual(3);
    // the history kept everything up to the interrupt, ends with its end record, and re-judges the same
    const history = await historyLines(dir!.trim());
    expect(JSON.parse(history[0]).op).toBe('run');
    expect(JSON.parse(history.at(-1)!)).toMatchObject({ op: 'end', interrupted: true });
    const check = spawnSync(process.execPath, [cli, 'check', dir!.trim(), '--no-color'], { encoding: 'utf8' });
    expect(check.status).toBe(4);
    expect(check.stdout).toContain('same verdict, checks and violations as the run reported');
  });

  it('is heard on clock: virtual with a fleet in lockstep (no jitter: thousands of timers share an instant)', async () => {
    const lockstep = ['--clock', 'virtual', '--devices', '20000', '--set', 'fleet.backoff={kind: fixed, jitter: none, base: 1s}', '--set', 'fleet.eventInterval=1s'];
    const { code, stdout, stderr } = await interruptedRun(lockstep);
    expect(stderr).toContain('interrupted');
    expect(code).toBe(130);
    const dir = stdout.match(/report: (.+)$/m)![1].trim();
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ exitCode: 130, verdict: 'INCONCLUSIVE', history: { clock: 'virtual' } });
    const last = (await historyLines(dir)).at(-1)!;
    expect(JSON.parse(last)).toMatchObject({ op: 'end', interrupted: true });
    expect(JSON.parse(last).t).toBeLessThan(70_000);
  });

  it('a second Ctrl-C exits at once and still leaves a complete, readable gzip history', async () => {
    const { code, stderr } = await interruptedRun(['--devices', '500'], 2);
    expect(code, stderr).toBe(130);
    const runs = await readdir(join(out, 'reconnect-storm'));
    const newest = runs.sort().at(-1)!;
    // zlib's strict gunzip: every member complete, nothing cut mid-write
    const history = await historyLines(join(out, 'reconnect-storm', newest));
    expect(JSON.parse(history[0]).op).toBe('run');
    expect(history.length).toBeGreaterThan(1);
    for (const line of history) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('still says FAIL when a leak was seen before the interrupt', async () => {
    // interrupted once the progress has shown a leak (a loaded machine may print its first line sooner)
    const { code, stdout } = await interruptedRun(['--cache', 'faulty:key-collision'], 1, /violations [1-9]/);
    expect(code).toBe(130);
    expect(stdout).toMatch(/^FAIL/m);
  });
});
