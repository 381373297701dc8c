import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrosswireError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { delay, freeLoopbackPort, LOOPBACK, probeOnce, settledWithin } from './loopback.ts';
import { guardDir, guardProcess, killQuietly, releaseProcess, removeGuardedDir, type GuardedProcess } from './process-guard.ts';
import { requireBinary, serverNotInstalled, serverRecipes, type ServerKind } from './server-binaries.ts';

export { serverBinaryAvailable, type ServerKind } from './server-binaries.ts';

/** A redis-server or memcached that crosswire started for itself, on a free loopback port. */
export interface PrivateServer {
  readonly kind: ServerKind;
  readonly host: typeof LOOPBACK;
  readonly port: number;
  /** `redis://127.0.0.1:P` or `memcached://127.0.0.1:P`. */
  readonly url: string;
  /**
   * Stop (if running) and start again on the same port: an empty cache (no persistence), same
   * address. After stop() this starts it again, so stop + restart is an outage.
   */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL if it does not exit in time. Idempotent. */
  stop(): Promise<void>;
}

export interface PrivateServerOptions {
  /** How long the server has to accept a connection and answer PING / version. */
  startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
}

/** One spawned server process, guarded so it cannot outlive this Node process. */
interface Running {
  guard: GuardedProcess;
  exited: Promise<void>;
  hasExited(): boolean;
  output(): string;
}

class StartFailure extends Error {
  readonly addressInUse: boolean;
  constructor(message: string, addressInUse: boolean) {
    super(message);
    this.addressInUse = addressInUse;
  }
}

async function spawnServer(kind: ServerKind, binary: string, port: number, dir: string, startTimeoutMs: number): Promise<Running> {
  const recipe = serverRecipes[kind];
  const child = spawn(binary, recipe.args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  let spawnError: NodeJS.ErrnoException | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      exited = true;
      resolve();
    });
  });
  const running: Running = {
    guard: guardProcess(child, dir),
    exited: exitedPromise,
    hasExited: () => exited,
    output: () => tail.trim(),
  };

  const deadline = Date.now() + startTimeoutMs;
  while (true) {
    if (exited) {
      await stopRunning(running, 0);
      if (spawnError?.code === 'ENOENT') throw serverNotInstalled(kind);
      const output = running.output();
      throw new StartFailure(
        `${recipe.binary} exited before answering on ${LOOPBACK}:${port}${spawnError ? ` (${spawnError.message})` : ''}: ${output || '(no output)'}`,
        /address already in use/i.test(output),
      );
    }
    if (await probeOnce(port, recipe.probe.send, recipe.probe.expect, 500)) break;
    if (Date.now() >= deadline) {
      await stopRunning(running, 1000);
      throw new CrosswireError(
        'SERVER_START_FAILED',
        `${recipe.binary} did not answer on ${LOOPBACK}:${port} within ${startTimeoutMs} ms: ${running.output() || '(no output)'}`,
        ExitCode.unavailable,
      );
    }
    await delay(50);
  }
  // a forgotten server must not keep Node alive: the exit hook then takes it down
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?(): void } | null)?.unref?.();
  return running;
}

async function stopRunning(running: Running, stopTimeoutMs: number): Promise<void> {
  if (!running.hasExited()) {
    killQuietly(running.guard.child, 'SIGTERM');
    await settledWithin(running.exited, stopTimeoutMs);
    if (!running.hasExited()) {
      killQuietly(running.guard.child, 'SIGKILL');
      await settledWithin(running.exited, 2000);
    }
  }
  releaseProcess(running.guard);
}

function startError(error: unknown): Error {
  if (error instanceof StartFailure) return new CrosswireError('SERVER_START_FAILED', error.message, ExitCode.unavailable);
  return error as Error;
}

/**
 * Starts a private redis-server or memcached on a free loopback port and waits until it answers.
 * A missing binary throws CrosswireError SERVER_NOT_INSTALLED (exit 69) with an install hint.
 */
export async function startPrivateServer(kind: ServerKind, options: PrivateServerOptions = {}): Promise<PrivateServer> {
  const binary = requireBinary(kind);
  const startTimeoutMs = options.startTimeoutMs ?? 5000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 3000;
  const dir = mkdtempSync(join(tmpdir(), `crosswire-${kind}-`));
  guardDir(dir);

  let running: Running | undefined;
  let port = 0;
  // the free port can be taken between our probe and the server's bind: try a few
  for (let attempt = 1; running === undefined; attempt++) {
    port = await freeLoopbackPort();
    try {
      running = await spawnServer(kind, binary, port, dir, startTimeoutMs);
    } catch (error) {
      if (error instanceof StartFailure && error.addressInUse && attempt < 5) continue;
      removeGuardedDir(dir);
      throw startError(error);
    }
  }

  let dirNow: string | undefined = dir;
  const removeDir = (): void => {
    if (dirNow === undefined) return;
    removeGuardedDir(dirNow);
    dirNow = undefined;
  };
  // restart and stop are serialised so a fault's heal cannot interleave with teardown
  let queue: Promise<void> = Promise.resolve();
  const serial = (task: () => Promise<void>): Promise<void> => {
    const next = queue.then(task);
    queue = next.catch(() => {});
    return next;
  };

  return {
    kind,
    host: LOOPBACK,
    port,
    url: `${kind}://${LOOPBACK}:${port}`,
    restart: () =>
      serial(async () => {
        if (running !== undefined) await stopRunning(running, stopTimeoutMs);
        running = undefined;
        if (dirNow === undefined) {
          dirNow = mkdtempSync(join(tmpdir(), `crosswire-${kind}-`));
          guardDir(dirNow);
        }
        // same port: the old listener may take a moment to go, so retry "in use" for a while
        const deadline = Date.now() + startTimeoutMs;
        while (running === undefined) {
          try {
            running = await spawnServer(kind, binary, port, dirNow, startTimeoutMs);
          } catch (error) {
            if (error instanceof StartFailure && error.addressInUse && Date.now() < deadline) {
              await delay(100);
              continue;
            }
            throw startError(error);
          }
        }
      }),
    stop: () =>
      serial(async () => {
        if (running !== undefined) await stopRunning(running, stopTimeoutMs);
        running = undefined;
        removeDir();
      }),
  };
}
