import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateDocument } from '../src/gate/gate-document.ts';
import type { RunSummary } from '../src/report/summary.ts';
import { freeLoopbackPort } from '../src/servers/loopback.ts';
import { runGate } from './support/gate-run.ts';
import { skipWithoutMosquitto, startPrivateMosquitto, type PrivateMosquitto } from './support/private-mosquitto.ts';
import { runCli } from './support/run-cli.ts';

/** A transfer whose invalidations a faulty cache loses: a leak on any broker, a few seconds of wall clock. */
const SCENARIO = `name: gate-broker
seed: 1
timeScale: 10
clock: real
duration: 30s
drain: 5s
fleet:
  devices: 80
  transport: tcp
  eventInterval: 4s
timeline:
  - at: 10s
    transfer:
      share: 0.2
`;

const skip = skipWithoutMosquitto('gate --broker');

describe.skipIf(skip)('crosswire gate --broker: both sides through the team\'s own broker', () => {
  let dir: string;
  let file: string;
  let mosquitto: PrivateMosquitto;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crosswire-gate-broker-'));
    file = join(dir, 'gate-broker.yaml');
    await writeFile(file, SCENARIO);
    // the gate runs seed 1 unless told otherwise: the broker is configured for it
    const config = await runCli(['broker-config', 'mosquitto', file, '--seed', '1', '--out-dir', join(dir, 'mq'), '--port', String(await freeLoopbackPort()), '--ws-port', '0']);
    expect(config.code, config.stderr).toBe(0);
    mosquitto = await startPrivateMosquitto({ configFile: join(dir, 'mq', 'mosquitto.conf') });
  }, 30_000);

  afterAll(async () => {
    await mosquitto?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const summaryOf = async (runDir: string) => JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as RunSummary;

  it('a candidate that leaks fails the gate (exit 1); every run went through the broker, its repro says so', async () => {
    const { code, stdout, stderr } = await runGate([file, '--baseline', 'memory', '--candidate', 'faulty:stale-owner', '--broker', mosquitto.url, '--json'], join(dir, 'leak'));
    expect(code, stderr).toBe(1);
    const doc = JSON.parse(stdout) as GateDocument;
    expect(doc.runs.map((r) => [r.baseline.verdict, r.candidate.verdict])).toEqual([['PASS', 'FAIL']]);
    for (const side of [doc.runs[0].baseline, doc.runs[0].candidate]) {
      expect(side.repro).toContain(`--broker ${mosquitto.url}`);
      expect((await summaryOf(side.runDir)).fleet.brokerUrl).toBe(mosquitto.url);
    }
    // the broker saw the fleet: its own log names the run's clients
    expect(await mosquitto.log()).toMatch(/New client connected .* as cam-/);
  }, 180_000);

  it('the same library on both sides passes (exit 0)', async () => {
    const { code, stdout, stderr } = await runGate([file, '--baseline', 'memory', '--candidate', 'memory', '--broker', mosquitto.url, '--json'], join(dir, 'same'));
    const doc = JSON.parse(stdout) as GateDocument;
    expect(code, `${stderr}\n${doc.findings.map((f) => f.message).join('\n')}`).toBe(0);
    expect(doc.runs.map((r) => [r.baseline.verdict, r.candidate.verdict])).toEqual([['PASS', 'PASS']]);
  }, 180_000);

  it('refuses several seeds with --broker before running anything (exit 2, naming the flags)', async () => {
    const { code, stderr } = await runGate([file, '--baseline', 'memory', '--candidate', 'memory', '--broker', mosquitto.url, '--seeds', '2'], join(dir, 'seeds'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--broker with seeds 1,2: a broker is configured for one seed/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
