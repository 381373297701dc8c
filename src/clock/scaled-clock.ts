import { performance } from 'node:perf_hooks';
import type { Clock } from './clock.ts';
import { TimerQueue, type TimerEntry, type TimerTarget } from './timer-queue.ts';

/** Timers due at once are run in slices so sockets and the broker get the event loop between. */
const SLICE = 2000;

/** Real time, compressed by timeScale: one real millisecond is `timeScale` scenario milliseconds. */
export class ScaledClock implements Clock {
  readonly timeScale: number;
  private origin = performance.now();
  private readonly queue = new TimerQueue();
  private armed: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private stopped = false;
  private firing = false;

  constructor(timeScale: number) {
    this.timeScale = timeScale;
  }

  now(): number {
    return (performance.now() - this.origin) * this.timeScale;
  }

  /**
   * Scenario time 0 is now: called once the world is built, so starting private servers and
   * the broker does not eat scenario time (at 1000× a second of start-up is 17 minutes).
   */
  startNow(): void {
    this.origin = performance.now();
    if (this.queue.peekTime() !== undefined && !this.firing) this.arm();
  }

  toRealMs(scenarioMs: number): number {
    return scenarioMs / this.timeScale;
  }

  at(time: number, target: TimerTarget, kind: number): TimerEntry {
    const entry = this.queue.push(time, target, kind);
    // while firing, fire() re-arms once at the end instead of once per new timer
    if (time < this.armedFor && !this.firing) this.arm();
    return entry;
  }

  after(delay: number, target: TimerTarget, kind: number): TimerEntry {
    return this.at(this.now() + Math.max(0, delay), target, kind);
  }

  cancel(entry: TimerEntry | null | undefined): void {
    if (entry) entry.target = null;
  }

  sleep(delay: number): Promise<void> {
    return new Promise((resolve) => this.after(delay, { onTimer: () => resolve() }, 0));
  }

  stop(): void {
    this.stopped = true;
    if (this.armed) clearTimeout(this.armed);
    this.armed = undefined;
    this.queue.clear();
  }

  private arm(): void {
    if (this.stopped) return;
    const next = this.queue.peekTime();
    if (this.armed) clearTimeout(this.armed);
    this.armed = undefined;
    this.armedFor = next ?? Infinity;
    if (next === undefined) return;
    const wait = Math.max(0, (next - this.now()) / this.timeScale);
    this.armed = setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    this.armed = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    let ran = 0;
    this.firing = true;
    try {
      for (;;) {
        const time = this.queue.peekTime();
        if (time === undefined || time > now || this.stopped) break;
        if (ran++ >= SLICE) {
          this.armedFor = -Infinity; // a slice is pending: nothing needs arming meanwhile
          setImmediate(() => this.fire());
          return;
        }
        const entry = this.queue.pop()!;
        const target = entry.target;
        entry.target = null;
        target?.onTimer(entry.kind);
      }
    } finally {
      this.firing = false;
    }
    this.arm();
  }
}
