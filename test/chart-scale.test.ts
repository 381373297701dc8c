import { describe, expect, it } from 'vitest';
import { barChart, coveringTicks, HEIGHT, lineChart, M } from '../src/report/svg-chart.ts';

/** Every y coordinate a chart draws its data at. */
function dataYs(svg: string): number[] {
  const paths = [...svg.matchAll(/<path data-series="[^"]*" d="([^"]*)"/g)].map((m) => m[1]);
  const ys = paths.flatMap((d) => [...d.matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((m) => Number(m[2])));
  const bars = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="[\d.]+" fill="#2a9d8f"/g)].map((m) => Number(m[1]));
  return [...ys, ...bars];
}

describe('chart scales', () => {
  it('put the top tick at or above the largest value', () => {
    for (const max of [1, 7, 49, 151, 176, 999, 1001, 12_345, 0.37]) {
      const ticks = coveringTicks(max);
      expect(ticks.at(-1)!, `max ${max}`).toBeGreaterThanOrEqual(max);
      expect(ticks[0]).toBe(0);
    }
  });

  it('draw no line above the plot (a rate peaking between two ticks)', () => {
    const svg = lineChart({ id: 'c', title: 'c', x: [1000, 2000, 3000, 4000], xMax: 4000, yLabel: 'per second', series: [{ name: 'hits/s', values: [100, 176, 120, 0], color: '#2a9d8f' }] });
    const ys = dataYs(svg);
    expect(ys).toHaveLength(4);
    for (const y of ys) {
      expect(y).toBeGreaterThanOrEqual(M.top);
      expect(y).toBeLessThanOrEqual(HEIGHT - M.bottom);
    }
    expect(Math.min(...ys)).toBeLessThan(M.top + 40); // and the peak is near the top, not squashed
  });

  it('draw no bar above the plot', () => {
    const svg = barChart({ id: 'b', title: 'b', binWidth: 250, counts: [15, 176, 40], xLabel: 'x', yLabel: 'y', color: '#2a9d8f' });
    for (const y of dataYs(svg)) expect(y).toBeGreaterThanOrEqual(M.top);
  });
});
