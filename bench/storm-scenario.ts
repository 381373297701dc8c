import { fileURLToPath } from 'node:url';
import { loadScenarioFile, validateScenarioObject } from '../src/scenario/load-scenario.ts';
import type { Scenario } from '../src/scenario/schema.ts';

export const DEFAULT_SCENARIO_FILE = fileURLToPath(new URL('../scenarios/reconnect-storm.yaml', import.meta.url));

/**
 * The shipped default scenario with `patch` applied, re-validated through the same entry point
 * the CLI uses for objects (validateScenarioObject), so the bench never runs an invalid scenario.
 */
export async function scenarioFromDefault(origin: string, patch: (s: Scenario) => void): Promise<Scenario> {
  const { scenario } = await loadScenarioFile(DEFAULT_SCENARIO_FILE);
  const copy = structuredClone(scenario);
  copy.clock = 'real'; // the bench measures wall-clock rates
  patch(copy);
  return validateScenarioObject(copy, origin);
}

export interface StormPlan {
  devices: number;
  /** Cameras per second the plan assumed (a measured rate, or a conservative default). */
  assumedRate: number;
  /** Scenario ms (= real ms, timeScale 1): the fleet is fully connected well before this. */
  outageAt: number;
  outageFor: number;
  duration: number;
}

/** Assumed when nothing was measured yet: well below what this pipeline does on 2 cores. */
export const DEFAULT_RATE = 2000;

/**
 * The timeline on a 1:1 clock, sized from a connect rate (cameras/s): the first connect (ramp
 * from 2.5 s) must be over before the outage, and the storm over before the drain, with 1.5×
 * and 2× margin on the time N connects take at that rate. A storm that still does not finish
 * shows up as reconnected < dropped, never as a hidden wait.
 */
export function planFor(devices: number, rate = DEFAULT_RATE): StormPlan {
  const assumedRate = Number.isFinite(rate) && rate > 0 ? rate : DEFAULT_RATE;
  const connectMs = (devices / assumedRate) * 1000;
  const outageAt = Math.ceil((5000 + 1.5 * connectMs + 5000) / 1000) * 1000;
  const outageFor = 3000;
  const duration = Math.ceil((outageAt + outageFor + 2 * connectMs + 10_000 + 5000) / 1000) * 1000;
  return { devices, assumedRate, outageAt, outageFor, duration };
}

/**
 * Which herd the storm is:
 * - `cameras`: every camera is cut off from the broker (the `storm` fault: a regional cut) and
 *   healed at once; the service and the app sessions stay connected. N cameras storm, as N raw
 *   clients do in the bare baseline: the like-for-like comparison, and the incident's shape
 *   (devices knocked offline coming back together).
 * - `outage`: the broker itself goes down (`broker-outage`, the default scenario's fault): the
 *   cameras, every app session (with its SUBSCRIBE) and the service reconnect in one herd.
 */
export type StormKind = 'cameras' | 'outage';

/**
 * The storm scenario: the default one with N cameras on the memory transport, one storm of
 * `kind`, and a fixed backoff without jitter (every camera retries every second of scenario
 * time), so when the broker takes them back the fleet is a true thundering herd and the connect
 * rate is bound by the machine, not by jitter. Events are sparse (mean 10 min per camera) so the
 * storm, not event traffic, dominates; each camera still uploads its online snapshot as it comes
 * back, so service, cache lookups, viewers (and their taps) and the oracle all work through it.
 * The transfer step is dropped (it is not what is measured) and, because events are sparse,
 * `everyAccountDelivered` is off: the verdict must still be PASS on everything else.
 */
export function stormScenario(plan: StormPlan, kind: StormKind): Promise<Scenario> {
  return scenarioFromDefault(`bench ${kind} storm ${plan.devices}`, (s) => {
    s.name = `bench-${kind}-storm-${plan.devices}`;
    s.timeScale = 1;
    s.duration = plan.duration;
    s.drain = 5000;
    s.fleet.devices = plan.devices;
    s.fleet.transport = 'memory';
    s.fleet.eventInterval = 600_000;
    s.fleet.backoff = { kind: 'fixed', jitter: 'none', base: 1000, cap: 1000, maxAttempts: 0 };
    s.timeline = [
      kind === 'cameras'
        ? { at: plan.outageAt, fault: 'storm', duration: plan.outageFor }
        : { at: plan.outageAt, fault: 'broker-outage', duration: plan.outageFor },
    ] as Scenario['timeline'];
    s.checks = { minReconnectShare: 0.99, everyAccountDelivered: false, minTransfersTested: 0.5 };
    s.broker.thread = brokerThreadFromEnv();
  });
}

/** BENCH_BROKER_THREAD=inline|worker (default inline, as a scenario runs by default), to compare the two. */
function brokerThreadFromEnv(): Scenario['broker']['thread'] {
  const value = process.env.BENCH_BROKER_THREAD ?? 'inline';
  if (value !== 'inline' && value !== 'worker') throw new Error(`BENCH_BROKER_THREAD must be inline or worker, not ${value}`);
  return value;
}

/**
 * The oracle-share scenario: the default scenario (normal event traffic, taps, ownership
 * transfer, outage and storm) at `devices` cameras, on a 1:1 clock so the machine keeps up.
 */
export function oracleScenario(devices: number): Promise<Scenario> {
  return scenarioFromDefault(`bench oracle ${devices}`, (s) => {
    s.name = `bench-oracle-${devices}`;
    s.timeScale = 1;
    s.duration = 40_000;
    s.drain = 5000;
    s.fleet.devices = devices;
    s.timeline = [
      { at: 12_000, fault: 'broker-outage', duration: 5000 },
      { at: 25_000, transfer: { share: 0.05 } },
    ];
  });
}
