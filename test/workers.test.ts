import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from './support/run-cli.ts';
import { smallStormScenario } from './support/shard-scenario.ts';

const SCENARIO = smallStormScenario('worker-storm', 'memory');

interface Summary {
  verdict: string;
  exitCode: number;
  violationCount: number;
  violations: { receivedBy: string; trueOwner: string }[];
  reasons: string[];
  shards?: { count: number; merged?: { runDir: string }[] };
  runDirectory: string;
}

const dir = mkdtempSync(join(tmpdir(), 'crosswire-workers-'));
const file = join(dir, 'storm.yaml');
writeFileSync(file, SCENARIO);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How many workers have made their run directories under shards/. */
function shardDirs(out: string): number {
  try {
    const run = readdirSync(join(out, 'worker-storm'))[0];
    return readdirSync(join(out, 'worker-storm', run, 'shards', 'worker-storm')).length;
  } catch {
    return 0;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('run --workers 2: one command, one merged verdict', () => {
  it('an honest cache PASSes and a faulty one FAILs with the same seed; the workers\' directories stay inside the run directory', async () => {
    const honest = await runCli(['run', file, '--workers', '2', '--out-dir', join(dir, 'honest'), '--json'], { timeoutMs: 60_000 });
    const pass = JSON.parse(honest.stdout) as Summary;
    expect(pass.verdict, pass.reasons.join('; ')).toBe('PASS');
    expect(honest.code).toBe(0);
    expect(pass.shards?.count).toBe(2);
    expect(pass.runDirectory).toMatch(/-seed3-merged2$/);
    // each worker's own run directory, under shards/ of the merged one
    for (const shard of pass.shards!.merged!) {
      expect(shard.runDir.startsWith(join(pass.runDirectory, 'shards'))).toBe(true);
      expect(existsSync(join(shard.runDir, 'history.ndjson.gz')) || existsSync(join(shard.runDir, 'history.ndjson'))).toBe(true);
    }
    const check = await runCli(['check', pass.runDirectory]);
    expect(check.code, check.stderr).toBe(0);

    const faulty = await runCli(['run', file, '--workers', '2', '--cache', 'faulty:key-collision', '--out-dir', join(dir, 'faulty'), '--json'], { timeoutMs: 60_000 });
    const fail = JSON.parse(faulty.stdout) as Summary;
    expect(fail.verdict).toBe('FAIL');
    expect(faulty.code).toBe(1);
    expect(fail.violationCount).toBeGreaterThan(0);
    for (const v of fail.violations) expect(v.receivedBy).not.toBe(v.trueOwner);
  });

  it('Ctrl-C stops every worker, leaves a partial report and no process behind (exit 130)', async () => {
    const out = join(dir, 'interrupted');
    const child = spawn(process.execPath, [CLI, 'run', file, '--workers', '2', '--out-dir', out, '--set', 'timeScale=2'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const workers: number[] = [];
    const code = await new Promise<number | null>((resolve) => {
      child.once('close', resolve);
      const poll = setInterval(() => {
        // once both workers have met and run a while: interrupt the parent alone, as a terminal's Ctrl-C does
        const pids = spawnSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.trim() !== '').map(Number);
        if (pids.length === 2 && shardDirs(out) === 2) {
          clearInterval(poll);
          workers.push(...pids);
          // past the barrier (time zero is 2 s after the last worker is ready) and into the run
          setTimeout(() => child.kill('SIGINT'), 6000);
        }
      }, 200);
      setTimeout(() => clearInterval(poll), 40_000);
    });
    expect(workers).toHaveLength(2);
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('interrupted');
    for (const pid of workers) expect(alive(pid)).toBe(false);
    const runs = readdirSync(join(out, 'worker-storm'));
    expect(runs).toHaveLength(1);
    const summary = JSON.parse(readFileSync(join(out, 'worker-storm', runs[0], 'summary.json'), 'utf8')) as Summary;
    expect(summary.exitCode).toBe(130);
    expect(summary.reasons.join('\n')).toContain('interrupted');
    expect(readdirSync(join(out, 'worker-storm', runs[0], 'shards', 'worker-storm'))).toHaveLength(2);
  });

  it.each([
    [['--workers', '0'], /--workers/],
    [['--workers', 'two'], /--workers/],
    [['--workers', '2', '--broker', 'mqtt://127.0.0.1:1'], /workers: workers run against the embedded broker/],
    [['--workers', '2', '--clock', 'virtual'], /workers: workers are processes talking over sockets/],
    [['--workers', '2', '--devices', '30000'], /30000 devices is more than the tcp transport holds here \(19000: the workers' broker process/],
    [['--workers', '2', '--devices', '19000'], /flag --workers: fleet\.devices: 19000 cameras and \d+ viewers need \d+ broker connections, more than the workers' broker process holds \(19500 sockets\)/],
  ])('bad input %j: exit 2, a clear message, no stack', async (args, says) => {
    const run = await runCli(['run', file, ...args, '--out-dir', join(dir, 'bad')]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(says);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
