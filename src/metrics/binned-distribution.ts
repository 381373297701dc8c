/** A distribution as equal-width bins from 0: `counts[i]` values fell in [i·binMs, (i+1)·binMs). */
export interface Bins {
  binMs: number;
  counts: number[];
}

const NICE_STEPS = [1, 2, 2.5, 5, 10];

/** The smallest "round" width (1, 2, 2.5, 5 × 10^k) that covers `max` in at most `maxBins` bins. */
export function niceBinWidth(max: number, maxBins: number): number {
  if (!(max > 0)) return 1;
  const raw = max / maxBins;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const step of NICE_STEPS) {
    const width = step * magnitude;
    if (width >= raw && Math.floor(max / width) < maxBins) return width;
  }
  return 10 * magnitude * 2;
}

/**
 * Keeps every recorded value (8 bytes each: a 100k-camera storm costs under 1 MB) so the report
 * can draw the shape of a distribution, not just its percentiles.
 */
export class BinnedDistribution {
  private values = new Float64Array(1024);
  private count = 0;
  private max = 0;

  record(value: number): void {
    if (this.count === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    const v = Math.max(0, value);
    this.values[this.count++] = v;
    if (v > this.max) this.max = v;
  }

  bins(maxBins = 40): Bins {
    if (this.count === 0) return { binMs: 1, counts: [] };
    const binMs = niceBinWidth(this.max, maxBins);
    const counts = new Array<number>(Math.floor(this.max / binMs) + 1).fill(0);
    for (let i = 0; i < this.count; i++) counts[Math.floor(this.values[i] / binMs)]++;
    return { binMs, counts };
  }
}
