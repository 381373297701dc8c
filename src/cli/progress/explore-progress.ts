import type { ChalkInstance } from 'chalk';
import type { ExploreProgress } from '../../explore/explore-search.ts';

/**
 * The explorer's progress on stderr. On a terminal one line, redrawn at most every 100 ms: the
 * phase, runs done, the draft running now and (shrinking) the smallest that still FAILs. Elsewhere
 * a plain line when the phase changes and every tenth run, so a CI log stays short.
 */
export class ExploreProgressLine {
  private readonly stream: NodeJS.WriteStream;
  private readonly c: ChalkInstance;
  private readonly tty: boolean;
  private lastDraw = 0;
  private lastPhase: ExploreProgress['phase'] | undefined;
  private drawn = false;

  constructor(stream: NodeJS.WriteStream, c: ChalkInstance) {
    this.stream = stream;
    this.c = c;
    this.tty = stream.isTTY === true && process.env.CI === undefined;
  }

  update(p: ExploreProgress): void {
    const line = this.line(p);
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && p.phase === this.lastPhase) return;
      this.lastDraw = now;
      const width = this.stream.columns ?? 120;
      this.stream.write(`\r\x1b[2K${line.length > width - 1 ? line.slice(0, width - 2) + '…' : line}`);
      this.drawn = true;
    } else if (p.phase !== this.lastPhase || (p.phase === 'search' ? p.runs : p.shrinkRuns) % 10 === 0) {
      this.stream.write(line + '\n');
    }
    this.lastPhase = p.phase;
  }

  stop(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  private line(p: ExploreProgress): string {
    const { c } = this;
    if (p.phase === 'search') {
      return `${c.cyan('explore')} run ${p.runs}  ${seconds(p.elapsedMs)} / ${seconds(p.budgetMs)}  ${c.dim('now:')} ${p.shape}`;
    }
    return `${c.yellow('shrink')} run ${p.shrinkRuns}  ${c.dim('best:')} ${p.best ?? '-'}  ${c.dim('trying:')} ${p.shape}`;
  }
}

/** `42s`, `9m 30s`: a budget and the time spent of it. */
export function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? ` ${s % 60}s` : ''}`;
}
