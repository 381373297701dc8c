import type { EmbeddedBroker } from '../broker/embedded-broker.ts';
import type { StormTracker } from '../oracle/storm-tracker.ts';

/** What a fault may act on. */
export interface FaultTargets {
  broker: EmbeddedBroker;
  storm: StormTracker;
  now(): number;
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
}

/** A fault as it happened, for the verdict and the report. */
export interface FaultWindow {
  id: string;
  description: string;
  scheduledAt: number;
  scheduledHealAt: number;
  injectedAt?: number;
  healedAt?: number;
  /** What the injection did, e.g. how many connections it dropped. */
  effect?: string;
}
