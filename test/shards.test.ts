import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../src/servers/loopback.ts';
import { startPrivateServer, type PrivateServer } from '../src/servers/private-server.ts';
import { skipWithoutMosquitto, startPrivateMosquitto, type PrivateMosquitto } from './support/private-mosquitto.ts';
import { runCli } from './support/run-cli.ts';
import { skipWithout } from './support/server-skip.ts';
import { smallStormScenario } from './support/shard-scenario.ts';

const SCENARIO = smallStormScenario('shard-storm', 'ioredis');

interface Summary {
  verdict: string;
  exitCode: number;
  violationCount: number;
  violations: { receivedBy: string; deviceId: string; trueOwner: string }[];
  shards?: { count: number; merged?: unknown[]; skewMs?: number; via: string };
  history: { sha256: string };
}

const GROUP = 'shards against a private Mosquitto and redis-server';
const skip = skipWithoutMosquitto(GROUP) || skipWithout('redis', GROUP);

describe.skipIf(skip)('shards: 3 processes, a private Mosquitto and redis-server, one merged verdict', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crosswire-shards-'));
  const file = join(dir, 'storm.yaml');
  let mosquitto: PrivateMosquitto | undefined;
  let redis: PrivateServer | undefined;
  let brokerUrl = '';
  let cacheUrl = '';

  beforeAll(async () => {
    writeFileSync(file, SCENARIO);
    // the files `crosswire broker-config` writes, as a user would run Mosquitto with them
    const config = await runCli(['broker-config', 'mosquitto', file, '--out-dir', join(dir, 'mq'), '--port', String(await freeLoopbackPort()), '--ws-port', '0']);
    expect(config.code, config.stderr).toBe(0);
    [mosquitto, redis] = await Promise.all([startPrivateMosquitto({ configFile: join(dir, 'mq', 'mosquitto.conf') }), startPrivateServer('redis')]);
    brokerUrl = mosquitto.url;
    cacheUrl = redis.url;
  });

  afterAll(async () => {
    await Promise.all([mosquitto?.stop(), redis?.stop()]);
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
