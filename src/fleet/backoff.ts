import type { Rng } from '../rng/seeded-rng.ts';
import type { BackoffSpec } from '../scenario/schema.ts';

/**
 * Reconnect delays as data (AWS Architecture Blog, "Exponential Backoff and Jitter").
 * Pure functions, no per-device object: a camera keeps only `attempt` and `previousDelay`, which
 * is what keeps 100k of them under 4 KB each.
 *
 * Determinism: each backoffDelay call draws exactly one rng.next() when the jitter is random
 * (full, equal, decorrelated) and zero otherwise (jitter none, kind none, budget spent). Device
 * streams are replayed by draw count, so changing that count changes every later draw.
 */

/** The un-jittered delay d for an attempt (1 = first retry after a drop), within [0, cap]. */
function rawDelay(spec: BackoffSpec, attempt: number): number {
  switch (spec.kind) {
    case 'none':
      return 0;
    case 'fixed':
      return Math.min(spec.cap, spec.base);
    case 'exponential':
      // 2 ** 1024 is Infinity and 0 * Infinity is NaN: cap the exponent (2 ** 1000 already
      // exceeds any cap for base > 0), and floor it at 0 for attempt < 1.
      return Math.min(spec.cap, spec.base * 2 ** Math.min(Math.max(attempt - 1, 0), 1000));
  }
}

/** Decorrelated jitter draws from [base, prev * 3]; never an inverted range when prev is small. */
function decorrelatedHigh(spec: BackoffSpec, previousDelay: number): number {
  return Math.max(spec.base, previousDelay * 3);
}

export function backoffBounds(spec: BackoffSpec, attempt: number, previousDelay: number): [number, number] {
  if (spec.kind === 'none') return [0, 0];
  const d = rawDelay(spec, attempt);
  switch (spec.jitter) {
    case 'none':
      return [d, d];
    case 'full':
      return [0, d];
    case 'equal':
      return [d / 2, d];
    case 'decorrelated':
      // the clamp to cap wins over base when a scenario sets base > cap
      return [Math.min(spec.base, spec.cap), Math.min(spec.cap, decorrelatedHigh(spec, previousDelay))];
  }
}

export function backoffDelay(spec: BackoffSpec, attempt: number, previousDelay: number, rng: Rng): number | undefined {
  if (spec.maxAttempts > 0 && attempt > spec.maxAttempts) return undefined;
  if (spec.kind === 'none') return 0;
  const d = rawDelay(spec, attempt);
  switch (spec.jitter) {
    case 'none':
      return d;
    case 'full':
      return rng.next() * d;
    case 'equal':
      return d / 2 + rng.next() * (d / 2);
    case 'decorrelated': {
      // AWS: min(cap, uniform(base, prev * 3)); the extra min(high) absorbs float rounding of
      // base + x * (high - base), which can land one ulp above high.
      const high = decorrelatedHigh(spec, previousDelay);
      return Math.min(spec.cap, high, spec.base + rng.next() * (high - spec.base));
    }
  }
}
