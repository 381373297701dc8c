import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffBounds, backoffDelay } from '../src/fleet/backoff.ts';
import { createRng, type Rng } from '../src/rng/seeded-rng.ts';
import type { BackoffSpec } from '../src/scenario/schema.ts';

// Durations are any non-negative finite ms (numbers are accepted as-is), so doubles, not just ints.
const ms = fc.double({ min: 0, max: 1e9, noNaN: true, noDefaultInfinity: true });
const specArb = (over: Partial<Record<keyof BackoffSpec, fc.Arbitrary<unknown>>> = {}) =>
  fc.record({
    kind: fc.constantFrom('none', 'fixed', 'exponential'),
    jitter: fc.constantFrom('none', 'full', 'equal', 'decorrelated'),
    base: ms,
    cap: ms,
    maxAttempts: fc.nat({ max: 20 }),
    ...over,
  }) as fc.Arbitrary<BackoffSpec>;
// small attempts plus huge ones, to hit the 2 ** attempt overflow guard
const attemptArb = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 2 ** 31 }));
const seedArb = fc.integer();

/** The un-jittered delay, written independently of the module (valid for attempt <= 1000). */
const expectedD = (s: BackoffSpec, attempt: number) =>
  s.kind === 'none' ? 0 : s.kind === 'fixed' ? Math.min(s.cap, s.base) : Math.min(s.cap, s.base * 2 ** (attempt - 1));

/** Retry after retry as a camera does: previousDelay is base for attempt 1, then the last delay. */
function sequence(spec: BackoffSpec, rng: Rng, n: number): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  let prev = spec.base;
  for (let attempt = 1; attempt <= n; attempt++) {
    const d = backoffDelay(spec, attempt, attempt === 1 ? spec.base : prev, rng);
    out.push(d);
    if (d !== undefined) prev = d;
  }
  return out;
}

describe('backoffDelay', () => {
  it('every delay lies within backoffBounds, which lie within [0, cap] (0 for kind none)', () => {
    fc.assert(
      fc.property(specArb({ maxAttempts: fc.constant(0) }), attemptArb, ms, seedArb, (spec, attempt, prev, seed) => {
        const [lo, hi] = backoffBounds(spec, attempt, prev);
        const d = backoffDelay(spec, attempt, prev, createRng(seed))!;
        expect(Number.isFinite(d)).toBe(true);
        expect(lo).toBeLessThanOrEqual(d);
        expect(d).toBeLessThanOrEqual(hi);
        expect(lo).toBeGreaterThanOrEqual(0);
        expect(hi).toBeLessThanOrEqual(spec.kind === 'none' ? 0 : spec.cap);
      }),
    );
  });

  it('draws exactly one rng.next() when jitter is random, none otherwise (determinism relies on it)', () => {
    fc.assert(
      fc.property(specArb(), attemptArb, ms, seedArb, (spec, attempt, prev, seed) => {
        const inner = createRng(seed);
        let draws = 0;
        const counting: Rng = { ...inner, next: () => (draws++, inner.next()) };
        const d = backoffDelay(spec, attempt, prev, counting);
        const random = d !== undefined && spec.kind !== 'none' && spec.jitter !== 'none';
        expect(draws).toBe(random ? 1 : 0);
      }),
    );
  });

  it('exponential without jitter doubles until the cap, never decreasing, and stays finite', () => {
    fc.assert(
      fc.property(ms, ms, (base, cap) => {
        const spec: BackoffSpec = { kind: 'exponential', jitter: 'none', base, cap, maxAttempts: 0 };
        const seq = sequence(spec, createRng(1), 80) as number[];
        expect(seq[0]).toBe(Math.min(cap, base));
        for (let i = 1; i < seq.length; i++) {
          expect(seq[i]).toBe(Math.min(cap, seq[i - 1] * 2));
          expect(seq[i]).toBeGreaterThanOrEqual(seq[i - 1]);
        }
        // the overflow guard: a camera down for ages still gets the cap, not NaN or Infinity
        expect(backoffDelay(spec, 2 ** 31, 0, createRng(1))).toBe(base === 0 ? 0 : cap);
      }),
    );
  });

  it('full jitter: mean ≈ d/2, min near 0, max near d (fixed seed, 20,000 draws: cannot flake)', () => {
    const spec: BackoffSpec = { kind: 'exponential', jitter: 'full', base: 500, cap: 10_000, maxAttempts: 0 };
    const attempt = 5; // d = 500 * 2^4 = 8000
    const d = expectedD(spec, attempt);
    const rng = createRng(20240611, 'full-jitter-mean');
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const x = backoffDelay(spec, attempt, spec.base, rng)!;
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    // std error of the mean is d / sqrt(12 n) ≈ 0.002 d, so 2 % of d is ~10 sigma
    expect(Math.abs(sum / n - d / 2)).toBeLessThan(0.02 * d);
    expect(min).toBeLessThan(0.001 * d);
    expect(max).toBeGreaterThan(0.999 * d);
  });

  it('equal jitter never goes below d/2 (nor above d)', () => {
    fc.assert(
      fc.property(
        specArb({ kind: fc.constantFrom('fixed', 'exponential'), jitter: fc.constant('equal'), maxAttempts: fc.constant(0) }),
        fc.integer({ min: 1, max: 1000 }),
        seedArb,
        (spec, attempt, seed) => {
          const d = expectedD(spec, attempt);
          const x = backoffDelay(spec, attempt, spec.base, createRng(seed))!;
          expect(x).toBeGreaterThanOrEqual(d / 2);
          expect(x).toBeLessThanOrEqual(d);
        },
      ),
    );
  });

  it('decorrelated stays in [base, min(cap, prev * 3)] along a whole retry chain', () => {
    fc.assert(
      fc.property(
        specArb({ kind: fc.constantFrom('fixed', 'exponential'), jitter: fc.constant('decorrelated'), maxAttempts: fc.constant(0) }),
        seedArb,
        (spec, seed) => {
          const rng = createRng(seed);
          let prev = spec.base;
          for (let attempt = 1; attempt <= 30; attempt++) {
            const x = backoffDelay(spec, attempt, prev, rng)!;
            // base > cap is legal in a scenario; then the clamp to cap wins
            expect(x).toBeGreaterThanOrEqual(Math.min(spec.base, spec.cap));
            expect(x).toBeLessThanOrEqual(Math.min(spec.cap, Math.max(spec.base, prev * 3)));
            prev = x;
          }
        },
      ),
    );
  });

  it('retry budget: maxAttempts = k gives k delays, then undefined; 0 retries for ever', () => {
    fc.assert(
      fc.property(specArb({ maxAttempts: fc.integer({ min: 1, max: 50 }) }), seedArb, (spec, seed) => {
        const k = spec.maxAttempts;
        const seq = sequence(spec, createRng(seed), k + 3);
        expect(seq.slice(0, k).every((x) => typeof x === 'number')).toBe(true);
        expect(seq.slice(k)).toEqual([undefined, undefined, undefined]);
        expect(backoffDelay({ ...spec, maxAttempts: 0 }, 1_000_000, spec.base, createRng(seed))).toBeTypeOf('number');
      }),
    );
  });

  it('same seed gives the same sequence', () => {
    fc.assert(
      fc.property(specArb(), seedArb, fc.string(), (spec, seed, name) => {
        expect(sequence(spec, createRng(seed, name), 25)).toEqual(sequence(spec, createRng(seed, name), 25));
      }),
    );
  });

  it('different seeds give different sequences for a jittered policy', () => {
    const jittered = fc
      .record({
        kind: fc.constantFrom('fixed', 'exponential'),
        jitter: fc.constantFrom('full', 'equal', 'decorrelated'),
        base: fc.integer({ min: 100, max: 10_000 }),
        capFactor: fc.integer({ min: 4, max: 100 }), // room above base, or decorrelated pins to cap
      })
      .map(({ capFactor, ...s }): BackoffSpec => ({ ...s, cap: s.base * capFactor, maxAttempts: 0 }) as BackoffSpec);
    fc.assert(
      fc.property(jittered, seedArb, seedArb, (spec, a, b) => {
        fc.pre(a !== b);
        expect(sequence(spec, createRng(a, 'cam'), 10)).not.toEqual(sequence(spec, createRng(b, 'cam'), 10));
      }),
    );
  });
});
