import { cacheAdapters } from '../cache/builtin-adapters.ts';
import type { CacheAdapterDefinition } from '../cache/cache-adapter.ts';
import type { FaultKinds } from '../faults/fault-kind.ts';
import { usageError } from '../errors.ts';
import type { ExploreBoundsInput } from '../scenario/explore-schema.ts';
import { transportCapacity, type Scenario } from '../scenario/schema.ts';
import type { DeviceIdShape } from '../registry/identities.ts';

/**
 * The bounds a search draws scenarios from: the explorer's defaults, overlaid by the template
 * scenario's `explore:` section. Every bound is closed; fields no bound names come from the
 * template as they are.
 */
export interface Range {
  min: number;
  max: number;
}

export interface ExploreBounds {
  devices: Range;
  devicesPerAccount: number;
  viewersPerAccount: number;
  duration: Range;
  eventInterval: Range;
  faults: string[];
  steps: Range;
  faultWindow: Range;
  transfers: Range;
  transferShare: Range;
  backoff: ('fixed' | 'exponential')[];
  backoffBase: Range;
  backoffCap: Range;
  ttl: Range;
  identities: DeviceIdShape[];
  keyTemplates: string[];
  options: Record<string, (number | boolean | string)[]>;
  attempts: number;
}

/** Kinds that act on the cache server or the proxy in front of it: only a network adapter has them. */
const SERVER_FAULTS = new Set(['cache-latency', 'cache-outage', 'cache-reset', 'cache-restart', 'cache-slice']);
/** Kinds that touch a server crosswire started: not with a user's `cache.url`. */
const PRIVATE_SERVER_FAULTS = new Set(['cache-restart', 'cache-flush', 'service-restart']);

export const DEFAULT_BOUNDS: Omit<ExploreBounds, 'faults'> = {
  devices: { min: 4, max: 400 },
  devicesPerAccount: 6,
  viewersPerAccount: 2,
  duration: { min: 12_000, max: 40_000 },
  eventInterval: { min: 500, max: 5_000 },
  steps: { min: 1, max: 3 },
  faultWindow: { min: 1_000, max: 12_000 },
  transfers: { min: 0, max: 2 },
  transferShare: { min: 0.01, max: 0.2 },
  backoff: ['fixed', 'exponential'],
  backoffBase: { min: 100, max: 1_000 },
  backoffCap: { min: 1_000, max: 5_000 },
  ttl: { min: 1_000, max: 300_000 },
  identities: ['sequential', 'mac', 'uuid', 'serial'],
  keyTemplates: ['owner:{device}', 'tenant:eu-west-1/owner/{device}'],
  options: {},
  attempts: 2,
};

/**
 * Whether the template's cache talks to a server: a built-in adapter says so by its id; a user's
 * module only once loaded (without its definition, no cache-path fault is assumed).
 */
export function talksToServer(template: Scenario, module?: Pick<CacheAdapterDefinition, 'server'>): boolean {
  return (cacheAdapters.get(template.cache.adapter) ?? module)?.server !== undefined;
}

/** The fault kinds a scenario with this cache can be put under. */
export function applicableFaults(template: Scenario, kinds: FaultKinds, server = talksToServer(template)): string[] {
  return [...kinds.keys()].filter((id) => {
    if (SERVER_FAULTS.has(id) && (!server || !template.cache.proxy)) return false;
    if (PRIVATE_SERVER_FAULTS.has(id) && server && template.cache.url !== undefined) return false;
    return true;
  });
}

export function resolveBounds(template: Scenario, kinds: FaultKinds, origin: string, server = talksToServer(template)): ExploreBounds {
  const given: ExploreBoundsInput = template.explore ?? {};
  const faults = given.faults ?? applicableFaults(template, kinds, server);
  for (const [i, id] of faults.entries()) {
    if (!kinds.has(id)) throw usageError('EXPLORE_BOUNDS_INVALID', `${origin}: explore.faults[${i}]: unknown fault kind ${JSON.stringify(id)} (expected one of: ${[...kinds.keys()].join(', ')})`);
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const bounds: ExploreBounds = { ...DEFAULT_BOUNDS, ...defined, faults };
  const cap = transportCapacity[template.fleet.transport];
  if (bounds.devices.max > cap) bounds.devices = { min: Math.min(bounds.devices.min, cap), max: cap };
  return bounds;
}
