import { createRng } from '../rng/seeded-rng.ts';

/**
 * Seeded picks of part of the fleet. Each device (or session) is decided by its own draw from a
 * stream named after the step, so the same seed and timeline cut off the same devices.
 */

/** Indexes in [0, count) each kept with probability `share`. */
export function pickShare(seed: number, stream: string, count: number, share: number): number[] {
  const rng = createRng(seed, stream);
  const picked: number[] = [];
  for (let i = 0; i < count; i++) if (rng.chance(share)) picked.push(i);
  return picked;
}

/** Exactly `n` distinct indexes in [0, count) (all of them if n >= count), in index order. */
export function pickCount(seed: number, stream: string, count: number, n: number): number[] {
  const rng = createRng(seed, stream);
  const all = Array.from({ length: count }, (_, i) => i);
  const take = Math.min(n, count);
  // partial Fisher–Yates: the first `take` slots end up a uniform sample
  for (let i = 0; i < take; i++) {
    const j = rng.int(i, count - 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, take).sort((a, b) => a - b);
}
