import { Chalk } from 'chalk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgress } from '../src/cli/progress/create-progress.ts';
import { PlainProgress } from '../src/cli/progress/progress-plain.ts';
import { TtyProgress } from '../src/cli/progress/progress-tty.ts';
import type { FaultWindow } from '../src/history/fault-window.ts';
import type { RunSnapshot } from '../src/metrics/run-snapshot.ts';

function fakeStream(isTTY: boolean, columns = 120): NodeJS.WriteStream & { text: string; writes: number } {
  const stream = {
    isTTY,
    columns,
    text: '',
    writes: 0,
    write(chunk: string) {
      stream.text += chunk;
      stream.writes++;
      return true;
    },
  };
  return stream as unknown as NodeJS.WriteStream & { text: string; writes: number };
}

const outage: FaultWindow = { id: 'broker-outage', description: 'broker outage for 15000ms', scheduledAt: 20_000, scheduledHealAt: 35_000 };

function snapshot(over: Partial<RunSnapshot> = {}): RunSnapshot {
  return {
    stage: 'steady',
    t: 12_300,
    durationMs: 70_000,
    elapsedRealMs: 1230,
    cameras: 2000,
    camerasConnected: 1990,
    camerasInBackoff: 10,
    camerasGaveUp: 0,
    viewers: 900,
    viewersOnline: 880,
    thumbnailsPerSecond: 412,
    cacheP50Ms: 0.012,
    cacheP99Ms: 0.25,
    violations: 0,
    faults: [],
    ...over,
  };
}

const strip = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('the TTY status block', () => {
  it('redraws in place at most ten times a second', () => {
    const out = fakeStream(true);
    const progress = new TtyProgress(out, new Chalk({ level: 0 }));
    progress.attach(() => snapshot());
    vi.advanceTimersByTime(3000);
    expect(progress.redraws).toBeLessThanOrEqual(31); // the first frame, then ≤ 10 per second
    expect(progress.redraws).toBeGreaterThanOrEqual(25);
    expect(out.text).toContain('\r\x1b[3A\x1b[0J'); // back to the block's first line, erase, redraw
    expect(strip(out.text)).toContain('cameras 1,990/2,000 up · 10 in backoff · 0 failed');
    progress.stop();
    expect(out.text.endsWith('\r\x1b[3A\x1b[0J')).toBe(true); // the block is cleared at the end
  });

  it('prints fault injections and heals once each, as lines above the block', () => {
    const out = fakeStream(true);
    const window: FaultWindow = { ...outage };
    const progress = new TtyProgress(out, new Chalk({ level: 0 }));
    progress.attach(() => snapshot({ faults: [window] }));
    vi.advanceTimersByTime(300);
    window.injectedAt = 20_001;
    window.effect = '442 connections dropped';
    vi.advanceTimersByTime(500);
    window.healedAt = 35_002;
    vi.advanceTimersByTime(500);
    progress.stop();
    const text = strip(out.text);
    expect(text.match(/▼ fault broker-outage: broker outage for 15000ms \(442 connections dropped\)/g)).toHaveLength(1);
    expect(text.match(/▲ healed broker-outage/g)).toHaveLength(1);
    // the fault line is written right after the old block is erased, before the new block
    expect(out.text).toMatch(/\x1b\[0Jt=20\.0s ▼ fault[^\n]*\ncrosswire /);
  });

  it('shows violations in red, and never wraps a line', () => {
    const out = fakeStream(true, 40);
    const progress = new TtyProgress(out, new Chalk({ level: 1 }));
    progress.attach(() => snapshot({ violations: 5, cacheP99Ms: 1234 }));
    progress.stop();
    const frame = out.text.split('\x1b[0J')[1];
    for (const line of frame.split('\n').filter(Boolean)) expect([...strip(line)].length).toBeLessThanOrEqual(39);
    const wide = fakeStream(true, 200);
    const p2 = new TtyProgress(wide, new Chalk({ level: 1 }));
    p2.attach(() => snapshot({ violations: 5 }));
    p2.stop();
    expect(wide.text).toContain('\x1b[1m\x1b[31mviolations 5\x1b[39m\x1b[22m');
  });

  it('prints a note above the block', () => {
    const out = fakeStream(true);
    const progress = new TtyProgress(out, new Chalk({ level: 0 }));
    progress.attach(() => snapshot());
    progress.note('interrupted: healing faults');
    progress.stop();
    expect(out.text).toMatch(/\x1b\[0Jinterrupted: healing faults\ncrosswire /);
  });
});

describe('plain progress (no TTY, or CI)', () => {
  it('prints one line every two seconds and fault events as they happen, without cursor movement', () => {
    const out = fakeStream(false);
    const window: FaultWindow = { ...outage };
    const progress = new PlainProgress(out, new Chalk({ level: 0 }));
    progress.attach(() => snapshot({ faults: [window] }));
    vi.advanceTimersByTime(3000);
    window.injectedAt = 20_001;
    vi.advanceTimersByTime(7000);
    progress.stop();
    const lines = out.text.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('t=12.3s/70.0s steady: cameras up 1990/2000'))).toHaveLength(5);
    expect(lines.filter((l) => l.includes('▼ fault broker-outage'))).toHaveLength(1);
    expect(out.text).not.toContain('\x1b');
  });

  it('shows an incident replay in scenario time, as its timeline is written (+HH:MM:SS), never in milliseconds', () => {
    const out = fakeStream(false);
    const window: FaultWindow = { id: 'broker-outage', description: 'broker outage for 2h 10m: all connections dropped', scheduledAt: 2_700_000, scheduledHealAt: 10_500_000 };
    const progress = new PlainProgress(out, new Chalk({ level: 0 }));
    progress.attach(() => snapshot({ t: 10_512_345, durationMs: 12_900_000, faults: [window] }));
    window.injectedAt = 2_700_000;
    window.healedAt = 10_500_000;
    vi.advanceTimersByTime(2000);
    progress.stop();
    const lines = out.text.trimEnd().split('\n');
    expect(lines).toContain('t=+00:45:00 ▼ fault broker-outage: broker outage for 2h 10m: all connections dropped');
    expect(lines).toContain('t=+02:55:00 ▲ healed broker-outage');
    expect(lines.some((l) => l.startsWith('t=+02:55:12/+03:35:00 steady: cameras up'))).toBe(true);
    expect(out.text).not.toMatch(/\d{4,}ms|t=\d+\.\ds/);

    const tty = fakeStream(true, 200);
    const block = new TtyProgress(tty, new Chalk({ level: 0 }));
    block.attach(() => snapshot({ t: 10_512_345, durationMs: 12_900_000 }));
    vi.advanceTimersByTime(200);
    block.stop();
    expect(strip(tty.text)).toContain('t=+02:55:12 / +03:35:00');
  });

  it('is what a pipe or CI gets; a terminal outside CI gets the status block', () => {
    const c = new Chalk({ level: 0 });
    expect(createProgress(fakeStream(true), c, {})).toBeInstanceOf(TtyProgress);
    expect(createProgress(fakeStream(true), c, { CI: 'true' })).toBeInstanceOf(PlainProgress);
    expect(createProgress(fakeStream(true), c, { CI: 'false' })).toBeInstanceOf(TtyProgress);
    expect(createProgress(fakeStream(false), c, {})).toBeInstanceOf(PlainProgress);
  });
});
