import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/clock/virtual-clock.ts';
import type { TimerTarget } from '../src/clock/timer-queue.ts';

/** Something that reschedules itself with no delay for ever: time can never move past `at`. */
function spinner(clock: VirtualClock): TimerTarget & { fired: number } {
  const target = {
    fired: 0,
    onTimer() {
      target.fired++;
      clock.after(0, target, 0);
    },
  };
  clock.at(5, target, 0);
  return target;
}

describe('VirtualClock.runUntil at an instant that never ends', () => {
  it('lets the event loop in, so an abort from outside (Ctrl-C) is heard', async () => {
    const clock = new VirtualClock();
    const spin = spinner(clock);
    const controller = new AbortController();
    // a real timer: it can only run if runUntil yields to the event loop mid-instant
    const timer = setTimeout(() => controller.abort(), 50);
    try {
      await expect(clock.runUntil(1000, controller.signal)).resolves.toBe(true);
    } finally {
      clearTimeout(timer);
    }
    expect(clock.now()).toBe(5);
    expect(spin.fired).toBeGreaterThan(0);
    expect(clock.stall).toBeUndefined();
  });

  it('gives up past its cap of timers at one instant and says where it stood still', async () => {
    const clock = new VirtualClock({ maxTimersPerInstant: 25_000 });
    const spin = spinner(clock);
    await expect(clock.runUntil(1000)).resolves.toBe(true);
    expect(clock.stall).toEqual({ at: 5, timers: 25_000 });
    expect(spin.fired).toBe(25_000);
  });

  it('counts per instant: many timers spread over time are not a stall', async () => {
    const clock = new VirtualClock({ maxTimersPerInstant: 10 });
    const target = { fired: 0, onTimer: () => target.fired++ };
    for (let t = 0; t < 100; t++) for (let i = 0; i < 10; i++) clock.at(t, target, 0);
    await expect(clock.runUntil(1000)).resolves.toBe(false);
    expect(target.fired).toBe(1000);
    expect(clock.stall).toBeUndefined();
    expect(clock.now()).toBe(1000);
  });
});
