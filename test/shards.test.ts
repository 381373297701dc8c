import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.ts';

const MOSQUITTO = '/usr/sbin/mosquitto';
const haveServers = existsSync(MOSQUITTO) && existsSync('/usr/bin/redis-server');

/** A small storm: an outage, a transfer; 3 s of wall clock at 10×. */
const SCENARIO = `name: shard-storm
seed: 3
timeScale: 10
clock: real
duration: 30s
drain: 5s
fleet:
  devices: 150
  transport: tcp
  eventInterval: 4s
cache:
  adapter: ioredis
timeline:
  - at: 10s
    fault: broker-outage
    duration: 3s
  - at: 18s
    transfer:
      share: 0.1
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, ms = 5000): Promise<void> {
  const { connect } = await import('node:net');
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Summary {
  verdict: string;
  exitCode: number;
  violationCount: number;
  violations: { receivedBy: string; deviceId: string; trueOwner: string }[];
  shards?: { count: number; merged?: unknown[]; skewMs?: number; via: string };
  history: { sha256: string };
}

describe.skipIf(!haveServers)('shards: 3 processes, a private Mosquitto and redis-server, one merged verdict', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crosswire-shards-'));
  const file = join(dir, 'storm.yaml');
  const children: ChildProcess[] = [];
  let brokerUrl = '';
  let cacheUrl = '';

  beforeAll(async () => {
    writeFileSync(file, SCENARIO);
    const [mqttPort, redisPort] = [await freePort(), await freePort()];
    const config = await runCli(['broker-config', 'mosquitto', file, '--out-dir', join(dir, 'mq'), '--port', String(mqttPort), '--ws-port', '0']);
    expect(config.code, config.stderr).toBe(0);
    // run as root, Mosquitto would switch to a user that cannot read the password file
    appendFileSync(join(dir, 'mq', 'mosquitto.conf'), `user ${userInfo().username}\n`);
    children.push(spawn(MOSQUITTO, ['-c', join(dir, 'mq', 'mosquitto.conf')], { stdio: 'ignore' }));
    children.push(spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
    await Promise.all([waitForPort(mqttPort), waitForPort(redisPort)]);
    brokerUrl = `mqtt://127.0.0.1:${mqttPort}`;
    cacheUrl = `redis://127.0.0.1:${redisPort}`;
  });

  afterAll(() => {
    for (const child of children) child.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const common = (cache: string) => [file, '--broker', brokerUrl, '--cache', cache, ...(cache === 'ioredis' ? ['--cache-url', cacheUrl] : []), '--json'];

  async function shardedRun(cache: string, runId: string, outDir: string): Promise<{ summary: Summary; code: number | null; shardDirs: string[] }> {
    const shards = await Promise.all(
      [0, 1, 2].map((i) => runCli(['run', ...common(cache), '--shard', `${i}/3`, '--run-id', runId, '--out-dir', outDir, '--barrier-timeout', '40s'], { timeoutMs: 60_000 })),
    );
    for (const s of shards) expect(s.code, s.stderr).toBe(0);
    const shardDirs = shards.map((s) => (JSON.parse(s.stdout) as { runDirectory: string }).runDirectory);
    const shardSummaries = shards.map((s) => JSON.parse(s.stdout) as Summary);
    for (const [i, s] of shardSummaries.entries()) expect(s.shards).toMatchObject({ count: 3, shard: `${i}/3`, via: 'barrier' });
    const merged = await runCli(['merge', ...shardDirs, '--out-dir', outDir, '--json'], { timeoutMs: 30_000 });
    expect(merged.stderr).toBe('');
    return { summary: JSON.parse(merged.stdout) as Summary, code: merged.code, shardDirs };
  }

  it('an honest cache: the merged verdict is the one-process verdict (PASS), the shards line up within a margin', async () => {
    const outDir = join(dir, 'honest');
    // one after the other: four real-clock runs at once starve each other on two cores
    const sharded = await shardedRun('ioredis', 'honest', outDir);
    const single = await runCli(['run', ...common('ioredis'), '--out-dir', join(dir, 'single')], { timeoutMs: 60_000 });
    const one = JSON.parse(single.stdout) as Summary & { reasons: string[] };
    expect(one.verdict, one.reasons.join('; ')).toBe('PASS');
    expect(sharded.summary.verdict, (sharded.summary as unknown as { reasons: string[] }).reasons.join('; ')).toBe(one.verdict);
    expect(sharded.code).toBe(one.exitCode);
    expect(sharded.summary.violationCount).toBe(0);
    expect(sharded.summary.shards?.count).toBe(3);
    expect(sharded.summary.shards?.merged).toHaveLength(3);
    expect(sharded.summary.shards?.skewMs).toBeLessThan(2000);
    // the merge re-judges what it wrote: `check` on the merged directory agrees
    const mergedDir = readdirSync(join(outDir, 'shard-storm')).find((d) => d.endsWith('-merged3'))!;
    const check = await runCli(['check', join(outDir, 'shard-storm', mergedDir)]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('same verdict, checks and violations');
    // the shards' own directories are left as they were
    for (const d of sharded.shardDirs) expect(existsSync(join(d, 'history.ndjson.gz'))).toBe(true);
  });

  it('a faulty cache: the merge finds the leak (FAIL, exit 1), as one process does', async () => {
    // truncated keys leak whatever the machine's load (crossed replies need a slow reply to
    // cross, which a lightly loaded shard may never give)
    const outDir = join(dir, 'faulty');
    const sharded = await shardedRun('faulty:key-collision', 'faulty', outDir);
    const single = await runCli(['run', ...common('faulty:key-collision'), '--out-dir', join(dir, 'single-faulty')], { timeoutMs: 60_000 });
    const one = JSON.parse(single.stdout) as Summary;
    expect(one.verdict).toBe('FAIL');
    expect(sharded.summary.verdict, (sharded.summary as unknown as { reasons: string[] }).reasons.join('; ')).toBe('FAIL');
    expect(sharded.code).toBe(1);
    expect(sharded.summary.violationCount).toBeGreaterThan(0);
    for (const v of sharded.summary.violations) expect(v.receivedBy).not.toBe(v.trueOwner);
  });

  it('refuses histories that are not the shards of one run (exit 2, naming the file)', async () => {
    const single = readdirSync(join(dir, 'single', 'shard-storm'))[0];
    const merged = await runCli(['merge', join(dir, 'single', 'shard-storm', single)]);
    expect(merged.code).toBe(2);
    expect(merged.stderr).toMatch(/history\.ndjson(\.gz)?:1: this history is not a shard's/);
    expect(merged.stderr).not.toMatch(/\n\s+at /);
  });

  it('a shard whose peers never come gives up at the barrier (exit 75)', async () => {
    const alone = await runCli(['run', ...common('faulty:key-collision'), '--shard', '0/2', '--run-id', 'lonely', '--barrier-timeout', '2s', '--out-dir', join(dir, 'lonely')], { timeoutMs: 30_000 });
    expect(alone.code).toBe(75);
    expect(alone.stderr).toMatch(/shard 1 never announced ready/);
    const runs = readdirSync(join(dir, 'lonely', 'shard-storm'));
    expect(readFileSync(join(dir, 'lonely', 'shard-storm', runs[0], 'error.json'), 'utf8')).toContain('shards-did-not-meet');
  });
});
