import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * Seeded random streams. Every consumer (a device, the fault schedule, the fleet generator) gets
 * its own stream derived from the run seed and a stable name, so device N draws the same numbers
 * whatever the fleet size or the order in which devices are created.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
}

/** FNV-1a over the name, mixed with the seed: a stable 32-bit stream id. */
export function streamSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // final avalanche (murmur3 fmix32) so that close names give unrelated streams
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export function createRng(seed: number, name = ''): Rng {
  const gen = xoroshiro128plus(streamSeed(seed, name));
  const next = (): number => {
    // two 32-bit draws give 53 bits of mantissa
    const hi = (gen.next() >>> 0) >>> 5;
    const lo = (gen.next() >>> 0) >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}
