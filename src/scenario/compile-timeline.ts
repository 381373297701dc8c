import type { z } from 'zod';
import type { FaultKinds } from '../faults/fault-kind.ts';
import { formatDuration } from '../fields/duration.ts';
import { MAX_STEPS } from './step-schemas.ts';
import type { FlatStepInput, StageInput, StageStepInput, TimelineStep } from './step-schemas.ts';

/**
 * compile → Timeline: a flat list of steps or a list of stages becomes one
 * time-ordered list of steps with absolute `at` and, for faults, the `duration` until heal.
 *
 * Stages run in order: a stage starts `gap` after the previous stage's last heal (the first,
 * `gap` after the run starts); its steps' offsets count from its start. A flat list must already
 * be in time order. Every problem is reported at the field it is about.
 */

export type TimelineInput = FlatStepInput[] | { stages: StageInput[] };
type Path = (string | number)[];

/** Where each compiled step was written (relative to `timeline`), for messages about it later. */
const sources = new WeakMap<TimelineStep, Path>();

/** Lists this module produced: zod still runs later checks when a step was invalid, on the raw input. */
const compiled = new WeakSet<TimelineStep[]>();

export function isCompiled(timeline: unknown): timeline is TimelineStep[] {
  return typeof timeline === 'object' && timeline !== null && compiled.has(timeline as TimelineStep[]);
}

/** `['timeline', 'stages', 1, 'steps', 0]` for a step that came from a stage; undefined for copies. */
export function sourcePathOf(step: TimelineStep): Path | undefined {
  const path = sources.get(step);
  return path && ['timeline', ...path];
}

/** `kinds`: the fault kinds the steps were validated against (each says how long it lasts). */
export function compileTimeline(input: TimelineInput, ctx: z.RefinementCtx, kinds: FaultKinds): TimelineStep[] {
  const out: TimelineStep[] = [];
  const add = (step: FlatStepInput | StageStepInput, at: number, base: number, path: Path) => {
    const resolved = resolveStep(step, at, base, path, ctx, kinds);
    if (resolved === undefined) return undefined;
    sources.set(resolved, path);
    out.push(resolved);
    return resolved;
  };
  if (Array.isArray(input)) {
    input.forEach((step, i) => {
      const previous = input[i - 1];
      if (previous !== undefined && step.at < previous.at) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'at'],
          message: `offsets must not go back in time: ${formatDuration(step.at)} comes after ${formatDuration(previous.at)} (timeline[${i - 1}].at); order the steps by \`at\`, or use stages`,
        });
      }
      add(step, step.at, 0, [i]);
    });
  } else {
    let start = 0;
    input.stages.forEach((stage, s) => {
      start += stage.gap;
      let end = start;
      stage.steps.forEach((step, i) => {
        const resolved = add(step, start + step.at, start, ['stages', s, 'steps', i]);
        if (resolved) end = Math.max(end, resolved.at + ('duration' in resolved ? resolved.duration : 0));
      });
      start = end;
    });
  }
  if (out.length > MAX_STEPS) {
    ctx.addIssue({ code: 'custom', path: ['stages'], message: `expected at most ${MAX_STEPS} steps in all, found ${out.length}` });
  }
  // stable: steps at the same moment keep the order they were written in
  out.sort((a, b) => a.at - b.at);
  compiled.add(out);
  return out;
}

/** A fault's duration from `duration` or `heal` (heal counts from `base`: 0, or the stage's start). */
function resolveStep(step: FlatStepInput | StageStepInput, at: number, base: number, path: Path, ctx: z.RefinementCtx, kinds: FaultKinds): TimelineStep | undefined {
  if (!('fault' in step)) return { ...step, at };
  const lasting = kinds.get(step.fault)!.lasting; // the step's schema came from this kind
  if (lasting === 'instant') return { ...step, at } as TimelineStep;
  const { heal, duration, ...rest } = step as typeof step & { heal?: number; duration?: number };
  const issue = (field: string, message: string) => {
    ctx.addIssue({ code: 'custom', path: [...path, field], message });
    return undefined;
  };
  if (heal !== undefined && duration !== undefined) return issue('heal', 'give either `duration` or `heal`, not both');
  let length = duration ?? 0;
  if (heal !== undefined) {
    const healAt = base + heal;
    if (healAt < at || (healAt === at && lasting === 'window')) {
      return issue('heal', `the ${step.fault} heals at ${formatDuration(healAt)}, ${healAt === at ? 'the moment' : 'before'} it is injected at ${formatDuration(at)}`);
    }
    length = healAt - at;
  } else if (duration === undefined && (lasting === 'window' || lasting === 'window-or-zero')) {
    return issue('duration', `missing, expected a duration (or \`heal\`: when the ${step.fault} heals)`);
  } else if (duration === 0 && lasting === 'window') {
    return issue('duration', `expected a duration > 0, found 0: a ${step.fault} must heal after it is injected`);
  }
  return { ...rest, at, duration: length } as TimelineStep;
}
