import type { ChalkInstance } from 'chalk';
import type { RunSnapshot } from '../runner/run-snapshot.ts';
import { PlainProgress } from './progress-plain.ts';
import { TtyProgress } from './progress-tty.ts';

/** Live progress on stderr while a run goes on. */
export interface ProgressDisplay {
  /** Starts showing the run; `snapshot` may be called at any time. */
  attach(snapshot: () => RunSnapshot): void;
  /** A line of its own (e.g. "interrupted…"), printed above any status block. */
  note(line: string): void;
  /** Shows the final state once and stops; the status block is cleared from a terminal. */
  stop(): void;
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** A redrawn status block on an interactive terminal; otherwise (a pipe, a log file, CI) plain lines. */
export function createProgress(stream: NodeJS.WriteStream, c: ChalkInstance, env: NodeJS.ProcessEnv = process.env): ProgressDisplay {
  return stream.isTTY && !isCi(env) ? new TtyProgress(stream, c) : new PlainProgress(stream, c);
}
