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
    case 'exponential': {
      // Double until the cap instead of base * 2 ** (attempt - 1): that power is Infinity past
      // attempt 1024 (and 0 * Infinity is NaN), while a tiny base may need more doublings than
      // that to reach the cap. The loop stops at the cap: a handful of steps for real specs.
      let d = spec.base;
      for (let i = 1; i < attempt && d > 0 && d < spec.cap; i++) d *= 2;
      return Math.min(spec.cap, d);
    }
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
      // min(d): with subnormal d, d / 2 rounds up and the sum could pass d
      return Math.min(d, d / 2 + rng.next() * (d / 2));
    case 'decorrelated': {
      // AWS: min(cap, uniform(base, prev * 3)); the extra min(high) absorbs float rounding of
      // base + x * (high - base), which can land one ulp above high.
      const high = decorrelatedHigh(spec, previousDelay);
      return Math.min(spec.cap, high, spec.base + rng.next() * (high - spec.base));
    }
  }
}
