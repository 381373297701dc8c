import type { FaultWindow } from '../history/fault-window.ts';
import type { Scenario } from '../scenario/schema.ts';
import { stormFaults } from '../faults/fault-kinds.ts';
import type { Accounting } from './event-ledger.ts';
import type { StormReport } from './storm-tracker.ts';
import { tallyLine, type HostileReport } from './hostile-tracker.ts';
import type { CheckResult } from './verdict.ts';
import { blameClasses, type BlameClass, type Headline } from './violation.ts';

/** One transfer step: how many cameras it moved, and how many were then looked up through the cache. */
export interface TransferTest {
  at: number;
  moved: number;
  tested: number;
}

/** The facts a verdict is a function of. */
export interface RunFacts {
  headline: Headline;
  violationCount: number;
  storms: StormReport[];
  faults: FaultWindow[];
  accounting: Accounting;
  /** Accounts that received none of their own thumbnails although the pipeline owed them one. */
  accountsWithoutDeliveries: string[];
  /**
   * Accounts owed nothing: no camera of theirs published an event that was delivered or lost
   * through the pipeline's fault (all theirs went while no viewer of theirs was online, the
   * service was down, or a link closed with them in flight).
   */
  accountsOwedNothing?: number;
  accountCount: number;
  checkerErrors: string[];
  /** How many of the violations kept each class of blame explains. */
  blame: Partial<Record<BlameClass, number>>;
  /** The hostile tenants' attempts, when the scenario had them. */
  hostile?: HostileReport;
  /** Transfer steps and how well the cache was put to them (absent: no transfers recorded). */
  transfersTested?: TransferTest[];
  /** Breaches of the adapter contract: how many, and the first ones. */
  breaches: { count: number; examples: { adapter: string; call: string; detail: string; t: number }[] };
  interrupted: boolean;
  /** Why the run stopped itself early (a limit it reached), if it did. */
  stopped?: string;
  /** Scenario ms a message may spend in flight (the checker's allowance everywhere). */
  inFlightWindow: number;
  /** Cache gets answered (hit or miss) between two scenario times. */
  cacheAnsweredBetween(from: number, to: number): number;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** ` (blame: 3 stale, 1 wrong-key)` for the isolation check, empty when nothing was blamed. */
function blameNote(blame: RunFacts['blame']): string {
  const parts = blameClasses.filter((c) => (blame[c] ?? 0) > 0).map((c) => `${blame[c]} ${c}`);
  return parts.length > 0 ? ` (blame: ${parts.join(', ')})` : '';
}

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
            (h.corruptMedia > 0 ? `, ${h.corruptMedia} deliveries with a broken watermark` : '') +
            ((h.hostileLeaks ?? 0) > 0 ? `, ${h.hostileLeaks} media messages received by hostile tenants` : '') +
            blameNote(facts.blame),
        },
  );
  if (facts.breaches.count > 0) {
    const quoted = facts.breaches.examples.slice(0, 2).map((b) => `${b.adapter} ${b.call}: ${b.detail}`);
    out.push({
      name: 'adapter-contract',
      status: 'fail',
      detail: `${facts.breaches.count} breach${facts.breaches.count === 1 ? '' : 'es'} of the cache adapter contract: ${quoted.join('; ')}${facts.breaches.count > 2 ? '; …' : ''}`,
    });
  }
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
    const idle = facts.accountsOwedNothing ?? 0;
    const expecting = facts.accountCount - idle;
    // an account whose events all went while none of its viewers was online, or were lost in a
    // fault, was owed nothing; one whose lookups failed was
    const note = idle > 0 ? ` (${idle} owed none: no viewer online, or lost in a fault)` : '';
    out.push(
      missing.length === 0
        ? { name: 'deliveries', status: 'pass', detail: `all ${expecting} accounts with events received their own thumbnails${note}` }
        : {
            name: 'deliveries',
            status: 'inconclusive',
            detail: `${missing.length} of ${expecting} accounts with events received none of their own thumbnails (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})${note}`,
          },
    );
  }

  if (facts.hostile !== undefined) out.push(hostileCheck(facts.hostile));

  const transfers = facts.transfersTested ?? [];
  if (transfers.length > 0) out.push(transfersCheck(transfers, checks.minTransfersTested));

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

/**
 * A transfer is tested when the moved camera's owner is looked up through the cache (and the cache
 * answers) after it: only then could a cache that kept the previous owner show it. Transfers that
 * fall where every lookup fails, or after the last event, prove nothing.
 */
function transfersCheck(steps: readonly TransferTest[], minShare: number): CheckResult {
  const moved = steps.reduce((n, s) => n + s.moved, 0);
  const tested = steps.reduce((n, s) => n + s.tested, 0);
  const share = tested / moved;
  const blind = steps.filter((s) => s.tested === 0);
  const perStep = steps.map((s) => `${s.tested}/${s.moved} at ${s.at}ms`).join(', ');
  if (share >= minShare && blind.length === 0) {
    return { name: 'transfers-tested', status: 'pass', detail: `${tested} of ${moved} transferred cameras were looked up through the cache after their transfer (${perStep})` };
  }
  const why = blind.length > 0 ? `no camera of the transfer at ${blind.map((s) => `${s.at}ms`).join(', ')} was looked up through the cache after it` : `needed ${pct(minShare)}`;
  return {
    name: 'transfers-tested',
    status: 'inconclusive',
    detail: `only ${tested} of ${moved} transferred cameras (${pct(share)}) were looked up through the cache after their transfer: ${why} (${perStep})`,
  };
}

/** The hostile tenants got nothing of anyone else's; and at least one attempt reached the broker. */
function hostileCheck(h: HostileReport): CheckResult {
  const r = h.retained;
  const replays = r === undefined ? '' : `; retained snapshots replayed to the service ${r.replayed}, ${r.acrossTransfer} across a transfer`;
  const line = h.tried === 0 ? `no hostile attempts${replays}` : `attempts on ${h.broker}: ${tallyLine(h)}${replays}`;
  if (h.leaked > 0) {
    const named = h.leakedAttempts.slice(0, 3).map((a) => `attempt ${a.id} ${a.kind} ${a.target} (client id ${a.clientId}): ${a.leaks} leaked`);
    return { name: 'hostile', status: 'fail', detail: `${line}; ${named.join('; ')}${h.leakedAttempts.length > 3 ? '; …' : ''}` };
  }
  if (h.tried > 0 && h.tried === h.unreachable) return { name: 'hostile', status: 'inconclusive', detail: `${line}: no attempt reached the broker` };
  return { name: 'hostile', status: 'pass', detail: line };
}
