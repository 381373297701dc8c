import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castOf } from '../src/fuzz/fuzz-cast.ts';
import { fuzz } from '../src/fuzz/fuzz-search.ts';
import { embeddedTarget, type FuzzTarget } from '../src/fuzz/fuzz-target.ts';
import { fromRegressionFile, readRegressionDir } from '../src/fuzz/regression-case.ts';
import { runCase } from '../src/fuzz/run-case.ts';

// Every shipped fuzz regression case (the aedes advisories: wills, $SYS, retained via #; and what
// `crosswire fuzz` found in the embedded broker) replayed over loopback TCP: none may find anything.
const DIR = fileURLToPath(new URL('fixtures/fuzz-regressions/', import.meta.url));
const cases = await readRegressionDir(DIR);
// generous bounds: under the parallel unit group a round trip may be slow; a real finding only takes longer to show
const bounds = { roundTripMs: 10_000, closeMs: 10_000 };
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
    expect(await runCase(target, cast, fromRegressionFile(file), 0, bounds)).toEqual([]);
  }, 30_000);

  // proves: the cases have teeth — under a weakened ACL a viewer's will on a camera's topic reaches the
  // service, and a viewer's `accounts/+/…` subscription is granted and delivers the victim's events
  it.each([
    ['weakened-publish', 'viewer-will-on-camera-topic.json', /observing service received "will/],
    ['weakened-read', 'account-wildcard-subscribe.json', /SUBACK granted QoS 0 for "accounts\/\+/],
  ] as const)('under %s, %s finds a bypass', async (acl, name, finding) => {
    const leaky = await embeddedTarget(cast, { transport: 'tcp', acl });
    try {
      const findings = await runCase(leaky, cast, fromRegressionFile(cases.find((c) => c.name === name)!.file), 1);
      expect(findings.some((f) => f.kind === 'bypass' && finding.test(f.what)), JSON.stringify(findings)).toBe(true);
    } finally {
      await leaky.close();
    }
  });

  // proves: the fuzzer itself runs clean against the shipped configuration for a short CI budget
  it('a 3-second fuzz run finds nothing', async () => {
    const outcome = await fuzz({ target, cast, seed: 7, budgetMs: 3_000, shrinkBudgetMs: 3_000, bounds });
    expect(outcome.found?.minimalFindings).toBeUndefined();
    expect(outcome.counts).toEqual({ crash: 0, hang: 0, bypass: 0, spec: 0 });
    expect(outcome.cases).toBeGreaterThan(30);
  }, 40_000);
});
