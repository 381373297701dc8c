import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHistory } from '../src/runner/check-history.ts';
import { runScenario } from '../src/runner/run-scenario.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { defaultScenario } from './support/default-scenario.ts';

/** A small storm on the virtual clock: 300 cameras, 30 s of scenario time. */
const small = (adapter: string, identities?: Partial<Scenario['identities']>) => (s: Scenario) => {
  s.clock = 'virtual';
  s.fleet.devices = 300;
  s.duration = 30_000;
  s.cache.adapter = adapter;
  s.identities = { ...s.identities, ...identities };
  s.timeline = [
    { at: 10_000, fault: 'broker-outage', duration: 5_000 },
    { at: 20_000, transfer: { share: 0.2, to: ['acct-000001', 'acct-000002'] } },
  ];
};
const REALISTIC = { devices: 'mac', accounts: 'uuid', keyTemplate: 'tenant:eu-west-1/owner/{device}' } as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswire-ids-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runAndRejudge(scenario: Scenario, name: string) {
  const historyFile = join(dir, `${name}.ndjson`);
  const { summary } = await runScenario(scenario, { historyFile });
  const { judged } = await checkHistory(historyFile);
  expect(judged.verdict).toBe(summary.verdict);
  expect(judged.checks).toEqual(summary.checks);
  expect(judged.violationCount).toBe(summary.violationCount);
  expect(JSON.parse(JSON.stringify(judged.violations))).toEqual(summary.violations);
  return { summary, historyFile };
}

describe('a run with MAC and UUID ids and a long key template', () => {
  it('PASSes with a correct cache, uses the ids everywhere, and re-judges to the same verdict', async () => {
    const { summary, historyFile } = await runAndRejudge(await defaultScenario(small('memory', REALISTIC)), 'memory');
    expect(summary.verdict).toBe('PASS');
    const text = await readFile(historyFile, 'utf8');
    expect(text).toMatch(/"key":"tenant:eu-west-1\/owner\/[0-9a-f]{2}(:[0-9a-f]{2}){5}"/);
    expect(text).not.toContain('cam-0');
    // every transfer went to the first two accounts, named by ordinal
    expect(summary.transfers[0].devices).toBeGreaterThan(0);
  });

  it('FAILs with a cache that crosses replies, names the leak in the new ids, and re-judges to the same verdict', async () => {
    const { summary } = await runAndRejudge(await defaultScenario(small('faulty:crossed-replies', REALISTIC)), 'crossed');
    expect(summary.verdict).toBe('FAIL');
    const leak = summary.violations.find((v) => v.kind === 'foreign-thumbnail')!;
    expect(leak.deviceId).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(leak.receivedBy).toMatch(/^[0-9a-f]{8}-/);
    expect(Object.keys(summary.blame ?? {})).toEqual(['wrong-key']);
  });
});

describe('faulty:long-key-truncation (keys cut to 32 characters)', () => {
  it('PASSes on sequential ids, whose keys are 17 characters', async () => {
    const { summary } = await runScenario(await defaultScenario(small('faulty:long-key-truncation')));
    expect(summary.verdict).toBe('PASS');
  });

  it('FAILs with MAC ids under a 40-character key template, blamed wrong-key', async () => {
    const { summary } = await runScenario(await defaultScenario(small('faulty:long-key-truncation', REALISTIC)));
    expect(summary.verdict).toBe('FAIL');
    expect(Object.keys(summary.blame ?? {})).toEqual(['wrong-key']);
  });

  it('PASSes with UUID device ids under the same template: 9 characters of a UUID still tell cameras apart', async () => {
    const { summary } = await runScenario(await defaultScenario(small('faulty:long-key-truncation', { ...REALISTIC, devices: 'uuid' })));
    expect(summary.verdict).toBe('PASS');
  });
});

describe('a history recorded before ids had shapes', () => {
  it('re-judges as sequential ids under owner:{device}', async () => {
    const { summary, historyFile } = await runAndRejudge(await defaultScenario(small('faulty:crossed-replies')), 'old');
    const [header, ...rest] = (await readFile(historyFile, 'utf8')).split('\n');
    const run = JSON.parse(header) as { scenario: Record<string, unknown> };
    delete run.scenario.identities;
    const old = join(dir, 'old-header.ndjson');
    await writeFile(old, [JSON.stringify(run), ...rest].join('\n'));
    const { judged } = await checkHistory(old);
    expect(judged.verdict).toBe('FAIL');
    expect(judged.violationCount).toBe(summary.violationCount);
    expect(judged.checks).toEqual(summary.checks);
  });
});
