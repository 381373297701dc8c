import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canPublish, canSubscribe, topicAcl } from '../src/broker/acl.ts';
import { castOf } from '../src/fuzz/fuzz-cast.ts';
import { fuzz } from '../src/fuzz/fuzz-search.ts';
import { embeddedTarget, type FuzzTarget } from '../src/fuzz/fuzz-target.ts';
import { fromRegressionFile, readRegressionDir } from '../src/fuzz/regression-case.ts';
import { runCase } from '../src/fuzz/run-case.ts';

// Every shipped fuzz regression case (the aedes advisories: wills, $SYS, retained via #; and what
// `crosswire fuzz` found in the embedded broker) replayed over loopback TCP: none may find anything.
const DIR = fileURLToPath(new URL('fixtures/fuzz-regressions/', import.meta.url));
const cases = await readRegressionDir(DIR);
const fleet = cases[0].file.fleet;
const cast = castOf(cases[0].file.seed, fleet, '');
let target: FuzzTarget;

beforeAll(async () => {
  target = await embeddedTarget(cast, { transport: 'tcp' });
});
afterAll(() => target.close());

describe('fuzz regression cases', () => {
  it('ships the advisory cases', () => {
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining(['will-on-victim-account.json', 'sys-subscribe-and-publish.json', 'retained-via-hash.json']));
    for (const c of cases) expect([c.file.seed, c.file.fleet]).toEqual([cases[0].file.seed, fleet]);
  });

  // proves: each case, replayed byte for byte, gives no crash, hang, bypass or kept connection the spec says close
  it.each(cases.map((c) => [c.name, c] as const))('%s is clean', async (_name, { file }) => {
    expect(await runCase(target, cast, fromRegressionFile(file), 0)).toEqual([]);
  });

  // proves: the advisory cases have teeth — with an ACL that lets cameras publish anywhere and viewers
  // subscribe to `#`, the will and the retained message reach the victim's and the attacker's inboxes
  it('the advisory cases catch a broker whose ACL lets them through', async () => {
    const leaky = await embeddedTarget(cast, {
      transport: 'tcp',
      acl: {
        ...topicAcl,
        canPublish: (p, topic) => canPublish(p, topic) || (p.role === 'camera' && topic.startsWith('accounts/')),
        canSubscribe: (p, filter) => canSubscribe(p, filter) || filter === '#',
      },
    });
    try {
      const replay = async (name: string) => runCase(leaky, cast, fromRegressionFile(cases.find((c) => c.name === name)!.file), 1);
      const will = await replay('will-on-victim-account.json');
      expect(will.map((f) => f.kind)).toContain('bypass');
      expect(will.some((f) => f.what.includes('victim viewer received'))).toBe(true);
      const retained = await replay('retained-via-hash.json');
      expect(retained.some((f) => f.kind === 'bypass' && f.what.includes('SUBACK granted QoS 0 for "#"'))).toBe(true);
    } finally {
      await leaky.close();
    }
  });

  // proves: the fuzzer itself runs clean against the shipped configuration for a short CI budget
  it('a 3-second fuzz run finds nothing', async () => {
    const outcome = await fuzz({ target, cast, seed: 7, budgetMs: 3_000, shrinkBudgetMs: 3_000 });
    expect(outcome.found?.minimalFindings).toBeUndefined();
    expect(outcome.counts).toEqual({ crash: 0, hang: 0, bypass: 0, spec: 0 });
    expect(outcome.cases).toBeGreaterThan(30);
  }, 20_000);
});
