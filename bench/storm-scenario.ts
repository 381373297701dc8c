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
  patch(copy);
  return validateScenarioObject(copy, origin);
}

export interface StormPlan {
  devices: number;
  /** Scenario ms: the fleet is fully connected well before this (ramp ends at 5 s). */
  outageAt: number;
  outageFor: number;
  duration: number;
}

/**
 * Real time on a 1:1 clock. The schedule leaves room for a slow machine: the first connect
 * (ramp 2.5–5 s) must be over before the outage, and the storm must end before the drain.
 * `secondsPer100k` is a conservative guess at how long 100k connects take through the pipeline.
 */
export function planFor(devices: number, secondsPer100k = 12): StormPlan {
  const connectSeconds = Math.ceil((devices / 100_000) * secondsPer100k);
  const outageAt = (8 + 2 * connectSeconds) * 1000;
  const outageFor = 3000;
  const duration = outageAt + outageFor + (6 + 3 * connectSeconds) * 1000 + 5000;
  return { devices, outageAt, outageFor, duration };
}

/**
 * The storm scenario: the default one with N cameras on the memory transport, one outage the
 * whole fleet drops on, and a fixed backoff without jitter (every camera retries every second
 * of scenario time), so when the broker returns the fleet is a true thundering herd and the
 * connect rate is bound by the machine, not by jitter. Events are sparse (mean 10 min per
 * camera) so the storm, not event traffic, dominates; viewers, service, cache and oracle all run.
 * The transfer step is dropped (it is not what is measured) and, because events are sparse,
 * `everyAccountDelivered` is off: the verdict must still be PASS on everything else.
 */
export function stormScenario(plan: StormPlan): Promise<Scenario> {
  return scenarioFromDefault(`bench storm ${plan.devices}`, (s) => {
    s.name = `bench-storm-${plan.devices}`;
    s.timeScale = 1;
    s.duration = plan.duration;
    s.drain = 5000;
    s.fleet.devices = plan.devices;
    s.fleet.transport = 'memory';
    s.fleet.eventInterval = 600_000;
    s.fleet.backoff = { kind: 'fixed', jitter: 'none', base: 1000, cap: 1000, maxAttempts: 0 };
    s.timeline = [{ at: plan.outageAt, fault: 'broker-outage', duration: plan.outageFor }];
    s.checks = { minReconnectShare: 0.99, everyAccountDelivered: false };
  });
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
