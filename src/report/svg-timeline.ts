import type { RunSummary } from './summary.ts';
import { formatNumber, niceTicks, r } from './svg-chart.ts';
import { escapeXml as x } from './xml-text.ts';

/** The run at a glance: one lane per fault (scheduled and actual), storms, transfers, violations. */

const WIDTH = 800;
const LEFT = 150;
const RIGHT = 16;
const LANE = 22;
const TOP = 8;
const AXIS_H = 34;
const INK = '#555';

interface Lane {
  label: string;
  marks: string[];
}

export function timelineChart(s: RunSummary): string {
  const xMax = Math.max(1, s.scenario.durationMs);
  const sx = (t: number) => LEFT + (Math.min(Math.max(0, t), xMax) / xMax) * (WIDTH - LEFT - RIGHT);
  const lanes: Lane[] = [];
  const y = (lane: number) => TOP + lane * LANE;

  for (const f of s.faults) {
    const lane = lanes.length;
    const marks = [
      `<rect x="${r(sx(f.scheduledAt))}" y="${y(lane) + 4}" width="${r(Math.max(1, sx(f.scheduledHealAt) - sx(f.scheduledAt)))}" height="${LANE - 8}" ` +
        `fill="none" stroke="#e76f51" stroke-dasharray="3 2"><title>${x(`${f.id} scheduled ${sec(f.scheduledAt)}–${sec(f.scheduledHealAt)}`)}</title></rect>`,
    ];
    if (f.injectedAt !== undefined) {
      const end = f.healedAt ?? xMax;
      marks.push(
        `<rect data-fault="${x(f.id)}" x="${r(sx(f.injectedAt))}" y="${y(lane) + 4}" width="${r(Math.max(2, sx(end) - sx(f.injectedAt)))}" height="${LANE - 8}" ` +
          `fill="#e76f51" fill-opacity="0.75"><title>${x(`${f.description}: injected ${sec(f.injectedAt)}, healed ${f.healedAt === undefined ? 'never' : sec(f.healedAt)}${f.effect ? ` (${f.effect})` : ''}`)}</title></rect>`,
      );
    }
    lanes.push({ label: f.id, marks });
  }
  for (const st of s.storms) {
    const lane = lanes.length;
    const end = st.restoredAt + st.timeToReconnect.max;
    lanes.push({
      label: `storm after ${st.fault}`,
      marks: [
        `<rect x="${r(sx(st.restoredAt))}" y="${y(lane) + 4}" width="${r(Math.max(2, sx(end) - sx(st.restoredAt)))}" height="${LANE - 8}" fill="#2a9d8f" fill-opacity="0.7">` +
          `<title>${x(`${st.reconnected}/${st.dropped} cameras back; reconnect p50 ${sec(st.timeToReconnect.p50)}, p99 ${sec(st.timeToReconnect.p99)}, max ${sec(st.timeToReconnect.max)}`)}</title></rect>`,
      ],
    });
  }
  if (s.transfers.length > 0) {
    const lane = lanes.length;
    lanes.push({
      label: 'ownership transfers',
      marks: s.transfers.map(
        (t) => `<path d="M${r(sx(t.at))} ${y(lane) + 4} l5 7 l-5 7 l-5 -7 z" fill="#264653"><title>${x(`${t.devices} devices moved at ${sec(t.at)}`)}</title></path>`,
      ),
    });
  }
  lanes.push({ label: 'violations', marks: violationTicks(s, sx, y(lanes.length)) });

  const height = TOP + lanes.length * LANE + AXIS_H;
  const parts = [
    `<svg data-chart="timeline" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="timeline" font-family="system-ui, sans-serif" font-size="11">`,
    '<title>timeline: faults, storms, transfers and violations over scenario time</title>',
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
  ];
  lanes.forEach((lane, i) => {
    if (i % 2 === 0) parts.push(`<rect x="${LEFT}" y="${y(i)}" width="${WIDTH - LEFT - RIGHT}" height="${LANE}" fill="#f6f6f6"/>`);
    parts.push(`<text x="${LEFT - 8}" y="${y(i) + LANE / 2 + 4}" text-anchor="end" fill="${INK}">${x(truncate(lane.label, 24))}</text>`);
    parts.push(...lane.marks);
  });
  const axisY = TOP + lanes.length * LANE;
  parts.push(`<line x1="${LEFT}" y1="${axisY}" x2="${WIDTH - RIGHT}" y2="${axisY}" stroke="${INK}"/>`);
  for (const t of niceTicks(0, xMax / 1000, 8)) {
    const px = sx(t * 1000);
    parts.push(`<line x1="${r(px)}" y1="${axisY}" x2="${r(px)}" y2="${axisY + 4}" stroke="${INK}"/>`);
    parts.push(`<text x="${r(px)}" y="${axisY + 16}" text-anchor="middle" fill="${INK}">${formatNumber(t)}s</text>`);
  }
  parts.push(`<text x="${LEFT + (WIDTH - LEFT - RIGHT) / 2}" y="${axisY + 30}" text-anchor="middle" fill="${INK}">scenario time</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/** Violations per bucket from the time series (every violation counted), else the ones the summary holds. */
function violationTicks(s: RunSummary, sx: (t: number) => number, top: number): string[] {
  const ts = s.timeSeries;
  const ticks: { at: number; n: number }[] = [];
  if (ts && ts.t.length > 0) {
    ts.violations.forEach((v, i) => {
      const n = v - (ts.violations[i - 1] ?? 0);
      if (n > 0) ticks.push({ at: ts.t[i], n });
    });
  } else {
    for (const v of s.violations) ticks.push({ at: v.receivedAt, n: 1 });
  }
  const most = Math.max(1, ...ticks.map((t) => t.n));
  return ticks.map(
    (t) =>
      `<rect x="${r(sx(t.at) - 1)}" y="${top + 3}" width="2.5" height="${LANE - 6}" fill="#b00020" fill-opacity="${r(0.35 + (0.65 * t.n) / most)}">` +
      `<title>${x(`${t.n} violation${t.n === 1 ? '' : 's'} by ${sec(t.at)}`)}</title></rect>`,
  );
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
const truncate = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
