import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** performance.now() when the process exited. */
  exitedAt: number;
  /** performance.now() when stdout first matched `watch`, if it did. */
  watchedAt?: number;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** The working directory (default: this process's), where relative paths such as --out-dir resolve. */
  cwd?: string;
  timeoutMs?: number;
  /** Notes when stdout first matches (e.g. the verdict line), to time what follows it. */
  watch?: RegExp;
  /** Kill the process this long after `watch` matched, if it is still running. */
  killAfterWatchMs?: number;
}

/**
 * `crosswire <args>` in a child process (the Node running the tests: npm test puts Node 24 on
 * PATH), without colour unless asked; killed if it outlives `timeoutMs`. `env` entries set to
 * undefined are removed from the child's environment.
 */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    let exitedAt = 0;
    let watchedAt: number | undefined;
    let afterWatch: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      if (watchedAt !== undefined || options.watch === undefined || !options.watch.test(stdout)) return;
      watchedAt = performance.now();
      if (options.killAfterWatchMs !== undefined) afterWatch = setTimeout(() => child.kill('SIGKILL'), options.killAfterWatchMs);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('exit', () => (exitedAt = performance.now()));
    child.on('close', (code) => {
      clearTimeout(guard);
      clearTimeout(afterWatch);
      resolve({ code, stdout, stderr, exitedAt, watchedAt });
    });
  });
}
