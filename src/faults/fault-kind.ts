import type { z } from 'zod';
import type { Fault } from './fault.ts';

/**
 * What a fault kind says about itself: everything the scenario format, its checks, the CLI
 * and the runner need, in the kind's own file. A timeline step names the kind in `fault`.
 */

/**
 * How long a step of the kind lasts, from `at` until it heals (`duration`, or `heal`: an offset
 * on the scale of `at`). `window`: one of them is required and the heal comes after `at`;
 * `window-or-zero`: required, 0 allowed; `instant-ok`: optional, 0 by default; `instant`: the
 * step has neither (it heals at once).
 */
export type Lasting = 'window' | 'window-or-zero' | 'instant-ok' | 'instant';

/** What a kind's own check may know of the scenario around its step. */
export interface FaultCheckContext {
  cache: {
    adapter: string;
    proxy: boolean;
    url?: string;
    /** Where the adapter keeps its entries; undefined for a user's module (judged at run time). */
    runs: 'in-process' | 'server' | undefined;
  };
  fleet: {
    /** How many cameras the fleet has; with `fleet.accounts`, the fewest it can have. */
    devices: number;
    /** `devices` is the fewest there can be rather than the exact count. */
    atLeast: boolean;
  };
}

/** A problem with a step: `path` is the field it is about, relative to the step ([]: the step). */
export interface StepProblem {
  path: (string | number)[];
  message: string;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
// zod types an empty shape's output as Record<string, never>, which would forbid `at` and `fault`
type FieldsOutput<Fields extends z.ZodRawShape> = keyof Fields extends never ? unknown : z.output<z.ZodObject<Fields>>;

/** A step of the kind as the runner gets it: absolute `at`, and (unless instant) `duration` in ms. */
export type KindStep<Id extends string, Fields extends z.ZodRawShape, L extends Lasting> = Simplify<
  { at: number; fault: Id } & (L extends 'instant' ? unknown : { duration: number }) & FieldsOutput<Fields>
>;

export interface FaultKind<Id extends string = string, Fields extends z.ZodRawShape = z.ZodRawShape, L extends Lasting = Lasting> {
  readonly id: Id;
  /** One line, for `crosswire list faults` and the scenario JSON Schema. */
  readonly description: string;
  readonly lasting: L;
  /** After heal the fleet (or the share of it cut off) reconnects at once: a storm, tracked and checked; two must not overlap. */
  readonly storms: boolean;
  /** The step's own fields beside `at`, `fault` and (unless instant) `duration`/`heal`; each with a `.describe()` text. */
  readonly fields: Fields;
  /** Problems with a step of this kind in this scenario, beyond what its fields' schemas catch. */
  check?(step: KindStep<Id, Fields, L>, scenario: FaultCheckContext): StepProblem[];
  /** The fault for one step. `index` is the step's place in the compiled timeline: it names the seeded stream a fault that picks part of the fleet draws from. */
  create(step: KindStep<Id, Fields, L>, index: number): Fault;
}

/** The step type of a kind (or, for a union of kinds, of any of them). */
export type FaultStepOf<K> = K extends FaultKind<infer Id, infer Fields, infer L> ? KindStep<Id, Fields, L> : never;

/** Fault kinds by id: what a timeline may name. */
export type FaultKinds = ReadonlyMap<string, FaultKind>;

/** Types a kind's definition from its fields and lasting (an identity at run time). */
export function defineFaultKind<const Id extends string, Fields extends z.ZodRawShape, const L extends Lasting>(
  kind: FaultKind<Id, Fields, L>,
): FaultKind<Id, Fields, L> {
  return kind;
}
