import { describe, expect, it } from 'vitest';
import { isConfessing } from '../src/cache/cache-adapter.ts';
import { runScenario, type RunResult } from '../src/runner/run-scenario.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { defaultScenario } from './support/default-scenario.ts';

/**
 * Positive controls: every faulty adapter must be caught on the same scenario and seed that
 * the correct adapter passes, and the oracle's count must equal, exactly, the wrong values the
 * adapter itself confesses to having handed out that then reached a viewer.
 */
interface Observed {
  run: RunResult;
  routed: Map<number, { account: string; ops: number[] }>;
  receipts: Set<string>;
}

async function observe(patch: (s: Scenario) => void): Promise<Observed> {
  const routed = new Map<number, { account: string; ops: number[] }>();
  const receipts = new Set<string>();
  const run = await runScenario(await defaultScenario(patch), {
    hooks: {
      onRouted: (eventId, account, ops) => routed.set(eventId, { account, ops }),
      onViewerReceipt: (account, _viewer, eventId) => {
        if (eventId !== undefined) receipts.add(`${eventId}>${account}`);
      },
    },
  });
  return { run, routed, receipts };
}

/** Wrong values that the service acted on for a push which a viewer of the wrong account got. */
function confessionsThatReachedAViewer({ run, routed, receipts }: Observed): { confessions: number; misroutedReceipts: number } {
  const { adapter, registry, checker } = run.world;
  if (!isConfessing(adapter)) throw new Error(`${adapter.id} does not confess`);
  const confessed = new Set(adapter.wrongValues.map((w) => w.opId));
  let confessions = 0;
  let misroutedReceipts = 0;
  for (const [eventId, { account, ops }] of routed) {
    const truth = registry.ownerAt(registry.deviceIds[checker.ledger.device[eventId]], checker.ledger.publishedAt[eventId]);
    if (account === truth || !receipts.has(`${eventId}>${account}`)) continue;
    misroutedReceipts++;
    confessions += ops.filter((op) => confessed.has(op)).length;
  }
  return { confessions, misroutedReceipts };
}

/** A third of the default fleet: every mechanism still shows, in a third of the time. */
const CONTROL_FLEET = 700;

// What the envelope check can see: a value answering another key, not a stale value for this key.
const envelopeCatches: Record<string, boolean> = {
  'faulty:crossed-replies': true,
  'faulty:key-collision': true,
  'faulty:stale-owner': false,
};

describe.each(Object.keys(envelopeCatches))('%s', (adapter) => {
  it('fails, and the oracle counts exactly the confessed wrong values that reached a viewer', async () => {
    const observed = await observe((s) => {
      s.cache.adapter = adapter;
      s.fleet.devices = CONTROL_FLEET;
    });
    const { summary } = observed.run;
    expect(summary.verdict).toBe('FAIL');
    expect(summary.exitCode).toBe(1);
    const { confessions, misroutedReceipts } = confessionsThatReachedAViewer(observed);
    expect(confessions).toBeGreaterThan(0);
    // every leaked delivery is explained by exactly one confessed wrong value…
    expect(confessions).toBe(misroutedReceipts);
    // …and the oracle, which knows nothing of confessions, found exactly those
    expect(summary.headline.foreignDeliveries).toBe(confessions);
    const first = summary.violations.find((v) => v.kind === 'foreign-thumbnail')!;
    expect(first.cacheOps.some((op) => op.adapter === adapter && op.op === 'get')).toBe(true);
    expect(first.trueOwner).not.toBe(first.receivedBy);
  });

  it('with verify: source-of-truth, leaks nothing and counts what it blocked', async () => {
    const { run } = await observe((s) => {
      s.cache.adapter = adapter;
      s.fleet.devices = CONTROL_FLEET;
      s.service.verify = 'source-of-truth';
    });
    expect(run.summary.violationCount).toBe(0);
    expect(run.summary.headline.foreignDeliveries).toBe(0);
    expect(run.summary.blocked.total).toBeGreaterThan(0);
    expect(run.summary.blocked.byLayer['source-of-truth']).toBe(run.summary.blocked.total);
  });

  it(`with verify: envelope, ${envelopeCatches[adapter] ? 'blocks every mixed-up value' : 'still leaks: the value is stale, not crossed'}`, async () => {
    const { run } = await observe((s) => {
      s.cache.adapter = adapter;
      s.fleet.devices = CONTROL_FLEET;
      s.service.verify = 'envelope';
    });
    if (envelopeCatches[adapter]) {
      expect(run.summary.violationCount).toBe(0);
      expect(run.summary.blocked.byLayer.envelope).toBeGreaterThan(0);
    } else {
      expect(run.summary.verdict).toBe('FAIL');
      expect(run.summary.blocked.total).toBe(0);
    }
  });
});
