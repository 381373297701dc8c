import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../src/servers/loopback.ts';
import { skipWithoutMosquitto, startPrivateMosquitto, type PrivateMosquitto } from './support/private-mosquitto.ts';
import { runCli } from './support/run-cli.ts';

/**
 * A leak whose mechanism is deterministic: the cache swallows the invalidations of a transfer, so
 * every transferred camera's later events go to its old owner, however the processes interleave.
 * No outage: which cameras publish after the transfer does not hang on a reconnect's timing.
 */
const scenario = (seed: number) => `name: shard-pairs
seed: ${seed}
timeScale: 10
clock: real
duration: 40s
drain: 5s
fleet:
  devices: 120
  transport: tcp
  eventInterval: 4s
cache:
  adapter: faulty:stale-owner
timeline:
  - at: 12s
    transfer:
      share: 0.15
`;

interface Summary {
  verdict: string;
  exitCode: number;
  violationCount: number;
  violationPairs?: { count: number; sha256: string; pairs: string[] };
  runDirectory: string;
}

const skip = skipWithoutMosquitto('shards: the merged violation set');

describe.skipIf(skip)('shards: the merged violation set equals one process\'s (same scenario and seed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crosswire-shard-pairs-'));
  const file = join(dir, 'pairs.yaml');
  let mosquitto: PrivateMosquitto;

  beforeAll(async () => {
    writeFileSync(file, scenario(3));
    writeFileSync(join(dir, 'other-seed.yaml'), scenario(4));
    const config = await runCli(['broker-config', 'mosquitto', file, '--out-dir', join(dir, 'mq'), '--port', String(await freeLoopbackPort()), '--ws-port', '0']);
    expect(config.code, config.stderr).toBe(0);
    mosquitto = await startPrivateMosquitto({ configFile: join(dir, 'mq', 'mosquitto.conf') });
  }, 30_000);

  afterAll(async () => {
    await mosquitto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('3 shards merged and one process name the same (account, device, owner) pairs; another seed names others', async () => {
    const common = [file, '--broker', mosquitto.url, '--json', '--quiet'];
    const shards = await Promise.all(
      [0, 1, 2].map((i) => runCli(['run', ...common, '--shard', `${i}/3`, '--run-id', 'pairs', '--out-dir', join(dir, 'shards'), '--barrier-timeout', '40s'], { timeoutMs: 90_000 })),
    );
    for (const s of shards) expect(s.code, s.stderr).toBe(0);
    const dirs = shards.map((s) => (JSON.parse(s.stdout) as Summary).runDirectory);
    const merged = await runCli(['merge', ...dirs, '--out-dir', join(dir, 'merged')], { timeoutMs: 60_000 });
    // the console names the set's size
    expect(merged.stdout).toMatch(/violation pairs: \d+ \(receiving account, device, owner; sha256 [0-9a-f]{12}\)/);
    const mergedJson = await runCli(['merge', ...dirs, '--out-dir', join(dir, 'merged'), '--json'], { timeoutMs: 60_000 });
    const m = JSON.parse(mergedJson.stdout) as Summary;

    const single = await runCli(['run', ...common, '--out-dir', join(dir, 'single')], { timeoutMs: 90_000 });
    const one = JSON.parse(single.stdout) as Summary;
    expect(one.verdict).toBe('FAIL');
    expect(m.verdict).toBe('FAIL');
    expect(mergedJson.code).toBe(1);
    expect(one.violationPairs!.count).toBeGreaterThan(5);
    // the sets, pair by pair (the list is whole below 200 pairs), and their digests
    expect(m.violationPairs!.pairs).toEqual(one.violationPairs!.pairs);
    expect(m.violationPairs!.count).toBe(one.violationPairs!.count);
    expect(m.violationPairs!.sha256).toBe(one.violationPairs!.sha256);
    for (const pair of one.violationPairs!.pairs) {
      const [receivedBy, , owner] = pair.split(' ');
      expect(receivedBy).not.toBe(owner);
    }

    // the control: the comparison can fail — another seed transfers other cameras
    const other = await runCli(['run', join(dir, 'other-seed.yaml'), '--json', '--quiet', '--out-dir', join(dir, 'other')], { timeoutMs: 90_000 });
    const o = JSON.parse(other.stdout) as Summary;
    expect(o.verdict).toBe('FAIL');
    expect(o.violationPairs!.sha256).not.toBe(one.violationPairs!.sha256);
    expect(o.violationPairs!.pairs).not.toEqual(one.violationPairs!.pairs);
  }, 300_000);
});
