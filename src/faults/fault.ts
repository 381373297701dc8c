import type { Broker } from '../broker/broker.ts';

/** What cache faults need of the chaos proxy (src/chaos/chaos-proxy.ts). */
export interface CacheProxyControl {
  addToxic(spec: { type: string; direction: 'upstream' | 'downstream'; toxicity: number; attributes: Record<string, number> }): string;
  removeToxic(id: string): void;
  resetAll(): number | void;
  setEnabled(enabled: boolean): void | Promise<void>;
}

/** What a restart needs of the private cache server (src/servers/private-server.ts). */
export interface CacheServerControl {
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Drops every entry, the server staying up. */
  flush(): Promise<void>;
}

/** How a fault tells the history that the fleet was cut off and when it was let back (a storm follows). */
export interface StormSignals {
  /** `devices`: only these (registry indexes) were cut off, as in a partition; all when absent. */
  outageBegan(fault: string, now: number, devices?: readonly number[]): void;
  outageEnded(now: number): void;
}

/** What a fault may act on. Cache parts exist only for network caches. */
export interface FaultTargets {
  broker: Broker;
  storm: StormSignals;
  cacheProxy?: CacheProxyControl;
  cacheServer?: CacheServerControl;
  /** Empties the cache under test: its private server, or an in-process adapter's flush(). */
  flushCache(): Promise<void>;
  /** The reference service's push path (the system under test), for a restart. */
  service: { stop(): void; start(): void };
  /** Ids of the fleet, by registry index, for faults that pick a seeded share of it. */
  fleet: { readonly deviceIds: readonly string[]; readonly accountIds: readonly string[]; readonly viewersPerAccount: readonly number[] };
  seed: number;
  now(): number;
  /** Wall-clock milliseconds of a scenario duration (proxy toxics work in real time). */
  toRealMs(scenarioMs: number): number;
  /** Calls back every `everyMs` of scenario time until the returned stop function is called. */
  every(everyMs: number, tick: () => void): () => void;
  /** Calls back once after `delayMs` of scenario time unless the returned cancel function is called first. */
  after(delayMs: number, run: () => void): () => void;
}

/**
 * A nemesis: one module per kind, registered by id. `heal` always runs, at the step's end or
 * at the end of the run, whichever comes first.
 */
export interface Fault {
  readonly id: string;
  describe(): string;
  inject(targets: FaultTargets): void | Promise<void>;
  heal(targets: FaultTargets): void | Promise<void>;
  /** What the injection did, for the report (e.g. how many connections it dropped). */
  effect?(): string | undefined;
}

/** The cache part a fault needs, or a clear error naming the fault (a run-time check for user adapters). */
export function required<T>(part: T | undefined, fault: string, what: string): T {
  if (part === undefined) throw new Error(`${fault} needs ${what}, and this run has none`);
  return part;
}
