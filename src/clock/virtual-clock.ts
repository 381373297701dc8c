import type { Clock } from './clock.ts';
import { TimerQueue, type TimerEntry, type TimerTarget } from './timer-queue.ts';

/**
 * Timers fired at one instant between two turns of the event loop. Fixed counts keep the yields
 * (and so the order of everything) the same for a seed; a turn lets signals (Ctrl-C) in.
 */
const YIELD_EVERY = 10_000;

/** What a virtual clock that makes no progress says about it. */
export interface ClockStall {
  /** The instant time stood still at (scenario ms). */
  at: number;
  timers: number;
}

/**
 * Virtual time: no real timers. Time stands still while the world has work queued (immediates,
 * ticks, promise jobs) and jumps to the next timer once it is idle. With the memory transport
 * and an in-process cache there is no real I/O either, so the same seed runs the same ops in
 * the same order: the history is the same, byte for byte, on any machine, at any load.
 */
export class VirtualClock implements Clock {
  /** Not compressed real time: nothing here waits for a wall clock. */
  readonly timeScale = 1;
  private readonly queue = new TimerQueue();
  private time = 0;
  private stopped = false;
  private firedAtInstant = 0;
  private readonly maxTimersPerInstant: number;
  /** Set when runUntil gave up on an instant that never ends (a zero-delay loop). */
  stall: ClockStall | undefined;

  /**
   * `maxTimersPerInstant`: more timers than this at one instant means something reschedules
   * itself with no delay for ever (time would never move on); the run is stopped instead.
   */
  constructor(options: { maxTimersPerInstant?: number } = {}) {
    this.maxTimersPerInstant = options.maxTimersPerInstant ?? Infinity;
  }

  now(): number {
    return this.time;
  }

  toRealMs(scenarioMs: number): number {
    return scenarioMs;
  }

  at(time: number, target: TimerTarget, kind: number): TimerEntry {
    return this.queue.push(Math.max(time, this.time), target, kind);
  }

  after(delay: number, target: TimerTarget, kind: number): TimerEntry {
    return this.at(this.time + Math.max(0, delay), target, kind);
  }

  cancel(entry: TimerEntry | null | undefined): void {
    if (entry) entry.target = null;
  }

  sleep(delay: number): Promise<void> {
    return new Promise((resolve) => this.after(delay, { onTimer: () => resolve() }, 0));
  }

  stop(): void {
    this.stopped = true;
    this.queue.clear();
  }

  /**
   * Runs the world until scenario time `until` (or an abort): settle, fire every timer due at
   * the earliest instant, settle again, and so on. Returns true if aborted, or stalled (`stall`).
   */
  async runUntil(until: number, signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      await settle();
      if (signal?.aborted) return true;
      if (this.stopped) return false;
      const next = this.queue.peekTime();
      if (next === undefined || next > until) {
        this.time = Math.max(this.time, until);
        return false;
      }
      if (next !== this.time) this.firedAtInstant = 0;
      this.time = next;
      // timers set for this same instant while these fire run in this pass too, in order
      while (!this.stopped && this.queue.peekTime() === next) {
        if (signal?.aborted) return true;
        if (this.firedAtInstant >= this.maxTimersPerInstant) {
          this.stall = { at: next, timers: this.firedAtInstant };
          return true;
        }
        const entry = this.queue.pop()!;
        const target = entry.target;
        entry.target = null;
        target?.onTimer(entry.kind);
        // a long instant must not keep Ctrl-C out
        if (++this.firedAtInstant % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
}

/**
 * Waits until nothing is queued on the event loop but timers and I/O: promise jobs and ticks
 * run before an immediate, so once an immediate finds no other immediate pending, the world
 * has nothing left to do at this instant. Checked twice, since a job may queue one late.
 */
export async function settle(): Promise<void> {
  let quiet = 0;
  while (quiet < 2) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    quiet = process.getActiveResourcesInfo().includes('Immediate') ? 0 : quiet + 1;
  }
}
