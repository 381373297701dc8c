import type { FaultWindow } from '../faults/fault.ts';
import type { Scenario } from '../scenario/schema.ts';
import { stormFaults } from '../scenario/step-schemas.ts';
import type { Accounting } from './event-ledger.ts';
import type { StormReport } from './storm-tracker.ts';
import type { CheckResult } from './verdict.ts';
import type { Headline } from './violation.ts';

/** The facts a verdict is a function of. */
export interface RunFacts {
  headline: Headline;
  violationCount: number;
  storms: StormReport[];
  faults: FaultWindow[];
  accounting: Accounting;
  accountsWithoutDeliveries: string[];
  accountCount: number;
  checkerErrors: string[];
  interrupted: boolean;
  /** Why the run stopped itself early (a limit it reached), if it did. */
  stopped?: string;
  /** Scenario ms a message may spend in flight (the checker's allowance everywhere). */
  inFlightWindow: number;
  /** Cache gets answered (hit or miss) between two scenario times. */
  cacheAnsweredBetween(from: number, to: number): number;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/**
 * PASS needs nothing leaked AND proof that the run exercised what it claims: the storm
 * happened, every fault fired and healed, every account got deliveries, every event is
 * accounted for, and no checker failed.
 */
export function evaluateChecks(facts: RunFacts, checks: Scenario['checks']): CheckResult[] {
  const out: CheckResult[] = [];
  const h = facts.headline;
  out.push(
    facts.violationCount === 0
      ? { name: 'isolation', status: 'pass', detail: 'no thumbnail or video reached an account that did not own its camera' }
      : {
          name: 'isolation',
          status: 'fail',
          detail:
            `${h.foreignDeliveries} foreign thumbnail deliveries to ${h.accountsWithForeignThumbnail} accounts, ` +
            `${h.foreignVideos} foreign videos opened by ${h.accountsOpenedForeignVideo} accounts, ` +
            `${h.devicesExposed} devices exposed` +
            (h.corruptMedia > 0 ? `, ${h.corruptMedia} deliveries with a broken watermark` : ''),
        },
  );
  if (facts.checkerErrors.length > 0) {
    out.push({ name: 'checker', status: 'inconclusive', detail: `the checker failed: ${facts.checkerErrors.slice(0, 3).join('; ')}` });
  }
  if (facts.interrupted) out.push({ name: 'completed', status: 'inconclusive', detail: 'the run was interrupted' });
  else if (facts.stopped) out.push({ name: 'completed', status: 'inconclusive', detail: facts.stopped });

  const injected = facts.faults.filter((f) => f.injectedAt !== undefined && f.healedAt !== undefined).length;
  out.push(
    injected === facts.faults.length
      ? { name: 'faults-fired', status: 'pass', detail: `${injected} of ${facts.faults.length} scheduled faults injected and healed` }
      : { name: 'faults-fired', status: 'inconclusive', detail: `only ${injected} of ${facts.faults.length} scheduled faults injected and healed` },
  );

  // outages, restarts, storms and partitions: after each, the fleet (or its cut-off share) storms back
  const outages = facts.faults.filter((f) => stormFaults.has(f.id)).length;
  if (outages > 0) {
    const weak = facts.storms.filter((s) => s.reconnectShare < checks.minReconnectShare);
    const ok = facts.storms.length === outages && weak.length === 0;
    const shares = facts.storms.map((s) => `${s.reconnected}/${s.dropped} (${pct(s.reconnectShare)})`).join(', ');
    out.push({
      name: 'storm',
      status: ok ? 'pass' : 'inconclusive',
      detail: ok
        ? `the fleet came back after every outage: ${shares}`
        : `the storm did not happen as claimed: reconnected ${shares || 'none'}, needed ${pct(checks.minReconnectShare)}`,
    });
  }

  // the storm is what is under test: a cache that answered nothing while it raged proves nothing.
  // The lookups it causes (each camera's snapshot after its reconnect) trail the reconnects by
  // their time in flight, so a herd that is back within a second is judged with that allowance
  const silent = facts.storms.filter(
    (s) => facts.cacheAnsweredBetween(s.restoredAt, s.restoredAt + Math.max(1000, s.timeToReconnect.max) + facts.inFlightWindow) === 0,
  );
  if (facts.storms.length > 0) {
    out.push(
      silent.length === 0
        ? { name: 'cache-exercised', status: 'pass', detail: 'the cache under test answered lookups during every storm' }
        : {
            name: 'cache-exercised',
            status: 'inconclusive',
            detail: `the cache under test answered no lookup during the storm after ${silent.map((s) => `${s.fault} at ${s.outageAt}ms`).join(', ')}: the storm never reached it`,
          },
    );
  }

  if (checks.everyAccountDelivered) {
    const missing = facts.accountsWithoutDeliveries;
    out.push(
      missing.length === 0
        ? { name: 'deliveries', status: 'pass', detail: `all ${facts.accountCount} accounts received their own thumbnails` }
        : {
            name: 'deliveries',
            status: 'inconclusive',
            detail: `${missing.length} of ${facts.accountCount} accounts received none of their own thumbnails (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`,
          },
    );
  }

  const a = facts.accounting;
  const dropped = Object.values(a.dropped).reduce((x, y) => x + y, 0);
  const indeterminate = Object.values(a.indeterminate).reduce((x, y) => x + y, 0);
  const identity = `delivered ${a.delivered} + dropped ${dropped} + indeterminate ${indeterminate} = published ${a.published}`;
  if (a.published === 0) out.push({ name: 'accounting', status: 'inconclusive', detail: 'no event was published' });
  else if (a.gap > 0) {
    out.push({
      name: 'accounting',
      status: 'inconclusive',
      detail: `${a.gap} events on ${a.camerasWithGap} cameras are unaccounted for (${identity} + ${a.gap}); e.g. events ${a.gapExamples.slice(0, 5).join(', ')}`,
    });
  } else out.push({ name: 'accounting', status: 'pass', detail: identity });
  return out;
}
