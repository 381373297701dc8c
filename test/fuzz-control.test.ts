import { describe, expect, it } from 'vitest';
import { castOf } from '../src/fuzz/fuzz-cast.ts';
import { fuzz } from '../src/fuzz/fuzz-search.ts';
import { embeddedTarget } from '../src/fuzz/fuzz-target.ts';

// The oracle must be able to fail: a broker whose ACL lets a viewer subscribe to `accounts/+/…`
// (every account's events: `weakened-read`), or publish on any camera's topic (`weakened-publish`),
// is caught, shrunk and named within the budget; the shipped ACL, same seed and budget, is clean.
const fleet = { devices: 12, devicesPerAccount: { min: 3, max: 3 }, viewersPerAccount: { min: 1, max: 1 } };

describe('fuzz positive control', () => {
  // proves: a planted `accounts/+/…` grant for viewers is found as a bypass and shrunk to a short case
  it('finds a planted ACL bypass and shrinks it', async () => {
    const cast = castOf(11, fleet);
    const target = await embeddedTarget(cast, { transport: 'tcp', acl: 'weakened-read' });
    try {
      const outcome = await fuzz({ target, cast, seed: 11, budgetMs: 20_000, shrinkBudgetMs: 8_000 });
      expect(outcome.found, `no finding in ${outcome.cases} cases`).toBeDefined();
      const found = outcome.found!;
      expect(found.minimalFindings.map((f) => f.kind)).toContain('bypass');
      // the grant of `accounts/+/…` or the victim's event it then delivers
      expect(found.minimalFindings.some((f) => f.kind === 'bypass' && /accounts\/(\+|acct-000001)/.test(f.what))).toBe(true);
      const packets = found.minimal.connections.reduce((n, c) => n + c.plan.packets.length, 0);
      expect(packets).toBeLessThanOrEqual(4);
    } finally {
      await target.close();
    }
  }, 60_000);

  // proves: a viewer allowed to publish on cameras' topics is found: the broker accepted it, the service saw it
  it('finds a planted publish bypass', async () => {
    const cast = castOf(11, fleet);
    const target = await embeddedTarget(cast, { transport: 'tcp', acl: 'weakened-publish' });
    try {
      const outcome = await fuzz({ target, cast, seed: 11, budgetMs: 20_000, shrinkBudgetMs: 8_000 });
      expect(outcome.found, `no finding in ${outcome.cases} cases`).toBeDefined();
      expect(outcome.found!.minimalFindings.some((f) => f.kind === 'bypass' && /devices\//.test(f.what))).toBe(true);
    } finally {
      await target.close();
    }
  }, 60_000);

  // proves: with aedes in a worker thread (no tap of what it accepted), the planted read bypass is
  // still found, from the SUBACK and the deliveries alone, and the strict rules there are clean
  it.each([
    ['weakened-read', true],
    ['strict', false],
  ] as const)('in a worker thread, %s rules: finding %s', async (acl, finds) => {
    const cast = castOf(11, fleet);
    const target = await embeddedTarget(cast, { transport: 'worker', acl });
    try {
      const outcome = await fuzz({ target, cast, seed: 11, budgetMs: finds ? 20_000 : 3_000, shrinkBudgetMs: 5_000 });
      expect(outcome.found !== undefined, JSON.stringify(outcome.found?.minimalFindings)).toBe(finds);
      if (finds) expect(outcome.found!.minimalFindings.map((f) => f.kind)).toContain('bypass');
    } finally {
      await target.close();
    }
  }, 60_000);

  // proves: the shipped ACL on the same seed and a short budget gives no finding at all
  it('the shipped configuration is clean on the same seed', async () => {
    const cast = castOf(11, fleet);
    const target = await embeddedTarget(cast, { transport: 'tcp' });
    try {
      const outcome = await fuzz({ target, cast, seed: 11, budgetMs: 4_000, shrinkBudgetMs: 4_000 });
      expect(outcome.found?.minimalFindings).toBeUndefined();
      expect(outcome.cases).toBeGreaterThan(50);
    } finally {
      await target.close();
    }
  }, 30_000);
});
