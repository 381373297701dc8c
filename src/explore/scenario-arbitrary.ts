import fc from 'fast-check';
import type { FaultKinds } from '../faults/fault-kind.ts';
import type { ExploreBounds, Range } from './explore-bounds.ts';
import { cloneDraft, type DraftStep, type ScenarioDraft } from './scenario-draft.ts';

/**
 * The search space as a fast-check arbitrary: every draw is a draft within the bounds, laid over
 * the template. A draw can still be an invalid scenario (two storms overlapping, a window that
 * does not fit): the caller validates each with the scenario schema and discards those.
 */

/** Where client-library bugs show: a network adapter draws cache-path faults this many times as often. */
const CACHE_PATH_WEIGHT = 3;
const CACHE_PATH = new Set(['cache-latency', 'cache-reset', 'cache-slice', 'cache-outage', 'cache-restart']);

const round = (ms: number, to: number) => Math.max(to, Math.round(ms / to) * to);
const int = (r: Range) => fc.integer({ min: Math.ceil(r.min), max: Math.floor(r.max) });
// fc.double draws uniformly over representable doubles (mostly tiny ones): a share is an integer in thousandths
const fraction = (min: number, max: number) => fc.integer({ min: Math.round(min * 1000), max: Math.round(max * 1000) }).map((n) => n / 1000);
const unit = fraction(0, 1);

const faultDraw = (bounds: ExploreBounds, kinds: string[]) =>
  fc.record({
    kind: fc.constantFrom(...kinds),
    position: unit,
    window: int(bounds.faultWindow),
    share: fraction(0.05, 1),
    viewers: fc.boolean(),
    latency: fc.integer({ min: 50, max: 2_000 }),
    jitter: unit,
    every: fc.option(fc.integer({ min: 500, max: 5_000 }), { nil: undefined }),
    size: fc.integer({ min: 1, max: 64 }),
    coldCache: fc.boolean(),
  });

type FaultDraw = ReturnType<typeof faultDraw> extends fc.Arbitrary<infer T> ? T : never;

/** `server`: the cache talks to a server, so client-library bugs are in reach of cache-path faults. */
export function scenarioArbitrary(template: ScenarioDraft, bounds: ExploreBounds, kinds: FaultKinds, server: boolean): fc.Arbitrary<ScenarioDraft> {
  const weighted = bounds.faults.flatMap((id) => Array<string>(server && CACHE_PATH.has(id) ? CACHE_PATH_WEIGHT : 1).fill(id));
  const options = Object.fromEntries(Object.entries(bounds.options).map(([name, values]) => [name, fc.constantFrom(...values)]));
  const draws = fc
    .record({
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      devices: int(bounds.devices),
      devicesPerAccount: fc.integer({ min: 1, max: bounds.devicesPerAccount }),
      viewersPerAccount: fc.integer({ min: 1, max: bounds.viewersPerAccount }),
      duration: int(bounds.duration),
      eventInterval: int(bounds.eventInterval),
      backoff: fc.constantFrom(...bounds.backoff),
      backoffBase: int(bounds.backoffBase),
      backoffCap: int(bounds.backoffCap),
      ttl: int(bounds.ttl),
      identity: fc.constantFrom(...bounds.identities),
      keyTemplate: fc.constantFrom(...bounds.keyTemplates),
      options: fc.record(options),
      faults: fc.array(faultDraw(bounds, weighted.length > 0 ? weighted : ['broker-outage']), { minLength: weighted.length > 0 ? bounds.steps.min : 0, maxLength: weighted.length > 0 ? bounds.steps.max : 0 }),
      transfers: fc.array(fc.record({ position: unit, share: fraction(bounds.transferShare.min, bounds.transferShare.max) }), {
        minLength: bounds.transfers.min,
        maxLength: bounds.transfers.max,
      }),
    })
    .map((d) => {
      const draft = cloneDraft(template);
      draft.seed = d.seed;
      draft.duration = round(d.duration, 1000);
      draft.drain = Math.min(draft.drain, round(draft.duration / 5, 500));
      const usable = draft.duration - draft.drain;
      draft.fleet.devices = d.devices;
      draft.fleet.devicesPerAccount = { min: 1, max: d.devicesPerAccount };
      draft.fleet.viewersPerAccount = { min: 1, max: d.viewersPerAccount };
      draft.fleet.eventInterval = round(d.eventInterval, 10);
      const base = round(d.backoffBase, 10);
      draft.fleet.backoff = { ...draft.fleet.backoff, kind: d.backoff, base, cap: Math.max(base, round(d.backoffCap, 100)) };
      draft.identities = { ...draft.identities, devices: d.identity, keyTemplate: d.keyTemplate };
      draft.cache = { ...draft.cache, ttl: round(d.ttl, d.ttl >= 60_000 ? 1000 : 100), options: { ...draft.cache.options, ...d.options } };
      const steps: DraftStep[] = [
        ...d.faults.map((f) => faultStep(f, usable, kinds)),
        ...d.transfers.map((t) => ({ at: round(t.position * usable, 100), transfer: { share: Math.round(t.share * 1000) / 1000 || 0.001 } })),
      ];
      draft.timeline = steps.sort((a, b) => a.at - b.at);
      return draft;
    });
  // fast-check favours edge values (every step at 0, the smallest TTL) in its first draws; a
  // search wants the whole space from the first run
  return fc.noBias(draws);
}

function faultStep(f: FaultDraw, usable: number, kinds: FaultKinds): DraftStep {
  const lasting = kinds.get(f.kind)?.lasting ?? 'window';
  const window = Math.max(100, Math.min(round(f.window, 100), usable - 1000));
  const step: DraftStep = { at: 0, fault: f.kind };
  // storms and instant kinds heal at once: no window
  const lasts = lasting === 'window' || lasting === 'window-or-zero' || (lasting === 'instant-ok' && f.kind !== 'storm');
  if (lasts) step.duration = window;
  step.at = round(f.position * Math.max(0, usable - (lasts ? window : 0) - 100), 100);
  if (f.kind === 'partition') Object.assign(step, { share: Math.round(f.share * 100) / 100, viewers: f.viewers });
  if (f.kind === 'wave') step.share = Math.round(f.share * 100) / 100;
  if (f.kind === 'cache-latency') Object.assign(step, { latency: round(f.latency, 10), jitter: round(f.latency * f.jitter * 0.5, 10) });
  if (f.kind === 'cache-reset' && f.every !== undefined) step.every = round(f.every, 100);
  if (f.kind === 'cache-slice') step.size = f.size;
  if (f.kind === 'service-restart') step.coldCache = f.coldCache;
  return step;
}
