import type { ChalkInstance } from 'chalk';
import type { RunSnapshot } from '../../metrics/run-snapshot.ts';
import type { ProgressDisplay } from './progress-display.ts';
import { FaultWatcher, faultLine, renderSegments, statusBlock } from './progress-format.ts';

/** At most ten redraws a second: enough to feel live, cheap for a busy event loop. */
export const REDRAW_MS = 100;

const ERASE_DOWN = '\x1b[0J';
const up = (lines: number) => (lines > 0 ? `\r\x1b[${lines}A` : '\r');

/**
 * A status block at the bottom of the terminal, redrawn in place; fault injections and heals,
 * and notes, scroll above it as ordinary lines.
 */
export class TtyProgress implements ProgressDisplay {
  private readonly out: NodeJS.WriteStream;
  private readonly c: ChalkInstance;
  private readonly faults = new FaultWatcher();
  private snapshot: (() => RunSnapshot) | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Lines of the block currently on screen. */
  private drawn = 0;
  redraws = 0;

  constructor(out: NodeJS.WriteStream, c: ChalkInstance) {
    this.out = out;
    this.c = c;
  }

  attach(snapshot: () => RunSnapshot): void {
    this.snapshot = snapshot;
    this.draw();
    this.timer = setInterval(() => this.draw(), REDRAW_MS).unref();
  }

  note(line: string): void {
    if (this.snapshot) this.draw(`${line}\n`);
    else this.out.write(`${line}\n`);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.draw();
    // the block goes; the summary that follows says where the run ended
    this.out.write(`${up(this.drawn)}${ERASE_DOWN}`);
    this.drawn = 0;
    this.snapshot = undefined;
  }

  /** `before`: lines to print above the block in the same frame. */
  private draw(before = ''): void {
    if (!this.snapshot) return;
    const s = this.snapshot();
    const width = Math.max(20, (this.out.columns || 80) - 1);
    const above = this.faults.poll(s.faults).map((e) => faultLine(this.c, e, s.durationMs) + '\n');
    const block = statusBlock(s).map((line) => renderSegments(this.c, line, width) + '\n');
    // one write per frame: no flicker, no interleaving with other output
    this.out.write(`${up(this.drawn)}${ERASE_DOWN}${before}${above.join('')}${block.join('')}`);
    this.drawn = block.length;
    this.redraws++;
  }
}
