import type { Clock } from '../clock/clock.ts';
import type { FaultKinds } from '../faults/fault-kind.ts';
import { faultKinds } from '../faults/fault-kinds.ts';
import type { Fault, FaultTargets } from '../faults/fault.ts';
import type { FaultWindow } from '../history/fault-window.ts';
import type { TransferRecord } from '../report/summary.ts';
import { createRng } from '../rng/seeded-rng.ts';
import { bounded } from '../cache/adapter-guard.ts';
import type { Scenario, TransferStep } from '../scenario/schema.ts';
import type { World } from './world.ts';

/** How long an adapter's flush() may take before the fault fails (adapter code is bounded). */
const FLUSH_LIMIT_MS = 10_000;

/** Throws, before a run builds anything, when its timeline names a kind it was not given. */
export function checkFaultKinds(scenario: Scenario, kinds: FaultKinds = faultKinds): void {
  for (const step of scenario.timeline) {
    if ('fault' in step && !kinds.has(step.fault)) throw new Error(`fault ${step.fault} is not among this run's fault kinds (RunOptions.faultKinds)`);
  }
}

/**
 * Schedules the timeline on the clock: each fault's inject and heal, each ownership transfer.
 * Heals not yet run are run by healAll(), which the runner always calls at the end.
 */
export class TimelineDriver {
  readonly windows: FaultWindow[] = [];
  readonly transfers: TransferRecord[] = [];
  private readonly active = new Map<FaultWindow, Fault>();
  /** A heal waits for its inject to finish (a broker restart's stop is asynchronous). */
  private readonly injecting = new Map<FaultWindow, Promise<void>>();
  private readonly clock: Clock;
  private readonly targets: FaultTargets;
  private readonly world: World;
  private readonly kinds: FaultKinds;
  readonly errors: string[] = [];

  /** `kinds`: the fault kinds the scenario was validated against. */
  constructor(clock: Clock, world: World, kinds: FaultKinds = faultKinds) {
    this.clock = clock;
    this.world = world;
    this.kinds = kinds;
    this.targets = {
      broker: world.broker,
      storm: {
        outageBegan: (fault, now, devices) =>
          world.history.record({ op: 'outage-began', t: Math.round(now), fault, ...(devices && { devices: [...devices] }) }),
        outageEnded: (now) => world.history.record({ op: 'outage-ended', t: Math.round(now), rt: world.history.realTime() }),
      },
      cacheProxy: world.cacheNetwork?.proxy,
      cacheServer: world.cacheNetwork?.server,
      flushCache: async () => {
        const server = world.cacheNetwork?.server;
        if (server) return server.flush();
        const flush = world.adapter.flush;
        if (typeof flush === 'function') return bounded(() => flush.call(world.adapter), FLUSH_LIMIT_MS, `${world.adapterName}: flush()`, 'cache-flush');
        throw new Error(`cache adapter ${world.adapter.id} has no flush() and no private server to flush`);
      },
      service: world.service,
      fleet: world.registry,
      seed: world.fleet.seed,
      now: () => clock.now(),
      toRealMs: (ms) => clock.toRealMs(ms),
      every: (everyMs, tick) => {
        let stopped = false;
        const target = {
          onTimer: () => {
            if (stopped) return;
            tick();
            clock.after(everyMs, target, 0);
          },
        };
        clock.after(everyMs, target, 0);
        return () => {
          stopped = true;
        };
      },
      after: (delayMs, run) => {
        const entry = clock.after(delayMs, { onTimer: run }, 0);
        return () => clock.cancel(entry);
      },
    };
  }

  schedule(scenario: Scenario): void {
    scenario.timeline.forEach((step, i) => {
      if ('fault' in step) {
        const fault = this.kinds.get(step.fault)!.create(step, i); // checkFaultKinds ran before the world was built
        const length = 'duration' in step ? step.duration : 0;
        const window: FaultWindow = {
          id: fault.id,
          description: fault.describe(),
          scheduledAt: step.at,
          scheduledHealAt: step.at + length,
        };
        this.windows.push(window);
        this.world.history.record({ op: 'fault-scheduled', t: 0, window: this.windows.length - 1, ...window });
        this.clock.at(step.at, { onTimer: () => void this.injecting.set(window, this.inject(window, fault)) }, 0);
        this.clock.at(step.at + length, { onTimer: () => void this.heal(window) }, 0);
      } else {
        this.clock.at(step.at, { onTimer: () => this.transfer(step.transfer, scenario.seed, i) }, 0);
      }
    });
  }

  async healAll(): Promise<void> {
    for (const window of [...this.active.keys()]) await this.heal(window);
  }

  private async inject(window: FaultWindow, fault: Fault): Promise<void> {
    try {
      this.active.set(window, fault);
      window.injectedAt = Math.round(this.clock.now());
      await fault.inject(this.targets);
      window.effect = fault.effect?.();
      this.record('fault-injected', window, window.injectedAt);
    } catch (error) {
      this.errors.push(`${fault.id} inject: ${(error as Error).message}`);
    }
  }

  private async heal(window: FaultWindow): Promise<void> {
    const fault = this.active.get(window);
    if (fault === undefined) return;
    this.active.delete(window);
    await this.injecting.get(window);
    try {
      await fault.heal(this.targets);
      window.healedAt = Math.round(this.clock.now());
      window.effect = fault.effect?.() ?? window.effect;
      this.record('fault-healed', window, window.healedAt);
    } catch (error) {
      this.errors.push(`${fault.id} heal: ${(error as Error).message}`);
    }
  }

  private record(op: 'fault-injected' | 'fault-healed', window: FaultWindow, t: number): void {
    this.world.history.record({ op, t, window: this.windows.indexOf(window), effect: window.effect });
  }

  /**
   * A seeded share of devices moves to other accounts (to one of `to`, when given; a device
   * already owned by the only target stays); the service is told, as its DB would.
   */
  private transfer({ share, to: targets }: TransferStep['transfer'], seed: number, stepIndex: number): void {
    const { registry, resolver } = this.world;
    const rng = createRng(seed, `transfer:${stepIndex}`);
    const now = Math.floor(this.clock.now()) + 1; // see Camera.motion: strictly after any stamped event
    const moves: [number, number][] = [];
    if (registry.accountCount < 2) return;
    const chosen = targets?.map((id) => registry.indexOfAccountNamed(id)).filter((a) => a !== undefined);
    for (let d = 0; d < registry.deviceCount; d++) {
      if (!rng.chance(share)) continue;
      const from = registry.ownerIndexAt(d, now);
      let to: number;
      if (chosen) {
        const others = chosen.filter((a) => a !== from);
        if (others.length === 0) continue;
        to = rng.pick(others);
      } else {
        to = rng.int(0, registry.accountCount - 2);
        if (to >= from) to++;
      }
      registry.transfer(d, to, now);
      // every shard knows the move (the truth); the instance that serves the camera invalidates its key
      if (this.world.shard?.slice.ownsDevice(d) ?? true) void resolver.invalidate(registry.deviceIds[d]);
      moves.push([d, to]);
    }
    this.world.history.record({ op: 'transfer', t: now, moves });
    this.transfers.push({ at: now, devices: moves.length });
  }
}
