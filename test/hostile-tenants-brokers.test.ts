import { afterEach, describe, expect, it } from 'vitest';
import { runScenario } from '../src/runner/run-scenario.ts';
import { loadScenarioFile, type Override } from '../src/scenario/load-scenario.ts';
import { skipWithoutMosquitto, startPrivateMosquitto, type PrivateMosquitto } from './support/private-mosquitto.ts';

/**
 * The shipped hostile-tenants scenario, as a user runs it: PASS on the embedded broker and on a
 * private Mosquitto with the ACL `crosswire broker-config mosquitto` generates; FAIL, naming the
 * attempt that leaked, with ONE rule too broad (`broker.acl: weakened-read` on the embedded
 * broker, `broker-config --weaken read` on Mosquitto). Same scenario, same seed.
 */
const FILE = 'scenarios/hostile-tenants.yaml';
const set = (path: string, value: unknown): Override => ({ path: path.split('.'), value, origin: `test ${path}` });
const run = async (...overrides: Override[]) => (await runScenario((await loadScenarioFile(FILE, overrides)).scenario)).summary;
const hostileCheck = (s: Awaited<ReturnType<typeof run>>) => s.checks.find((c) => c.name === 'hostile');

describe('hostile tenants on the embedded broker', () => {
  it('PASS with its rules, FAIL with weakened-read naming the attempt', async () => {
    const strict = await run();
    expect(strict.reasons).toEqual([]);
    expect(strict.verdict).toBe('PASS');
    expect(strict.hostile).toMatchObject({ broker: 'embedded', tried: 180, leaked: 0 });

    const weak = await run(set('broker.acl', 'weakened-read'));
    expect(weak.verdict).toBe('FAIL');
    expect(hostileCheck(weak)).toMatchObject({ status: 'fail', detail: expect.stringMatching(/attempt \d+ subscribe-\S+ \S+ \(client id acct-\d+~vh\d+\): \d+ leaked/) });
  });
});

describe.skipIf(skipWithoutMosquitto('hostile tenants on Mosquitto'))('hostile tenants on a private Mosquitto', () => {
  let broker: PrivateMosquitto | undefined;
  afterEach(async () => {
    await broker?.stop();
    broker = undefined;
  });
  const fleet = { devices: 300, devicesPerAccount: { min: 1, max: 6 }, viewersPerAccount: { min: 1, max: 2 } };

  it('PASS with the generated ACL: what Mosquitto grants, it never delivers', async () => {
    broker = await startPrivateMosquitto({ seed: 1, fleet });
    const s = await run(set('broker.url', broker.url));
    expect(s.reasons).toEqual([]);
    expect(s.verdict).toBe('PASS');
    expect(s.hostile).toMatchObject({ broker: broker.url, tried: 180, leaked: 0 });
    // Mosquitto refuses the wildcard username at CONNECT, and checks read access per message, not at SUBSCRIBE
    expect(s.hostile?.byKind['wildcard-username'].refused).toBe(12);
  });

  it('FAIL with --weaken read, naming the attempt that leaked', async () => {
    broker = await startPrivateMosquitto({ seed: 1, fleet, weaken: 'read' });
    const s = await run(set('broker.url', broker.url));
    expect(s.verdict).toBe('FAIL');
    expect(s.hostile?.byKind['subscribe-accounts'].leaked).toBeGreaterThan(0);
    expect(hostileCheck(s)?.detail).toMatch(/attempt \d+ subscribe-\S+ \S+ \(client id acct-\d+~vh\d+\): \d+ leaked/);
    expect(s.violations[0]).toMatchObject({ kind: 'hostile-leak', attempt: { broker: broker.url }, blame: { class: 'broker' } });
  });
});
