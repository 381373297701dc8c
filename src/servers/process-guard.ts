import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * Nothing crosswire starts may outlive it. Two layers: a process 'exit' hook (normal exit and
 * process.exit) and, for when Node is killed outright (kill -9, a test runner killing a worker),
 * a detached shell watchdog per server that polls our pid and takes the server down.
 */
export interface GuardedProcess {
  readonly child: ChildProcess;
  readonly watchdog: ChildProcess | undefined;
}

const live = new Set<GuardedProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const guarded of live) {
      killQuietly(guarded.child, 'SIGKILL');
      killWatchdog(guarded.watchdog);
    }
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}

export function killQuietly(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  try {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill(signal);
  } catch {
    // already gone
  }
}

/** The watchdog is a process-group leader (detached): take its `sleep` down with it. */
function killWatchdog(watchdog: ChildProcess | undefined): void {
  if (watchdog?.pid === undefined || watchdog.exitCode !== null || watchdog.signalCode !== null) return;
  try {
    process.kill(-watchdog.pid, 'SIGKILL');
  } catch {
    killQuietly(watchdog, 'SIGKILL');
  }
}

function startWatchdog(serverPid: number, dir: string): ChildProcess | undefined {
  // $1 our pid, $2 the server's, $3 its scratch dir: TERM, up to 2 s grace, KILL, remove the dir
  const script = [
    'while kill -0 "$1" 2>/dev/null; do sleep 1; done',
    'kill -TERM "$2" 2>/dev/null',
    'i=0; while kill -0 "$2" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done',
    'kill -KILL "$2" 2>/dev/null',
    'rm -rf "$3"',
  ].join('; ');
  try {
    const watchdog = spawn('/bin/sh', ['-c', script, 'crosswire-watchdog', String(process.pid), String(serverPid), dir], {
      stdio: 'ignore',
      detached: true,
    });
    watchdog.on('error', () => {}); // no /bin/sh: the exit hook alone has to do
    watchdog.unref();
    return watchdog;
  } catch {
    return undefined;
  }
}

/** Registers a freshly spawned server (and its scratch dir) for both layers of cleanup. */
export function guardProcess(child: ChildProcess, dir: string): GuardedProcess {
  installExitHook();
  const guarded = { child, watchdog: child.pid !== undefined ? startWatchdog(child.pid, dir) : undefined };
  live.add(guarded);
  return guarded;
}

/** The server has exited (or been killed) by us: stand its watchdog down. */
export function releaseProcess(guarded: GuardedProcess): void {
  killWatchdog(guarded.watchdog);
  live.delete(guarded);
}

export function guardDir(dir: string): void {
  installExitHook();
  liveDirs.add(dir);
}

export function removeGuardedDir(dir: string): void {
  liveDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}
