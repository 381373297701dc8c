import { spawn } from 'node:child_process';
import { CLI } from './run-cli.ts';

/** `name{labels} value` lines of a Prometheus text exposition, by series. */
export function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

export interface ScrapedRun {
  /** The /metrics URL the run announced on stderr. */
  url: string;
  /** Its exit code, once it exits (killed past `timeoutMs`). */
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

/** `crosswire <args>` (with --metrics-port) in a child process, once it has announced its metrics URL. */
export async function startAnnouncingMetrics(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ScrapedRun> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve)).finally(() => clearTimeout(guard));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      const match = /Prometheus metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr);
      if (match) resolve(match[1]);
    });
    child.on('close', () => reject(new Error(`exited before announcing metrics: ${stderr}`)));
  });
  return { url, exited, stdout: () => stdout, stderr: () => stderr };
}
