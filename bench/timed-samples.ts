import { performance } from 'node:perf_hooks';

/**
 * Timestamped samples (real ms, performance.now()) and the few statistics the cache-adapter
 * bench takes over them: exact percentiles, a time window, the busiest second, per-second rows.
 */
export interface TimedSamples {
  /** When each sample was taken, ascending. */
  at: number[];
  /** Its value (ms). */
  ms: number[];
}

export interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of all values (exact, no histogram bucketing). */
export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { count: sorted.length, p50: at(50), p99: at(99), max: sorted[sorted.length - 1] };
}

/** The values of samples taken in [from, to). */
export function inWindow(samples: TimedSamples, from: number, to: number): number[] {
  return samples.ms.filter((_, i) => samples.at[i] >= from && samples.at[i] < to);
}

/** The most samples in any 1000 ms (sliding window ending at each sample), and when that second ended. */
export function busiestSecond(at: number[]): { count: number; endedAt: number } {
  let count = 0;
  let endedAt = 0;
  let lo = 0;
  for (let hi = 0; hi < at.length; hi++) {
    while (at[hi] - at[lo] >= 1000) lo++;
    if (hi - lo + 1 > count) {
      count = hi - lo + 1;
      endedAt = at[hi];
    }
  }
  return { count, endedAt };
}

/** Event-loop lag: how late a `tickMs` interval fires (a reply that has arrived waits about this long to be read). */
export function sampleLoopLag(tickMs: number): TimedSamples & { stop: () => void } {
  const at: number[] = [];
  const ms: number[] = [];
  let expected = performance.now() + tickMs;
  const timer = setInterval(() => {
    const now = performance.now();
    at.push(now);
    ms.push(Math.max(0, now - expected));
    expected = now + tickMs;
  }, tickMs);
  return { at, ms, stop: () => clearInterval(timer) };
}

export interface SecondRow {
  /** Whole real seconds from `origin` (negative before it). */
  t: number;
  gets: number;
  getP50: number;
  getP99: number;
  lagP99: number;
  /** Failed cache operations (any kind) in that second. */
  errors: number;
}

/** One row per real second from `origin`: how many gets finished, their p50/p99, the loop lag p99, failed ops. */
export function perSecond(origin: number, gets: TimedSamples, lag: TimedSamples, errorsAt: number[]): SecondRow[] {
  const rows = new Map<number, { getMs: number[]; lagMs: number[]; errors: number }>();
  const row = (t: number) => {
    const s = Math.floor((t - origin) / 1000);
    let r = rows.get(s);
    if (!r) rows.set(s, (r = { getMs: [], lagMs: [], errors: 0 }));
    return r;
  };
  gets.at.forEach((t, i) => row(t).getMs.push(gets.ms[i]));
  lag.at.forEach((t, i) => row(t).lagMs.push(lag.ms[i]));
  for (const t of errorsAt) row(t).errors++;
  const r3 = (n: number) => Math.round(n * 1000) / 1000;
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, r]) => {
      const g = percentiles(r.getMs);
      return { t, gets: g.count, getP50: r3(g.p50), getP99: r3(g.p99), lagP99: r3(percentiles(r.lagMs).p99), errors: r.errors };
    });
}
