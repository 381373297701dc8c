import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Each measurement runs in a child process (same node binary and flags as the bench): a clean
 * heap for the heap figures, no JIT or GC state carried from one measurement to the next, and a
 * crash (e.g. a stack overflow inside the broker at 100k) is reported, not fatal to the bench.
 * The bare baseline and the full pipeline of one size share a child: same process, side by side.
 *
 * A child prints each result as one line `@@bench-result <json>` on stdout; everything else it
 * writes (progress) is passed through to our stderr.
 */
export const RESULT_MARK = '@@bench-result ';

const ENTRY = fileURLToPath(new URL('./task-entry.ts', import.meta.url));

export interface ChildOutcome {
  results: Record<string, unknown>[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The child's last stderr lines when it failed (the error). */
  errorTail: string[];
  wallSeconds: number;
}

/** Runs one measurement in a child (same node and flags); `entry` defaults to task-entry.ts. */
export function runChild(args: string[], timeoutMs: number, entry: string = ENTRY): Promise<ChildOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const results: Record<string, unknown>[] = [];
    const tail: string[] = [];
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith(RESULT_MARK)) results.push(JSON.parse(line.slice(RESULT_MARK.length)) as Record<string, unknown>);
        else process.stderr.write(`${line}\n`);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      process.stderr.write(chunk);
      tail.push(...chunk.split('\n').filter((l) => l.trim() !== ''));
      tail.splice(0, Math.max(0, tail.length - 40));
    });
    const timer = setTimeout(() => {
      tail.push(`bench: killed after ${timeoutMs / 1000} s`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({
        results,
        exitCode,
        signal,
        errorTail: exitCode === 0 ? [] : tail,
        wallSeconds: (performance.now() - started) / 1000,
      });
    });
  });
}

/** The first line that names an error (e.g. `RangeError: Maximum call stack size exceeded`) and where. */
export function summarizeFailure(outcome: ChildOutcome): string {
  const lines = outcome.errorTail;
  const i = lines.findIndex((l) => /^\w*(Error|Exception)\b|^Error:|bench: killed/.test(l.trim()));
  if (i < 0) return `exit ${outcome.exitCode ?? outcome.signal}: ${lines.slice(-3).join(' | ')}`;
  const at = lines.slice(i + 1).find((l) => l.trim().startsWith('at '));
  return `${lines[i].trim()}${at ? ` (${at.trim()})` : ''}`;
}
