import { z } from 'zod';
import { parseDuration } from './duration.ts';

/**
 * Field types shared by the scenario sections and the timeline steps. Durations are strings
 * (`30s`, `+00:02:00`) or a number of milliseconds, converted to milliseconds of scenario time.
 * Every duration field has bounds: a value that drives time or volume without one can make a
 * run spin at one instant (0) or never end (1e15). format-issues.ts and json-schema.ts find a
 * duration schema, and its bounds, through durationBoundsOf.
 */

const HOUR = 3_600_000;
/** The longest scenario time any field may name: a week is a long soak; 1e15 is a typo. */
export const MAX_DURATION_MS = 168 * HOUR;

export interface DurationBounds {
  min: number;
  max: number;
}

// keyed by the definition, which `.describe()` and `.meta()` copies share with the original
const bounds = new WeakMap<object, DurationBounds>();
const defOf = (schema: object): object => (schema as { _zod?: { def?: object } })._zod?.def ?? schema;

/** The bounds of a duration schema (as made by durationWithin), or undefined for anything else. */
export function durationBoundsOf(schema: object): DurationBounds | undefined {
  return bounds.get(defOf(schema));
}

/** `250ms`, `30s`, `5m`, `168h`: a bound as a person writes it. */
export function boundText(ms: number): string {
  if (ms === 0) return '0';
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** `from 10ms to 24h`, `of at most 168h`. */
export function rangeText({ min, max }: DurationBounds): string {
  return min === 0 ? `of at most ${boundText(max)}` : `from ${boundText(min)} to ${boundText(max)}`;
}

/** A duration field between `min` and `max` milliseconds (inclusive). */
export function durationWithin(min: number, max: number) {
  const schema = z.union([z.string(), z.number()]).transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : parseDuration(value);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration like 250ms, 30s, 5m or +HH:MM:SS, found ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `expected a duration ${rangeText({ min, max })}, found ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return ms;
  });
  bounds.set(defOf(schema), { min, max });
  return schema;
}

/** Any duration up to the longest: offsets, heals and gaps (the timeline checks bound them further). */
export const duration = durationWithin(0, MAX_DURATION_MS);

export const share = z.number().min(0, 'a share is between 0 and 1').max(1, 'a share is between 0 and 1');
