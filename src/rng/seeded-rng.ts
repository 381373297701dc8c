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

/**
 * A class, not a bag of closures: 100k devices each hold one, so methods live on the prototype
 * and an instance is two references.
 */
class SeededRng implements Rng {
  private readonly gen: ReturnType<typeof xoroshiro128plus>;
  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed);
  }
  next(): number {
    // two 32-bit draws give 53 bits of mantissa
    const hi = (this.gen.next() >>> 0) >>> 5;
    const lo = (this.gen.next() >>> 0) >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

export function createRng(seed: number, name = ''): Rng {
  return new SeededRng(streamSeed(seed, name));
}

/**
 * The k-th uniform in [0, 1) of a stream, without state: a device's event schedule is then a
 * pure function of (seed, device, k), untouched by how many backoff draws its connection needed.
 */
export function counterUniform(stream: number, k: number): number {
  const hi = mix32(stream ^ Math.imul(k, 0x9e3779b1)) >>> 5;
  const lo = mix32((stream + 0x6a09e667) ^ Math.imul(k + 1, 0x85ebca77)) >>> 6;
  return (hi * 67108864 + lo) / 9007199254740992;
}

function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}
