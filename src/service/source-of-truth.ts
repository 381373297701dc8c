import type { Clock } from '../clock/clock.ts';
import type { OwnershipRecord, Registry } from '../registry/registry.ts';

/**
 * The service's database of who owns what. It answers from the Registry, but only after a
 * configurable latency, so that a cold cache after an outage really hurts.
 */
export class SourceOfTruth {
  private readonly registry: Registry;
  private readonly clock: Clock;
  private readonly latency: number;
  lookups = 0;

  constructor(registry: Registry, clock: Clock, latency: number) {
    this.registry = registry;
    this.clock = clock;
    this.latency = latency;
  }

  /** Ownership in force at scenario time t (default: now). */
  async lookup(deviceId: string, t?: number): Promise<OwnershipRecord | undefined> {
    this.lookups++;
    if (this.latency > 0) await this.clock.sleep(this.latency);
    return this.registry.recordAt(deviceId, t ?? this.clock.now());
  }
}
