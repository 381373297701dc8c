import type { ChalkInstance } from 'chalk';
import type { RunSnapshot } from '../../metrics/run-snapshot.ts';
import type { ProgressDisplay } from './progress-display.ts';
import { FaultWatcher, faultLine, plainLine } from './progress-format.ts';

/** Where nothing can be redrawn: one status line every few seconds, fault injections and heals as they happen. */
export class PlainProgress implements ProgressDisplay {
  private readonly out: NodeJS.WritableStream;
  private readonly c: ChalkInstance;
  private readonly everyMs: number;
  private readonly faultPollMs: number;
  private readonly faults = new FaultWatcher();
  private snapshot: (() => RunSnapshot) | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor(out: NodeJS.WritableStream, c: ChalkInstance, options: { everyMs?: number; faultPollMs?: number } = {}) {
    this.out = out;
    this.c = c;
    this.everyMs = options.everyMs ?? 2000;
    this.faultPollMs = options.faultPollMs ?? 250;
  }

  attach(snapshot: () => RunSnapshot): void {
    this.snapshot = snapshot;
    this.timers = [setInterval(() => this.status(), this.everyMs).unref(), setInterval(() => this.pollFaults(), this.faultPollMs).unref()];
  }

  note(line: string): void {
    this.out.write(line + '\n');
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.pollFaults();
    this.snapshot = undefined;
  }

  private pollFaults(): void {
    if (!this.snapshot) return;
    const s = this.snapshot();
    for (const e of this.faults.poll(s.faults)) this.out.write(faultLine(this.c, e, s.durationMs) + '\n');
  }

  private status(): void {
    if (!this.snapshot) return;
    this.pollFaults();
    this.out.write(this.c.dim(plainLine(this.snapshot())) + '\n');
  }
}
