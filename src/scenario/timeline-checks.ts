import type { z } from 'zod';
import type { CacheAdapterDefinition } from '../cache/cache-adapter.ts';
import { isCompiled, sourcePathOf } from './compile-timeline.ts';
import { formatDuration } from './duration.ts';
import { stormFaults, type TimelineStep } from './step-schemas.ts';

/**
 * Checks of the compiled timeline against the rest of the scenario: what the cache can take,
 * when events stop, which accounts exist, how big the fleet is. Each problem names the step as
 * it was written (flat list or stage).
 */
export interface TimelineContext {
  timeline: TimelineStep[];
  duration: number;
  drain: number;
  fleet: { devices: number; accounts?: number; devicesPerAccount: { min: number; max: number } };
  cache: { adapter: string; proxy: boolean; url?: string };
  /** The built-in adapter's definition; undefined for a user's module (judged at run time). */
  adapter: CacheAdapterDefinition | undefined;
}

const end = (step: TimelineStep) => step.at + ('duration' in step ? step.duration : 0);

export function checkTimeline(s: TimelineContext, ctx: z.RefinementCtx): void {
  if (!isCompiled(s.timeline)) return; // the timeline itself is invalid: that is reported already
  const pathOf = (step: TimelineStep, i: number) => sourcePathOf(step) ?? ['timeline', i];
  const issue = (step: TimelineStep, i: number, field: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path: [...pathOf(step, i), ...field], message });
  const eventsStop = s.duration - s.drain;
  const { adapter } = s;
  const inProcess = adapter !== undefined && adapter.server === undefined;
  const network = adapter?.server !== undefined;
  // with `accounts`, the count is exact; otherwise at least devices / max devices per account exist
  const accounts = s.fleet.accounts ?? Math.ceil(s.fleet.devices / s.fleet.devicesPerAccount.max);
  const fleetSize = s.fleet.accounts === undefined ? s.fleet.devices : s.fleet.accounts * s.fleet.devicesPerAccount.min;

  s.timeline.forEach((step, i) => {
    if (end(step) > eventsStop) {
      issue(step, i, ['at'], `the step ends at ${formatDuration(end(step))}, after events stop at ${formatDuration(eventsStop)} (duration - drain)`);
    }
    if ('transfer' in step) {
      step.transfer.to?.forEach((id, k) => {
        const n = /^acct-(\d{6})$/.exec(id)?.[1];
        if (n === undefined || Number(n) < 1 || Number(n) > accounts) {
          issue(step, i, ['transfer', 'to', k], `unknown account ${JSON.stringify(id)}: this fleet has acct-000001 … ${accountId(accounts)}${s.fleet.accounts === undefined ? ' for certain (set fleet.accounts to fix the count)' : ''}`);
        }
      });
      return;
    }
    const cacheWhy = cacheProblem(step, s, inProcess, network);
    if (cacheWhy) issue(step, i, ['fault'], `${step.fault} ${cacheWhy}`);
    if ((step.fault === 'partition' || step.fault === 'wave') && step.share === 0) {
      issue(step, i, ['share'], `expected a share > 0, found 0: a ${step.fault} of no device does nothing`);
    }
    if (step.fault === 'wave') {
      if ((step.share === undefined) === (step.devices === undefined)) {
        issue(step, i, step.share === undefined ? [] : ['devices'], `a wave takes either \`share\` (of the cameras) or \`devices\` (a count), ${step.share === undefined ? 'found neither' : 'not both'}`);
      } else if (step.devices !== undefined && step.devices > fleetSize) {
        issue(step, i, ['devices'], `expected at most ${fleetSize} devices (the fleet's size${s.fleet.accounts === undefined ? '' : ' for certain'}), found ${step.devices}`);
      }
    }
  });

  // the storm tracker follows one outage at a time, and a storm inside an outage is no storm
  const storms = s.timeline.map((step, i) => ({ step, i })).filter(({ step }) => 'fault' in step && stormFaults.has(step.fault));
  storms.forEach(({ step, i }, k) => {
    const before = storms.slice(0, k).find(({ step: other }) => end(other) > step.at || (other.at === step.at && end(other) === step.at));
    if (before && 'fault' in step && 'fault' in before.step) {
      const where = pathOf(before.step, before.i).slice(1).map((seg) => (typeof seg === 'number' ? `[${seg}]` : `.${seg}`)).join('');
      issue(step, i, ['at'], `the ${step.fault} at ${formatDuration(step.at)} overlaps the ${before.step.fault} of timeline${where} (${formatDuration(before.step.at)} to ${formatDuration(end(before.step))}): faults the fleet reconnects after must not overlap`);
    }
  });
}

function accountId(n: number): string {
  return `acct-${String(n).padStart(6, '0')}`;
}

/** Why a fault cannot act on this cache, or undefined. */
function cacheProblem(step: Extract<TimelineStep, { fault: string }>, s: TimelineContext, inProcess: boolean, network: boolean): string | undefined {
  const url = s.cache.url !== undefined && network;
  if (step.fault === 'cache-flush') return url ? 'flushes the private server crosswire starts, and cache.url names a server it did not start' : undefined;
  if (step.fault === 'service-restart') {
    return step.coldCache && url ? 'with coldCache flushes the private server crosswire starts, and cache.url names a server it did not start (set coldCache: false)' : undefined;
  }
  if (!step.fault.startsWith('cache-')) return undefined;
  if (inProcess) return `needs a network cache adapter; ${s.cache.adapter} runs in-process`;
  if (!s.cache.proxy && step.fault !== 'cache-restart') return 'acts through the chaos proxy, which cache.proxy: false turns off';
  if (step.fault === 'cache-restart' && s.cache.url !== undefined) return 'restarts the private server crosswire starts, and cache.url names a server it did not start';
  return undefined;
}
