import type { ChalkInstance } from 'chalk';
import type { ProgressDisplay } from './progress-display.ts';
import { PlainProgress } from './progress-plain.ts';
import { TtyProgress } from './progress-tty.ts';

export function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** A redrawn status block on an interactive terminal; otherwise (a pipe, a log file, CI) plain lines. */
export function createProgress(stream: NodeJS.WriteStream, c: ChalkInstance, env: NodeJS.ProcessEnv = process.env): ProgressDisplay {
  return stream.isTTY && !isCi(env) ? new TtyProgress(stream, c) : new PlainProgress(stream, c);
}
