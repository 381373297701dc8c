import { z } from 'zod';
import type { FaultKind, FaultKinds, Lasting } from '../faults/fault-kind.ts';
import { faultKinds, type BuiltinFaultKind, type BuiltinFaultStep } from '../faults/fault-kinds.ts';
import { duration, share } from '../fields/field-schemas.ts';

/**
 * Timeline steps. Each fault step names its kind in `fault`; a transfer step has `transfer`.
 * The fault steps are made from the fault kinds (src/faults/fault-kinds.ts): each kind gives its
 * own fields and how long it lasts. A fault lasts from `at` until it heals: give `duration`, or
 * `heal` (an offset on the same scale as `at`). The same kinds exist twice: in a flat list `at`
 * is required and absolute; in a stage it is relative to the stage's start and defaults to 0.
 * compile-timeline.ts resolves both to absolute `at` and `duration` in milliseconds.
 */

/** The most steps a timeline may compile to (and hold in a list or a stage). */
export const MAX_STEPS = 1000;
export const MAX_STAGES = 100;

const window = {
  duration: duration.describe('How long the fault lasts').optional(),
  heal: duration.describe('When it heals (instead of `duration`), an offset like `at`').optional(),
};
const flatAt = duration.describe('When the step happens, from the start of the run');
const stageAt = duration.describe('When the step happens, from the start of the stage').default(0);

function faultStep(kind: FaultKind, at: z.ZodType) {
  return z.strictObject({ at, fault: z.literal(kind.id), ...(kind.lasting === 'instant' ? {} : window), ...kind.fields }).describe(kind.description);
}

function transferStep<At extends z.ZodType>(at: At) {
  return z
    .strictObject({
      at,
      transfer: z.strictObject({
        share: share.describe('Share of the devices moved, each picked from the seed'),
        to: z.array(z.string().min(1)).min(1).max(MAX_STEPS).describe('Accounts the moved devices go to (one of them each); any other account when absent').optional(),
      }),
    })
    .describe('A seeded share of devices moves to other accounts (to one of `to`, when given).');
}

// zod cannot follow a list of kinds built at run time: the types are spelt out from the built-in kinds
type StepShape<K, At> =
  K extends FaultKind<infer Id, infer Fields, infer L> ? { at: At; fault: z.ZodLiteral<Id> } & (L extends 'instant' ? unknown : typeof window) & Fields : never;
type StepSchema<K, At> = K extends FaultKind<string, z.ZodRawShape, Lasting> ? z.ZodObject<StepShape<K, At>, z.core.$strict> : never;
type StepUnion<At extends z.ZodType> = z.ZodUnion<(StepSchema<BuiltinFaultKind, At> | ReturnType<typeof transferStep<At>>)[]>;

/**
 * The steps for a set of fault kinds. Typed as the built-in kinds' steps; a step of another
 * kind reaches only code that treats it by its kind (its checks, its create()).
 */
export function stepSchemasFor(kinds: FaultKinds) {
  const stepsWith = (at: z.ZodType) => [...[...kinds.values()].map((kind) => faultStep(kind, at)), transferStep(at)];
  /** A step of a flat timeline: `at` is an absolute offset. */
  const flatStep = z.union(stepsWith(flatAt)) as unknown as StepUnion<typeof flatAt>;
  /** A step inside a stage: `at` counts from the stage's start. */
  const stageStep = z.union(stepsWith(stageAt)) as unknown as StepUnion<typeof stageAt>;
  const stageSchema = z.strictObject({
    name: z.string().min(1).describe('Names the stage in messages and reports').optional(),
    gap: duration.describe('Wait this long after the previous stage ends (or, for the first, after the run starts)').default(0),
    steps: z.array(stageStep).min(1).max(MAX_STEPS),
  });
  return { flatStep, stageStep, stageSchema };
}

export const { flatStep, stageStep, stageSchema } = stepSchemasFor(faultKinds);

export type FlatStepInput = z.output<typeof flatStep>;
export type StageStepInput = z.output<typeof stageStep>;
export type StageInput = z.output<typeof stageSchema>;

/**
 * A step as the driver schedules it: absolute `at`, and for faults that last the `duration` until
 * heal (0: at once). An instant fault (cache-flush) has none. It is itself a valid flat step.
 */
export type FaultStep = BuiltinFaultStep;
export type TransferStep = Extract<FlatStepInput, { transfer: unknown }>;
export type TimelineStep = FaultStep | TransferStep;
