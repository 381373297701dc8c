import type { TimerEntry, TimerTarget } from './timer-queue.ts';

/**
 * Scenario time, in milliseconds since the run started. Every component reads time and sets
 * timers through this, so the runner can compress time (`timeScale`) or, later, virtualise it.
 */
export interface Clock {
  readonly timeScale: number;
  now(): number;
  /** Calls target.onTimer(kind) at scenario time `time` (or at once if that is past). */
  at(time: number, target: TimerTarget, kind: number): TimerEntry;
  after(delay: number, target: TimerTarget, kind: number): TimerEntry;
  cancel(entry: TimerEntry | null | undefined): void;
  sleep(delay: number): Promise<void>;
  /** Wall-clock milliseconds that a scenario duration takes. */
  toRealMs(scenarioMs: number): number;
  stop(): void;
}
