import { describe, expect, it } from 'vitest';
import type { AclMode } from '../src/broker/acl.ts';
import { castOf } from '../src/fuzz/fuzz-cast.ts';
import { fuzz, type FuzzOutcome } from '../src/fuzz/fuzz-search.ts';
import { embeddedTarget, type EmbeddedTargetOptions } from '../src/fuzz/fuzz-target.ts';

// The oracle must be able to fail: a broker whose ACL lets a viewer subscribe to `accounts/+/…`
// (every account's events: `weakened-read`), or publish on any camera's topic (`weakened-publish`),
// is caught, shrunk and named within the budget; the shipped ACL, same seed and budget, is clean.
const fleet = { devices: 12, devicesPerAccount: { min: 3, max: 3 }, viewersPerAccount: { min: 1, max: 1 } };

/** Fuzzes the embedded broker of seed 11 under `acl` for `budgetMs`. */
async function fuzzWith(acl: AclMode, transport: EmbeddedTargetOptions['transport'], budgetMs: number): Promise<FuzzOutcome> {
  const cast = castOf(11, fleet);
  const target = await embeddedTarget(cast, { transport, acl });
  try {
    return await fuzz({ target, cast, seed: 11, budgetMs, shrinkBudgetMs: 8_000 });
  } finally {
    await target.close();
  }
}

const bypasses = (outcome: FuzzOutcome) => (outcome.found?.minimalFindings ?? []).filter((f) => f.kind === 'bypass').map((f) => f.what);

describe('fuzz positive control', () => {
  // proves: a planted `accounts/+/…` grant for viewers is found as a bypass and shrunk to a short case
  it('finds a planted ACL bypass and shrinks it', async () => {
    const outcome = await fuzzWith('weakened-read', 'tcp', 20_000);
    expect(outcome.found, `no finding in ${outcome.cases} cases`).toBeDefined();
    // the grant of `accounts/+/…` or the victim's event it then delivers
    expect(bypasses(outcome).some((what) => /accounts\/(\+|acct-000001)/.test(what))).toBe(true);
    expect(outcome.found!.minimal.connections.reduce((n, c) => n + c.plan.packets.length, 0)).toBeLessThanOrEqual(4);
  }, 60_000);

  // proves: a viewer allowed to publish on cameras' topics is found: the broker accepted it, the service saw it
  it('finds a planted publish bypass', async () => {
    const outcome = await fuzzWith('weakened-publish', 'tcp', 20_000);
    expect(bypasses(outcome).some((what) => /devices\//.test(what)), `no bypass in ${outcome.cases} cases`).toBe(true);
  }, 60_000);

  // proves: with aedes in a worker thread (no tap of what it accepted), the planted read bypass is
  // still found, from the SUBACK and the deliveries alone, and the strict rules there are clean
  it.each([
    ['weakened-read', true],
    ['strict', false],
  ] as const)('in a worker thread, %s rules: finding %s', async (acl, finds) => {
    const outcome = await fuzzWith(acl, 'worker', finds ? 20_000 : 3_000);
    expect(outcome.found !== undefined, JSON.stringify(outcome.found?.minimalFindings)).toBe(finds);
    if (finds) expect(bypasses(outcome).length).toBeGreaterThan(0);
  }, 60_000);

  // proves: the shipped ACL on the same seed and a short budget gives no finding at all
  it('the shipped configuration is clean on the same seed', async () => {
    const outcome = await fuzzWith('strict', 'tcp', 4_000);
    expect(outcome.found?.minimalFindings).toBeUndefined();
    expect(outcome.cases).toBeGreaterThan(50);
  }, 30_000);
});
