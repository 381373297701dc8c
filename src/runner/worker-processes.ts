import { spawn, type ChildProcess } from 'node:child_process';
import type { RunSnapshot } from '../metrics/run-snapshot.ts';

/** One worker process to start: its command line and environment. */
export interface WorkerSpec {
  index: number;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** How a worker ended. */
export interface WorkerExit {
  index: number;
  /** Its exit code; null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last lines of its stderr (what it said about failing). */
  stderrTail: string;
}

export interface WorkerPoolOptions {
  /** Each line a worker writes on stderr, as it comes (progress, warnings). */
  onStderrLine?: (index: number, line: string) => void;
  /** Each live snapshot a worker sends (see sendSnapshotsToParent). */
  onSnapshot?: (index: number, snapshot: RunSnapshot) => void;
  /** Past this (real ms), every worker is asked to stop as on Ctrl-C. */
  deadlineMs: number;
  /** After being asked to stop, how long a worker may take to write its partial report before it is killed. */
  graceMs: number;
  /** Aborted: ask every worker to stop (Ctrl-C), then kill the ones still running after graceMs. */
  signal: AbortSignal;
}

const STDERR_TAIL_LINES = 20;
/** How long an orphaned worker may take over its partial report. */
const ORPHAN_GRACE_MS = 30_000;
/** The environment variable that tells a worker which process to outlive no longer. */
export const PARENT_PID_VARIABLE = 'CROSSWIRE_WORKER_PARENT';

/**
 * Starts every worker and waits for all of them. Each runs in a process group of its own, so a
 * Ctrl-C at the terminal reaches the parent alone, which passes it on once (a second SIGINT makes
 * a run exit without its report); a worker whose parent dies stops itself (`watchParent`). On
 * abort or past the deadline each worker gets SIGINT, then SIGKILL after the grace period: no
 * worker outlives the call.
 */
export async function runWorkers(specs: readonly WorkerSpec[], options: WorkerPoolOptions): Promise<{ exits: WorkerExit[]; timedOut: boolean }> {
  const children: ChildProcess[] = [];
  let stopping = false;
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    killTimer = setTimeout(() => {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, options.graceMs);
  };
  const deadline = setTimeout(() => {
    timedOut = true;
    stopAll();
  }, options.deadlineMs);
  options.signal.addEventListener('abort', stopAll, { once: true });
  // a parent that exits for any reason takes its workers with it
  const onExit = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', onExit);
  try {
    const exits = await Promise.all(
      specs.map(
        (spec) =>
          new Promise<WorkerExit>((resolve) => {
            const child = spawn(process.execPath, spec.args, {
              // the fourth: an IPC channel the worker sends its live snapshots on
              stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
              env: { ...spec.env, [PARENT_PID_VARIABLE]: String(process.pid) },
              detached: true,
            });
            children.push(child);
            if (options.signal.aborted) stopAll();
            let stdout = '';
            const tail: string[] = [];
            let partial = '';
            child.stdout!.on('data', (d: Buffer) => (stdout += d));
            child.on('message', (message: unknown) => {
              const m = message as Partial<SnapshotMessage> | null;
              if (m?.type === SNAPSHOT_MESSAGE && m.snapshot !== undefined) options.onSnapshot?.(spec.index, m.snapshot);
            });
            child.stderr!.on('data', (d: Buffer) => {
              const lines = (partial + d.toString()).split('\n');
              partial = lines.pop() ?? '';
              for (const line of lines) {
                tail.push(line);
                if (tail.length > STDERR_TAIL_LINES) tail.shift();
                options.onStderrLine?.(spec.index, line);
              }
            });
            child.once('error', (error) => {
              tail.push(error.message);
              resolve({ index: spec.index, code: null, signal: null, stdout, stderrTail: tail.join('\n') });
            });
            child.once('close', (code, signal) => {
              if (partial !== '') tail.push(partial);
              resolve({ index: spec.index, code, signal, stdout, stderrTail: tail.join('\n') });
            });
          }),
      ),
    );
    return { exits, timedOut };
  } finally {
    clearTimeout(deadline);
    clearTimeout(killTimer);
    options.signal.removeEventListener('abort', stopAll);
    process.off('exit', onExit);
  }
}

const SNAPSHOT_MESSAGE = 'crosswire-snapshot';
interface SnapshotMessage {
  type: typeof SNAPSHOT_MESSAGE;
  snapshot: RunSnapshot;
}
/** How often a worker sends its live snapshot: the parent's progress line and /metrics read the latest. */
const SNAPSHOT_EVERY_MS = 500;

/**
 * In a worker started by runWorkers: the `onLive` hook that sends the run's snapshot to the
 * parent every half second over the IPC channel. Undefined in a process started otherwise.
 */
export function sendSnapshotsToParent(): ((snapshot: () => RunSnapshot) => void) | undefined {
  if (process.send === undefined || process.env[PARENT_PID_VARIABLE] === undefined) return undefined;
  // the channel must not keep a finished worker alive
  process.channel?.unref();
  return (snapshot) => {
    const send = () => {
      if (!process.connected) return;
      const message: SnapshotMessage = { type: SNAPSHOT_MESSAGE, snapshot: snapshot() };
      process.send!(message, undefined, {}, () => undefined); // a callback: a closed channel is no error
    };
    setInterval(send, SNAPSHOT_EVERY_MS).unref();
    send();
  };
}

/**
 * In a worker: stop as on Ctrl-C once the parent that started it is gone (it was killed, so
 * nobody will stop this process), rather than run on as an orphan.
 */
export function watchParent(env: NodeJS.ProcessEnv = process.env): void {
  const parent = Number(env[PARENT_PID_VARIABLE]);
  if (!Number.isInteger(parent) || parent <= 0) return;
  let toldAt: number | undefined;
  setInterval(() => {
    if (process.ppid === parent) return;
    // first as Ctrl-C (a partial report); a worker still running a while later exits outright
    if (toldAt === undefined) {
      toldAt = Date.now();
      process.kill(process.pid, 'SIGINT');
    } else if (Date.now() - toldAt > ORPHAN_GRACE_MS) process.exit(130);
  }, 1000).unref();
}
