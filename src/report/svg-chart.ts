import { escapeXml as x } from './xml-text.ts';

/**
 * Small, dependency-free SVG charts for report.html. Styling is by presentation attributes only
 * (fill, stroke, font-size), never CSS: a viewer with a strict Content-Security-Policy that blocks
 * inline styles and scripts still draws them.
 */

export interface Band {
  from: number;
  to: number;
  label: string;
}

export interface LineSeries {
  name: string;
  values: readonly number[];
  color: string;
  dashed?: boolean;
}

export interface LineChartSpec {
  id: string;
  title: string;
  /** x of each point, in scenario milliseconds. */
  x: readonly number[];
  xMax: number;
  series: LineSeries[];
  yLabel: string;
  /** Shaded background bands (fault windows), in scenario milliseconds. */
  bands?: Band[];
  /** y axis on a log scale (latencies spanning microseconds to seconds). */
  log?: boolean;
}

export interface BarChartSpec {
  id: string;
  title: string;
  binWidth: number;
  counts: readonly number[];
  xLabel: string;
  yLabel: string;
  color: string;
  /** Vertical markers (percentiles) at x values in the bins' unit. */
  markers?: { at: number; label: string }[];
  formatX?: (v: number) => string;
}

export const WIDTH = 800;
export const HEIGHT = 240;
export const M = { left: 64, right: 16, top: 28, bottom: 40 };
const PLOT_W = WIDTH - M.left - M.right;
const PLOT_H = HEIGHT - M.top - M.bottom;
const AXIS = '#555';
const GRID = '#e3e3e3';
const BAND = '#f4a261';

/** About `count` round tick values from 0 (or min) to max. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((s) => s * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Ticks for a y axis from 0: the top one at or above `max`, so no value is drawn above the plot. */
export function coveringTicks(max: number, count = 5): number[] {
  const ticks = niceTicks(0, max > 0 ? max : 1, count);
  const top = ticks[ticks.length - 1];
  if (ticks.length > 1 && top < max) ticks.push(Number((top + (top - ticks[ticks.length - 2])).toPrecision(12)));
  return ticks;
}

export function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (a >= 100 || v === 0) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

export const formatSeconds = (ms: number) => `${formatNumber(ms / 1000)}s`;

export function open(id: string, title: string, extra = ''): string {
  return (
    `<svg data-chart="${x(id)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="${x(title)}" ` +
    `font-family="system-ui, sans-serif" font-size="11"${extra}><title>${x(title)}</title>` +
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`
  );
}

export function text(px: number, py: number, s: string, anchor = 'middle', attrs = '', color = AXIS): string {
  return `<text x="${r(px)}" y="${r(py)}" text-anchor="${anchor}" fill="${color}"${attrs}>${x(s)}</text>`;
}

export const r = (v: number) => Math.round(v * 10) / 10;

/** Time axis (seconds of scenario time) and shaded fault bands, shared by every chart over time. */
export function timeAxis(xMax: number, bands: readonly Band[] = []): { sx: (t: number) => number; svg: string } {
  const sx = (t: number) => M.left + (xMax > 0 ? (t / xMax) * PLOT_W : 0);
  const parts: string[] = [];
  for (const b of bands) {
    const from = sx(Math.max(0, b.from));
    const to = sx(Math.min(xMax, b.to));
    parts.push(`<rect x="${r(from)}" y="${M.top}" width="${r(Math.max(1, to - from))}" height="${PLOT_H}" fill="${BAND}" fill-opacity="0.18"><title>${x(b.label)}</title></rect>`);
    parts.push(text(from + 3, M.top + 10, b.label, 'start', ' font-size="10"', '#9c4a12'));
  }
  for (const t of niceTicks(0, xMax / 1000, 8)) {
    const px = sx(t * 1000);
    parts.push(`<line x1="${r(px)}" y1="${HEIGHT - M.bottom}" x2="${r(px)}" y2="${HEIGHT - M.bottom + 4}" stroke="${AXIS}"/>`);
    parts.push(text(px, HEIGHT - M.bottom + 16, `${formatNumber(t)}s`));
  }
  parts.push(text(M.left + PLOT_W / 2, HEIGHT - 6, 'scenario time'));
  parts.push(`<line x1="${M.left}" y1="${HEIGHT - M.bottom}" x2="${WIDTH - M.right}" y2="${HEIGHT - M.bottom}" stroke="${AXIS}"/>`);
  return { sx, svg: parts.join('') };
}

function yAxis(ticks: number[], sy: (v: number) => number, label: string): string {
  const parts = ticks.map(
    (v) =>
      `<line x1="${M.left}" y1="${r(sy(v))}" x2="${WIDTH - M.right}" y2="${r(sy(v))}" stroke="${GRID}"/>` +
      text(M.left - 6, sy(v) + 4, formatNumber(v), 'end'),
  );
  parts.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${HEIGHT - M.bottom}" stroke="${AXIS}"/>`);
  parts.push(text(14, M.top + PLOT_H / 2, label, 'middle', ` transform="rotate(-90 14 ${r(M.top + PLOT_H / 2)})"`));
  return parts.join('');
}

function legend(items: { name: string; color: string; dashed?: boolean }[]): string {
  let px = M.left;
  return items
    .map((item) => {
      const s =
        `<line x1="${px}" y1="14" x2="${px + 18}" y2="14" stroke="${item.color}" stroke-width="2.5"${item.dashed ? ' stroke-dasharray="5 3"' : ''}/>` +
        text(px + 22, 18, item.name, 'start');
      px += 30 + item.name.length * 6.2;
      return s;
    })
    .join('');
}

/** Lines over scenario time, fault windows shaded behind them. */
export function lineChart(spec: LineChartSpec): string {
  const { sx, svg: xAxis } = timeAxis(spec.xMax, spec.bands);
  const all = spec.series.flatMap((s) => s.values as number[]).filter((v) => Number.isFinite(v));
  const max = Math.max(0, ...all);
  let sy: (v: number) => number;
  let ticks: number[];
  if (spec.log) {
    const positive = all.filter((v) => v > 0);
    const lo = 10 ** Math.floor(Math.log10(positive.length > 0 ? Math.min(...positive) : 0.001));
    const hi = 10 ** Math.ceil(Math.log10(Math.max(lo * 10, max)));
    ticks = [];
    for (let v = lo; v <= hi * 1.0001; v *= 10) ticks.push(Number(v.toPrecision(6)));
    const span = Math.log10(hi) - Math.log10(lo);
    sy = (v) => M.top + PLOT_H - ((Math.log10(Math.max(lo, v)) - Math.log10(lo)) / span) * PLOT_H;
  } else {
    ticks = coveringTicks(max);
    const top = ticks[ticks.length - 1] || 1;
    sy = (v) => M.top + PLOT_H - (v / top) * PLOT_H;
  }
  // a bucket with no value (on a log scale: no operation, so 0) is a gap in the line, not a drop to the floor
  const missing = (v: number) => !Number.isFinite(v) || (spec.log === true && v <= 0);
  const lines = spec.series.map((s) => {
    const runs: string[][] = [[]];
    s.values.forEach((v, i) => {
      if (missing(v)) {
        if (runs[runs.length - 1].length > 0) runs.push([]);
      } else runs[runs.length - 1].push(`${r(sx(spec.x[i]))},${r(sy(v))}`);
    });
    const d = runs
      .filter((run) => run.length > 0)
      .map((run) => (run.length === 1 ? `M${run[0]}h1` : `M${run.join('L')}`))
      .join('');
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    return `<path data-series="${x(s.name)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"${dash}/>`;
  });
  const empty = spec.x.length === 0 ? text(M.left + PLOT_W / 2, M.top + PLOT_H / 2, 'no samples') : '';
  return open(spec.id, spec.title) + yAxis(ticks, sy, spec.yLabel) + xAxis + lines.join('') + legend(spec.series) + empty + '</svg>';
}

/** A histogram: one bar per bin, optional percentile markers. */
export function barChart(spec: BarChartSpec): string {
  const fmt = spec.formatX ?? formatNumber;
  const bins = spec.counts.length;
  const xMax = Math.max(1, bins) * spec.binWidth;
  const sx = (v: number) => M.left + (v / xMax) * PLOT_W;
  const ticks = coveringTicks(Math.max(1, ...spec.counts));
  const top = ticks[ticks.length - 1] || 1;
  const sy = (v: number) => M.top + PLOT_H - (v / top) * PLOT_H;
  const parts = [open(spec.id, spec.title), yAxis(ticks, sy, spec.yLabel)];
  spec.counts.forEach((c, i) => {
    if (c === 0) return;
    const x0 = sx(i * spec.binWidth);
    const w = Math.max(1, sx((i + 1) * spec.binWidth) - x0 - 1);
    parts.push(
      `<rect x="${r(x0)}" y="${r(sy(c))}" width="${r(w)}" height="${r(HEIGHT - M.bottom - sy(c))}" fill="${spec.color}">` +
        `<title>${x(`${fmt(i * spec.binWidth)}–${fmt((i + 1) * spec.binWidth)}: ${c}`)}</title></rect>`,
    );
  });
  for (const t of niceTicks(0, xMax, 8)) {
    parts.push(`<line x1="${r(sx(t))}" y1="${HEIGHT - M.bottom}" x2="${r(sx(t))}" y2="${HEIGHT - M.bottom + 4}" stroke="${AXIS}"/>`);
    parts.push(text(sx(t), HEIGHT - M.bottom + 16, fmt(t)));
  }
  parts.push(`<line x1="${M.left}" y1="${HEIGHT - M.bottom}" x2="${WIDTH - M.right}" y2="${HEIGHT - M.bottom}" stroke="${AXIS}"/>`);
  parts.push(text(M.left + PLOT_W / 2, HEIGHT - 6, spec.xLabel));
  (spec.markers ?? []).forEach((m, i) => {
    const px = sx(Math.min(m.at, xMax));
    parts.push(`<line x1="${r(px)}" y1="${M.top}" x2="${r(px)}" y2="${HEIGHT - M.bottom}" stroke="#b00020" stroke-dasharray="4 3"/>`);
    parts.push(text(px + 3, M.top + 10 + 12 * i, m.label, 'start', '', '#b00020'));
  });
  if (bins === 0) parts.push(text(M.left + PLOT_W / 2, M.top + PLOT_H / 2, 'no samples'));
  parts.push('</svg>');
  return parts.join('');
}
