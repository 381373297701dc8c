import type { ClockStall } from '../clock/virtual-clock.ts';
import type { Scenario } from '../scenario/schema.ts';
import { formatByteSize } from '../scenario/limits-schema.ts';

/**
 * The limits a run enforces on itself, and how it says it stopped at one. Each reason is the
 * `completed` check's detail: what was reached, at what scenario time, and how to get past it.
 */

const seconds = (t: number) => `${(t / 1000).toFixed(1)}s`;

/**
 * Timers one virtual instant may fire before the clock is judged stuck. A storm's heal with no
 * jitter puts every camera and app session on one instant, and each may set a few timers there;
 * far beyond that, something reschedules itself with no delay.
 */
export function timersPerInstantCap(scenario: Pick<Scenario, 'fleet'>): number {
  const { fleet } = scenario;
  const devices = fleet.accounts !== undefined ? fleet.accounts * fleet.devicesPerAccount.max : fleet.devices;
  return Math.max(1_000_000, 50 * devices);
}

export function historyCapReason(cap: number, bytes: number, t: number): string {
  const raised = formatByteSize(Math.min(2 * cap, 2 ** 40)).replace(' ', '');
  return (
    `the run was stopped at t=${seconds(t)}: its history grew past the cap of ${formatByteSize(cap)} (limits.historyBytes) to ${bytes} bytes; ` +
    `raise it with --set limits.historyBytes=${raised} (or limits: { historyBytes: ${raised} } in the scenario), or make the run smaller`
  );
}

export function stallReason(stall: ClockStall): string {
  return (
    `the run was stopped at t=${seconds(stall.at)}: the virtual clock fired ${stall.timers} timers at that one instant without time moving on ` +
    `(something reschedules itself with no delay); run it on clock: real to see it unfold in wall-clock time`
  );
}
