import { describe, expect, it } from 'vitest';
import { planAttempt, persistentClientId, type AttemptTargets } from '../src/fleet/hostile-attempts.ts';
import type { HistoryOp } from '../src/history/history-op.ts';
import { HistoryChecker } from '../src/oracle/history-checker.ts';
import { runScenario } from '../src/runner/run-scenario.ts';
import { validateScenarioObject } from '../src/scenario/load-scenario.ts';
import { attemptKinds } from '../src/scenario/hostile-schema.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { checkRows } from '../src/report/threshold-rows.ts';
import { canPublish, canSubscribe } from '../src/broker/acl.ts';
import { mosquittoAclFile } from '../src/broker/mosquitto-config.ts';

/**
 * Hostile tenants: the attempt plans, the oracle's rules over attempts and what reached them
 * (from hand-written histories), and a short virtual-clock run on the embedded broker, which must
 * PASS with its own rules and FAIL, naming the attempt, with one rule too broad.
 */
const targets = (over: Partial<AttemptTargets> = {}): AttemptTargets => ({
  me: 'acct-000001',
  seq: 7,
  victim: 'acct-000002',
  victimDevice: 'cam-0000009',
  otherTenant: 'acct-000003',
  lostDevice: undefined,
  forged: () => Buffer.from('forged'),
  round: 0,
  ...over,
});

describe('attempt plans', () => {
  it('every kind is one connection under the attacker\'s own credentials, with its own target', () => {
    for (const kind of attemptKinds) {
      const plan = planAttempt(kind, targets());
      expect(plan.kind).toBe(kind);
      expect(plan.target.length).toBeGreaterThan(0);
      if (kind !== 'wildcard-username') expect(plan.username).toBe('acct-000001');
    }
  });

  it('aims at the victim, the camera it lost, and other tenants\' sessions', () => {
    expect(planAttempt('subscribe-other-account', targets()).subscribe?.filters).toEqual(['accounts/acct-000002/#']);
    expect(planAttempt('publish-forged', targets()).publish).toMatchObject({ topic: 'devices/cam-0000009/events', payload: Buffer.from('forged') });
    expect(planAttempt('takeover-client-id', targets())).toMatchObject({ clientId: 'acct-000002~v1', clean: false });
    expect(planAttempt('will-foreign', targets())).toMatchObject({ will: { topic: 'accounts/acct-000002/events' }, abrupt: true });
    expect(planAttempt('will-foreign', targets({ round: 1 })).will?.topic).toBe('devices/cam-0000009/events');
    expect(planAttempt('retained-after-transfer', targets()).target).toBe('devices/cam-0000009/events');
    expect(planAttempt('retained-after-transfer', targets({ lostDevice: 'cam-0000004' })).target).toBe('devices/cam-0000004/events');
    expect(planAttempt('persistent-after-transfer', targets())).toMatchObject({ clientId: persistentClientId('acct-000001'), clean: false, subscribe: { qos: 1 } });
    expect(planAttempt('takeover-persistent', targets())).toMatchObject({ clientId: 'acct-000003~vp', clean: false });
    // `+` one round, `#` the next
    expect([0, 1].map((round) => planAttempt('wildcard-client-id', targets({ round })).clientId)).toEqual(['+', '#']);
    expect([0, 1].map((round) => planAttempt('wildcard-username', targets({ round })).username)).toEqual(['+', '#']);
  });
});

describe('the weakened rules (positive controls): exactly one rule too broad', () => {
  const viewer = { role: 'viewer' as const, id: 'acct-000001' };
  it('embedded: weakened-read opens other accounts\' topics to a viewer, nothing else', () => {
    expect(canSubscribe(viewer, 'accounts/+/events')).toBe(false);
    expect(canSubscribe(viewer, 'accounts/+/events', 'weakened-read')).toBe(true);
    expect(canSubscribe(viewer, 'accounts/acct-000002/#', 'weakened-read')).toBe(true);
    for (const filter of ['#', '+/+/+', 'devices/+/events', '$SYS/#', '$share/g/accounts/+/events']) expect(canSubscribe(viewer, filter, 'weakened-read'), filter).toBe(false);
    expect(canPublish(viewer, 'devices/cam-0000001/events', 'weakened-read')).toBe(false);
  });

  it('embedded: weakened-publish lets a viewer publish as any camera, nothing else', () => {
    expect(canPublish(viewer, 'devices/cam-0000001/events')).toBe(false);
    expect(canPublish(viewer, 'devices/cam-0000001/events', 'weakened-publish')).toBe(true);
    expect(canPublish(viewer, 'accounts/acct-000002/events', 'weakened-publish')).toBe(false);
    expect(canSubscribe(viewer, 'accounts/+/events', 'weakened-publish')).toBe(false);
  });

  it('Mosquitto: --weaken changes one line of the generated ACL', () => {
    const lines = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    const strict = lines(mosquittoAclFile());
    for (const [rule, line] of [['read', 'pattern read accounts/#'], ['publish', 'pattern write devices/#']] as const) {
      const weak = lines(mosquittoAclFile(rule));
      expect(weak.filter((l) => !strict.includes(l))).toEqual([line]);
      expect(strict.filter((l) => !weak.includes(l))).toHaveLength(1);
    }
  });
});

const scenario = (patch: Record<string, unknown> = {}): Scenario =>
  validateScenarioObject(
    {
      name: 'hostile-unit',
      clock: 'virtual',
      duration: '20s',
      drain: '2s',
      fleet: { devices: 60, eventInterval: '1s' },
      timeline: [{ at: '8s', transfer: { share: 0.2 } }],
      hostile: { attackers: 2, rounds: ['3s', '10s'], listen: '2s' },
      ...patch,
    },
    'test',
  );

describe('the oracle over hostile attempts (from the history alone)', () => {
  const judge = (ops: HistoryOp[]) => {
    const checker = new HistoryChecker(scenario(), 500);
    for (const op of ops) checker.apply(op);
    checker.apply({ op: 'end', t: 20_000, interrupted: false });
    return { checker, facts: checker.facts() };
  };
  const base = { attempt: 1, kind: 'subscribe-accounts', target: 'accounts/+/events', clientId: 'acct-000001~vh1', topic: 'accounts/acct-000002/events' };

  it('media of a camera the attacker\'s account owned when it was published is harmless; any other is a leak blamed on the broker', () => {
    const checker = new HistoryChecker(scenario(), 500);
    const { registry } = checker;
    const own = registry.deviceIds.findIndex((_, d) => registry.initialOwnerIndex(d) === 0);
    const foreign = registry.deviceIds.findIndex((_, d) => registry.initialOwnerIndex(d) !== 0);
    const { facts, checker: judged } = judge([
      { op: 'attack-receipt', t: 3100, ...base, acct: 0, ev: 5, dev: registry.deviceIds[own], publishedAt: 3000 },
      { op: 'attack-receipt', t: 3200, ...base, acct: 0, ev: 6, dev: registry.deviceIds[foreign], publishedAt: 3100 },
      { op: 'attack-receipt', t: 3300, ...base, acct: 0, topic: '$SYS/broker/uptime', notMedia: true },
      { op: 'attempt', t: 5000, startedAt: 3000, id: 1, kind: 'subscribe-accounts', acct: 0, clientId: base.clientId, target: base.target, answer: 'accepted' },
      { op: 'attempt', t: 5020, startedAt: 3020, id: 2, kind: 'subscribe-all', acct: 0, clientId: 'acct-000001~vh2', target: '#', answer: 'suback-refused' },
      { op: 'attempt', t: 5040, startedAt: 3040, id: 3, kind: 'wildcard-username', acct: 0, clientId: 'acct-000001~vh3', target: '+', answer: 'refused-connect' },
      { op: 'attempt', t: 5060, startedAt: 3060, id: 4, kind: 'will-foreign', acct: 0, clientId: 'acct-000001~vh4', target: 'accounts/acct-000002/events', answer: 'accepted' },
      { op: 'attempt', t: 5080, startedAt: 3080, id: 5, kind: 'subscribe-sys', acct: 0, clientId: 'acct-000001~vh5', target: '$SYS/#', answer: 'unreachable' },
    ]);
    expect(facts.violationCount).toBe(1);
    const [v] = judged.oracle.violations;
    expect(v).toMatchObject({ kind: 'hostile-leak', eventId: 6, receivedBy: 'acct-000001', attempt: { id: 1, kind: 'subscribe-accounts', topic: 'accounts/acct-000002/events', broker: 'embedded' } });
    expect(v.blame?.class).toBe('broker');
    expect(v.blame?.reason).toContain('hostile attempt 1 (subscribe-accounts accounts/+/events');
    expect(facts.hostile).toMatchObject({ tried: 5, refused: 2, acceptedHarmless: 1, leaked: 1, unreachable: 1, notMedia: 1 });
    expect(facts.hostile?.byKind['subscribe-accounts']).toMatchObject({ tried: 1, leaked: 1 });
    expect(facts.hostile?.leakedAttempts).toEqual([{ id: 1, kind: 'subscribe-accounts', target: 'accounts/+/events', clientId: base.clientId, leaks: 1 }]);
  });

  it('one violation per event and attempt, however many times the attempt received it; its tally counts every receipt', () => {
    const checker = new HistoryChecker(scenario(), 500);
    const { registry } = checker;
    const foreign = registry.deviceIds.findIndex((_, d) => registry.initialOwnerIndex(d) !== 0);
    const receipt = { ...base, acct: 0, ev: 6, dev: registry.deviceIds[foreign], publishedAt: 3100 };
    const { facts } = judge([
      { op: 'attack-receipt', t: 3200, ...receipt },
      // the same event again, on the camera's own topic (a filter such as `#` matches both)
      { op: 'attack-receipt', t: 3201, ...receipt, topic: `devices/${registry.deviceIds[foreign]}/events` },
      { op: 'attack-receipt', t: 3300, ...base, acct: 0, ev: 7, dev: registry.deviceIds[foreign], publishedAt: 3200 },
      { op: 'attempt', t: 5000, startedAt: 3000, id: 1, kind: 'subscribe-accounts', acct: 0, clientId: base.clientId, target: base.target, answer: 'accepted' },
    ]);
    expect(facts.violationCount).toBe(2);
    expect(facts.hostile?.leakedAttempts).toMatchObject([{ id: 1, leaks: 3 }]);
  });

  it('judges by the owner when the event was published: after a transfer, the old owner\'s earlier media is still its own', () => {
    const checker = new HistoryChecker(scenario(), 500);
    const device = checker.registry.deviceIds.findIndex((_, d) => checker.registry.initialOwnerIndex(d) === 0);
    const dev = checker.registry.deviceIds[device];
    const { facts } = judge([
      { op: 'transfer', t: 8000, moves: [[device, 1]] },
      // queued before the transfer, received after it: the attacker's own
      { op: 'attack-receipt', t: 10_100, ...base, kind: 'persistent-after-transfer', acct: 0, ev: 1, dev, publishedAt: 7900 },
      // published after it: the new owner's
      { op: 'attack-receipt', t: 10_200, ...base, kind: 'retained-after-transfer', acct: 0, ev: 2, dev, publishedAt: 8100 },
    ]);
    expect(facts.violationCount).toBe(1);
    expect(facts.headline.hostileLeaks).toBe(1);
  });

  it('a retained snapshot replayed after a transfer is counted, and is a leak if it reaches the new owner', () => {
    const checker = new HistoryChecker(scenario(), 500);
    const device = checker.registry.deviceIds.findIndex((_, d) => checker.registry.initialOwnerIndex(d) === 0);
    const dev = checker.registry.deviceIds[device];
    const { facts } = judge([
      { op: 'publish', t: 1000, ev: 0, dev: device, sent: true, serviceReady: true },
      { op: 'service-received', t: 1001, ev: 0 },
      { op: 'transfer', t: 8000, moves: [[device, 1]] },
      { op: 'service-received', t: 9000, ev: 0, retained: true },
      // the old owner's snapshot, routed to the new owner
      { op: 'route', t: 9001, ev: 0, acct: 1, src: 'cache', cacheOps: [] },
      { op: 'thumbnail', t: 9002, acct: 1, viewer: 'acct-000002~v1', ev: 0, dev, publishedAt: 1000 },
    ]);
    expect(facts.hostile?.retained).toEqual({ replayed: 1, acrossTransfer: 1 });
    expect(facts.violationCount).toBe(1);
    expect(facts.headline.foreignDeliveries).toBe(1);
  });

  it('forged media a viewer received names the attempt that forged it, even when the attempt is recorded later', () => {
    const { facts, checker } = judge([
      { op: 'thumbnail', t: 3500, acct: 1, viewer: 'acct-000002~v1', bad: 'bad-mac', forgedBy: 9 },
      { op: 'attempt', t: 5000, startedAt: 3000, id: 9, kind: 'publish-forged', acct: 0, clientId: 'acct-000001~vh9', target: 'devices/cam-0000009/events', answer: 'accepted' },
    ]);
    expect(facts.violationCount).toBe(1);
    const [v] = checker.oracle.violations;
    expect(v).toMatchObject({ kind: 'corrupt-media', attempt: { id: 9, kind: 'publish-forged', clientId: 'acct-000001~vh9' } });
    expect(v.blame).toMatchObject({ class: 'broker' });
    expect(facts.hostile).toMatchObject({ tried: 1, leaked: 1, acceptedHarmless: 0 });
  });

  it('counts every delivery of an attempt, including those after the attempt was recorded', () => {
    const { facts } = judge([
      { op: 'attempt', t: 3000, startedAt: 3000, id: 9, kind: 'publish-forged', acct: 0, clientId: 'acct-000001~vh9', target: 'devices/cam-0000009/events', answer: 'accepted' },
      { op: 'thumbnail', t: 3500, acct: 1, viewer: 'acct-000002~v1', bad: 'bad-mac', forgedBy: 9 },
      { op: 'thumbnail', t: 3600, acct: 1, viewer: 'acct-000002~v2', bad: 'bad-mac', forgedBy: 9 },
    ]);
    expect(facts.hostile).toMatchObject({ tried: 1, leaked: 1, acceptedHarmless: 0 });
    expect(facts.hostile?.leakedAttempts).toMatchObject([{ id: 9, leaks: 2 }]);
  });
});

describe('hostile tenants on the embedded broker (virtual clock)', () => {
  it('PASS with its rules: every attempt answered, none leaked; the answers are the ones its rules give', async () => {
    const run = await runScenario(scenario());
    expect(run.summary.reasons).toEqual([]);
    expect(run.summary.verdict).toBe('PASS');
    const h = run.summary.hostile!;
    expect(h.tried).toBe(2 * 2 * attemptKinds.length);
    expect(h.leaked).toBe(0);
    expect(run.summary.checks.find((c) => c.name === 'hostile')?.detail).toMatch(/^attempts on embedded: tried 60, refused \d+, accepted-harmless \d+, leaked 0/);
    // refused where aedes can say so: at CONNECT (client id bound to the credentials), SUBACK 0x80, a PUBLISH that closes the link
    for (const kind of ['wildcard-username', 'takeover-client-id', 'takeover-persistent', 'wildcard-client-id', 'subscribe-all', 'subscribe-sys', 'subscribe-shared', 'publish-forged']) {
      expect(h.byKind[kind], kind).toMatchObject({ tried: 4, refused: 4 });
    }
    // accepted, and harmless: its own persistent session; a will that aedes' authorizePublish refuses when it falls due
    expect(h.byKind['persistent-after-transfer']).toMatchObject({ acceptedHarmless: 4 });
    expect(h.byKind['will-foreign']).toMatchObject({ acceptedHarmless: 4 });
    // every report lists each kind's tally as a row of its own, in a stable order
    const rows = checkRows(run.summary).filter((r) => r.name.startsWith('hostile '));
    expect(rows.map((r) => r.name)).toEqual([...attemptKinds].sort().map((k) => `hostile ${k}`));
    expect(rows.find((r) => r.name === 'hostile subscribe-all')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^tried 4, refused 4, accepted-harmless 0, leaked 0$/) });
    expect(run.summary.headline.corruptMedia).toBe(0);
  });

  it('retained snapshots are replayed to the service after an outage, across the transfer, and routed to the owner at publishing', async () => {
    const run = await runScenario(
      scenario({
        fleet: { devices: 60, eventInterval: '1s', retainSnapshots: true },
        timeline: [
          { at: '6s', transfer: { share: 0.3 } },
          { at: '9s', fault: 'broker-outage', duration: '2s' },
        ],
      }),
    );
    expect(run.summary.reasons).toEqual([]);
    expect(run.summary.verdict).toBe('PASS');
    expect(run.summary.hostile?.retained?.replayed).toBe(60);
    expect(run.summary.hostile?.retained?.acrossTransfer).toBeGreaterThan(0);
  });

  it('FAIL with one rule too broad, naming the attempt that leaked (weakened-read, weakened-publish)', async () => {
    const read = await runScenario(scenario({ broker: { acl: 'weakened-read' } }));
    expect(read.summary.verdict).toBe('FAIL');
    expect(read.summary.hostile?.byKind['subscribe-accounts'].leaked).toBe(4);
    expect(read.summary.checks.find((c) => c.name === 'hostile')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/attempt \d+ subscribe-accounts accounts\/\+\/events \(client id acct-\d+~vh\d+\): \d+ leaked/) });
    expect(read.summary.violations[0]).toMatchObject({ kind: 'hostile-leak', blame: { class: 'broker' } });

    const publish = await runScenario(scenario({ broker: { acl: 'weakened-publish' } }));
    expect(publish.summary.verdict).toBe('FAIL');
    expect(publish.summary.hostile?.byKind['publish-forged'].leaked).toBeGreaterThan(0);
    expect(publish.summary.violations[0]).toMatchObject({ kind: 'corrupt-media', attempt: { kind: 'publish-forged' }, blame: { class: 'broker' } });
    // a will is a publish too: aedes asks authorizePublish when it falls due, so the weakened rule lets the camera-topic one through
    expect(publish.summary.hostile?.byKind['will-foreign'].leaked).toBeGreaterThan(0);
  });

  it('is repeatable on the virtual clock: the same seed gives the same history, attempts and all', async () => {
    const [a, b] = [await runScenario(scenario()), await runScenario(scenario())];
    expect(a.summary.history?.sha256).toBe(b.summary.history?.sha256);
    expect(a.summary.hostile).toEqual(b.summary.hostile);
  });

  it('refuses a weakened rule for a broker it does not own, and rounds past the end', () => {
    expect(() => scenario({ broker: { url: 'mqtt://127.0.0.1:1884', acl: 'weakened-read' }, clock: 'real' })).toThrow(/broker\.acl.*broker-config mosquitto --weaken/s);
    expect(() => scenario({ hostile: { rounds: ['19s'], listen: '2s' } })).toThrow(/hostile\.rounds\[0\].*ends after the run/s);
  });
});
