import { createConnection, createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/**
 * A loopback port that was free a moment ago: listen on 0, read the port, close. Another process
 * can take it before the server binds, so callers retry on "address in use".
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read a free port'))));
    });
  });
}

/**
 * One probe: connect, send `send`, and resolve true if the reply starts with `expect` within
 * `timeoutMs`. Never rejects; always destroys its socket.
 */
export function probeOnce(port: number, send: string, expect: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = '';
    let settled = false;
    const socket = createConnection({ host: LOOPBACK, port });
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.setNoDelay(true);
    socket.once('connect', () => socket.write(send));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.length >= expect.length) finish(reply.startsWith(expect));
    });
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `promise` at most `ms`; true if it settled. The timer is cleared either way. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.then(() => true, () => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
