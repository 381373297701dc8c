import { z } from 'zod';
import { duration, durationWithin, share } from './field-schemas.ts';

/**
 * Timeline steps. Each fault step names its kind in `fault`; a transfer step has `transfer`.
 * A fault lasts from `at` until it heals: give `duration`, or `heal` (an offset on the same
 * scale as `at`). The same kinds exist twice: in a flat list `at` is required and absolute; in a
 * stage it is relative to the stage's start and defaults to 0. compile-timeline.ts resolves
 * both to absolute `at` and `duration` in milliseconds.
 */

/** How long a kind lasts: `window` needs duration/heal > 0; `instant-ok` may be 0 (the default); `instant` has none. */
export type Lasting = 'window' | 'window-or-zero' | 'instant-ok' | 'instant';

export const faultLasting = {
  'broker-outage': 'window',
  'broker-restart': 'window',
  'cache-latency': 'window',
  'cache-outage': 'window',
  'cache-reset': 'instant-ok',
  'cache-restart': 'window',
  'cache-flush': 'instant',
  partition: 'window',
  'service-restart': 'window',
  wave: 'window-or-zero',
  storm: 'instant-ok',
} as const satisfies Record<string, Lasting>;

/** The most steps a timeline may compile to (and hold in a list or a stage). */
export const MAX_STEPS = 1000;
export const MAX_STAGES = 100;
const HOUR = 3_600_000;

export type FaultKind = keyof typeof faultLasting;
export const faultKinds = Object.keys(faultLasting) as FaultKind[];

/** Faults after whose heal the fleet (or a share of it) reconnects at once: the storm tracker follows them. */
export const stormFaults: ReadonlySet<string> = new Set<FaultKind>(['broker-outage', 'broker-restart', 'storm', 'partition']);

const window = {
  /** How long the fault lasts (scenario time). */
  duration: duration.optional(),
  /** When it heals, instead of a duration: an offset like `at` (absolute, or from the stage's start). */
  heal: duration.optional(),
};

function stepsWith<At extends z.ZodType>(at: At) {
  const fault = <K extends FaultKind>(kind: K) => ({ at, fault: z.literal(kind) });
  return [
    /** Every broker connection dropped and new ones refused until heal; the heal starts the storm. */
    z.strictObject({ ...fault('broker-outage'), ...window }),
    /** The broker process goes away (sessions, subscriptions, queues lost) and a fresh one comes up on the same transport at heal. */
    z.strictObject({ ...fault('broker-restart'), ...window }),
    /** Cache replies delayed through the chaos proxy. */
    z.strictObject({
      ...fault('cache-latency'),
      ...window,
      latency: durationWithin(0, HOUR),
      jitter: durationWithin(0, HOUR).default(0),
      /** Share of cache connections affected, decided per connection from the seed. */
      toxicity: share.default(1),
    }),
    /** Cache unreachable: connections dropped, new ones refused. */
    z.strictObject({ ...fault('cache-outage'), ...window }),
    /** Resets every open cache connection at `at`, then every `every` until it heals. */
    // at least 10ms between resets: every 0 would reset at one instant for ever
    z.strictObject({ ...fault('cache-reset'), ...window, every: durationWithin(10, 24 * HOUR).optional() }),
    /** The private cache server stopped, started empty on the same port at heal. */
    z.strictObject({ ...fault('cache-restart'), ...window }),
    /** Every entry of the cache under test dropped at once (no downtime). */
    z.strictObject({ ...fault('cache-flush') }),
    /** A seeded share of cameras (and, with `viewers`, of app sessions) loses its link and cannot reconnect until heal. */
    z.strictObject({ ...fault('partition'), ...window, share, viewers: z.boolean().default(false) }),
    /** The reference service goes offline and comes back at heal; with `coldCache`, the cache is flushed first. */
    z.strictObject({ ...fault('service-restart'), ...window, coldCache: z.boolean().default(true) }),
    /** A share of the cameras (or `devices` of them) drops at seeded times spread over the duration and reconnects by its backoff. */
    z.strictObject({ ...fault('wave'), ...window, share: share.optional(), devices: z.number().int().min(1).max(500_000).optional() }),
    /** Every camera drops at `at` and stays dark until heal ("everyone wakes at T"), then reconnects by its backoff and jitter. */
    z.strictObject({ ...fault('storm'), ...window }),
    /** A seeded share of devices moves to other accounts (to one of `to`, when given). */
    z.strictObject({ at, transfer: z.strictObject({ share, to: z.array(z.string().min(1)).min(1).max(MAX_STEPS).optional() }) }),
  ] as const;
}

/** A step of a flat timeline: `at` is an absolute offset. */
export const flatStep = z.union(stepsWith(duration));
/** A step inside a stage: `at` counts from the stage's start. */
export const stageStep = z.union(stepsWith(duration.default(0)));

export const stageSchema = z.strictObject({
  /** Names the stage in messages and reports. */
  name: z.string().min(1).optional(),
  /** Wait this long after the previous stage ends (or, for the first, after the run starts). */
  gap: duration.default(0),
  steps: z.array(stageStep).min(1).max(MAX_STEPS),
});

export type FlatStepInput = z.output<typeof flatStep>;
export type StageStepInput = z.output<typeof stageStep>;
export type StageInput = z.output<typeof stageSchema>;

type Resolved<S> = S extends { fault: string; duration?: number } ? Omit<S, 'heal' | 'duration'> & { duration: number } : S;
/**
 * A step as the driver schedules it: absolute `at`, and for faults that last the `duration` until
 * heal (0: at once). An instant fault (cache-flush) has none. It is itself a valid flat step.
 */
export type TimelineStep = Resolved<FlatStepInput>;
export type FaultStep = Extract<TimelineStep, { fault: string }>;
export type TransferStep = Extract<TimelineStep, { transfer: unknown }>;
