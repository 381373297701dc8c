import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterUniform, createRng, streamSeed } from '../src/rng/seeded-rng.ts';

describe('seeded streams', () => {
  it('stay in range and repeat for the same seed and name', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.string(), (seed, name) => {
        const a = createRng(seed, name);
        const b = createRng(seed, name);
        for (let i = 0; i < 20; i++) {
          const x = a.next();
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThan(1);
          expect(b.next()).toBe(x);
        }
      }),
    );
  });

  it('give unrelated streams to neighbouring device ids', () => {
    const first = (name: string) => createRng(1, name).next();
    const values = new Set(Array.from({ length: 1000 }, (_, i) => first(`cam-${String(i).padStart(7, '0')}`)));
    expect(values.size).toBe(1000);
  });

  it('counterUniform is uniform on [0, 1) and a pure function of (stream, k)', () => {
    const stream = streamSeed(42, 'events:cam-0000001');
    let sum = 0;
    const n = 50_000;
    for (let k = 0; k < n; k++) {
      const u = counterUniform(stream, k);
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01); // 0.01 is ~8 standard errors
    expect(counterUniform(stream, 7)).toBe(counterUniform(stream, 7));
    expect(counterUniform(stream, 7)).not.toBe(counterUniform(stream + 1, 7));
  });
});
