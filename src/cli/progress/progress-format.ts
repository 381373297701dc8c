import type { ChalkInstance } from 'chalk';
import type { FaultWindow } from '../../history/fault-window.ts';
import type { RunSnapshot } from '../../metrics/run-snapshot.ts';
import { clockOffset } from '../../fields/duration.ts';

/** What the progress displays print, as pure functions of a snapshot. */

const n = (v: number) => v.toLocaleString('en-US');
const s1 = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** Scenarios at least this long (an incident replay) show scenario time as `+HH:MM:SS`, as their timelines are written. */
export const CLOCK_OFFSET_FROM_MS = 10 * 60_000;

/** Scenario time as the scenario is written: `12.3s` in a short run, `+02:55:00` in a long one. */
export function scenarioTime(ms: number, durationMs: number): string {
  return durationMs >= CLOCK_OFFSET_FROM_MS ? clockOffset(ms) : s1(ms);
}

export function formatMs(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1) return `${Number(ms.toPrecision(2))}ms`;
  if (ms < 1000) return `${Number(ms.toPrecision(3))}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

/** A segment of a status line: text, and how to colour it. */
export type Segment = [text: string, style?: (c: ChalkInstance, text: string) => string];

const red = (c: ChalkInstance, t: string) => c.bold.red(t);
const dim = (c: ChalkInstance, t: string) => c.dim(t);
const bold = (c: ChalkInstance, t: string) => c.bold(t);
const yellow = (c: ChalkInstance, t: string) => c.yellow(t);

/** The TTY status block, one array of segments per line. */
export function statusBlock(s: RunSnapshot): Segment[][] {
  const violations: Segment = [`violations ${n(s.violations)}`, s.violations > 0 ? red : undefined];
  return [
    [['crosswire ', dim], [s.stage, bold], [`  t=${scenarioTime(s.t, s.durationMs)} / ${scenarioTime(s.durationMs, s.durationMs)}`], [`  elapsed ${s1(s.elapsedRealMs)}`, dim]],
    [
      [`cameras ${n(s.camerasConnected)}/${n(s.cameras)} up`],
      [` · ${n(s.camerasInBackoff)} in backoff`, s.camerasInBackoff > 0 ? yellow : undefined],
      [` · ${n(s.camerasGaveUp)} failed`, s.camerasGaveUp > 0 ? red : undefined],
      [`   viewers ${n(s.viewersOnline)}/${n(s.viewers)}`],
    ],
    [[`thumbnails ${n(s.thumbnailsPerSecond)}/s`], [`   cache p50 ${formatMs(s.cacheP50Ms)} p99 ${formatMs(s.cacheP99Ms)}   `], violations],
  ];
}

/** One plain line for logs and CI (no cursor movement); `t=` first, as the old progress line had. */
export function plainLine(s: RunSnapshot): string {
  return (
    `t=${scenarioTime(s.t, s.durationMs)}/${scenarioTime(s.durationMs, s.durationMs)} ${s.stage}: cameras up ${s.camerasConnected}/${s.cameras} backoff ${s.camerasInBackoff} failed ${s.camerasGaveUp} ` +
    `viewers ${s.viewersOnline}/${s.viewers} thumbnails/s ${s.thumbnailsPerSecond} cache p50 ${formatMs(s.cacheP50Ms)} p99 ${formatMs(s.cacheP99Ms)} ` +
    `violations ${s.violations}`
  );
}

/** Renders segments, cut to `width` visible characters so a line never wraps (wrapping breaks redraw). */
export function renderSegments(c: ChalkInstance, segments: Segment[], width = Infinity): string {
  let room = width;
  let out = '';
  for (const [text, style] of segments) {
    if (room <= 0) break;
    const part = [...text].length > room ? [...text].slice(0, Math.max(0, room - 1)).join('') + '…' : text;
    room -= [...part].length;
    out += style ? style(c, part) : part;
  }
  return out;
}

export interface FaultEvent {
  kind: 'inject' | 'heal';
  window: FaultWindow;
}

/** Turns the live fault windows into inject/heal events, each reported once. */
export class FaultWatcher {
  private readonly seen = new Map<FaultWindow, { injected: boolean; healed: boolean }>();

  poll(windows: readonly FaultWindow[]): FaultEvent[] {
    const events: FaultEvent[] = [];
    for (const window of windows) {
      const state = this.seen.get(window) ?? { injected: false, healed: false };
      this.seen.set(window, state);
      if (!state.injected && window.injectedAt !== undefined) {
        state.injected = true;
        events.push({ kind: 'inject', window });
      }
      if (!state.healed && window.healedAt !== undefined) {
        state.healed = true;
        events.push({ kind: 'heal', window });
      }
    }
    return events;
  }
}

/** `durationMs`: the scenario's, which decides how times read (see scenarioTime). */
export function faultLine(c: ChalkInstance, e: FaultEvent, durationMs = 0): string {
  const w = e.window;
  if (e.kind === 'inject') {
    return `${c.dim(`t=${scenarioTime(w.injectedAt!, durationMs)}`)} ${c.yellow('▼ fault')} ${c.bold(w.id)}: ${w.description}${w.effect ? c.dim(` (${w.effect})`) : ''}`;
  }
  return `${c.dim(`t=${scenarioTime(w.healedAt!, durationMs)}`)} ${c.green('▲ healed')} ${c.bold(w.id)}`;
}
