import type { Rng } from '../rng/seeded-rng.ts';
import type { BackoffSpec } from '../scenario/schema.ts';

/**
 * Reconnect delays as data (AWS Architecture Blog, "Exponential Backoff and Jitter").
 * Pure: a device keeps only `attempt` and `previousDelay`. Determinism depends on the draw
 * count: exactly one rng.next() per call when the jitter needs randomness, none otherwise.
 */

/** The un-jittered delay for an attempt (1 = first retry after a drop). */
function rawDelay(spec: BackoffSpec, attempt: number): number {
  switch (spec.kind) {
    case 'none':
      return 0;
    case 'fixed':
      return Math.min(spec.cap, spec.base);
    case 'exponential':
      // 2^1024 is Infinity, and Infinity * 0 is NaN: clamp the exponent first
      return Math.min(spec.cap, spec.base * 2 ** Math.min(attempt - 1, 1000));
  }
}

export function backoffBounds(spec: BackoffSpec, attempt: number, previousDelay: number): [number, number] {
  const d = rawDelay(spec, attempt);
  if (spec.kind === 'none') return [0, 0];
  switch (spec.jitter) {
    case 'none':
      return [d, d];
    case 'full':
      return [0, d];
    case 'equal':
      return [d / 2, d];
    case 'decorrelated': {
      const high = Math.min(spec.cap, Math.max(spec.base, previousDelay * 3));
      return [Math.min(spec.base, spec.cap), high];
    }
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
      const [low, high] = backoffBounds(spec, attempt, previousDelay);
      return low + rng.next() * (high - low);
    }
  }
}
