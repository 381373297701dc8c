import type { FleetHooks } from '../fleet/fleet-context.ts';

/** Test hooks on top of the fleet's: see how the service routed each event. */
export interface WorldHooks extends FleetHooks {
  onRouted?(eventId: number, accountId: string, cacheOps: number[]): void;
}
