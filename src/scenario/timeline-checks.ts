import type { z } from 'zod';
import type { CacheAdapterDefinition } from '../cache/cache-adapter.ts';
import type { FaultCheckContext, FaultKinds } from '../faults/fault-kind.ts';
import { isCompiled, sourcePathOf } from './compile-timeline.ts';
import { formatDuration } from '../fields/duration.ts';
import type { TimelineStep } from './step-schemas.ts';

/**
 * Checks of the compiled timeline against the rest of the scenario: when events stop, which
 * accounts exist, each fault kind's own check (what the cache can take, how big the fleet is),
 * and storms that would overlap. Each problem names the step as it was written (flat list or
 * stage).
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

export function checkTimeline(s: TimelineContext, ctx: z.RefinementCtx, kinds: FaultKinds): void {
  if (!isCompiled(s.timeline)) return; // the timeline itself is invalid: that is reported already
  const pathOf = (step: TimelineStep, i: number) => sourcePathOf(step) ?? ['timeline', i];
  const issue = (step: TimelineStep, i: number, field: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path: [...pathOf(step, i), ...field], message });
  const eventsStop = s.duration - s.drain;
  // with `accounts`, the count is exact; otherwise at least devices / max devices per account exist
  const accounts = s.fleet.accounts ?? Math.ceil(s.fleet.devices / s.fleet.devicesPerAccount.max);
  const scene: FaultCheckContext = {
    cache: {
      adapter: s.cache.adapter,
      proxy: s.cache.proxy,
      url: s.cache.url,
      runs: s.adapter === undefined ? undefined : s.adapter.server === undefined ? 'in-process' : 'server',
    },
    fleet: {
      devices: s.fleet.accounts === undefined ? s.fleet.devices : s.fleet.accounts * s.fleet.devicesPerAccount.min,
      atLeast: s.fleet.accounts !== undefined,
    },
  };

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
    const kind = kinds.get(step.fault);
    for (const problem of kind?.check?.(step, scene) ?? []) issue(step, i, problem.path, problem.message);
  });

  // the storm tracker follows one outage at a time, and a storm inside an outage is no storm
  const storms = s.timeline.map((step, i) => ({ step, i })).filter(({ step }) => 'fault' in step && kinds.get(step.fault)?.storms === true);
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
