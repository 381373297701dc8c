import net from 'node:net';

/**
 * Loopback fixtures for the proxy's tests and bench: an echo server and a client that records
 * what it receives and how its connection ended. Everything binds 127.0.0.1 on a free port.
 */

export interface EchoServer {
  readonly port: number;
  /** Errors seen on accepted sockets (e.g. ECONNRESET when the proxy resets the upstream side). */
  readonly errors: string[];
  readonly connections: number;
  close(): Promise<void>;
}

/** Echoes every byte back; answers FIN with FIN. */
export async function startEchoServer(host = '127.0.0.1'): Promise<EchoServer> {
  const sockets = new Set<net.Socket>();
  const errors: string[] = [];
  let connections = 0;
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    errors,
    get connections() {
      return connections;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A client socket that keeps every chunk it received and how it ended. */
export class RecordingClient {
  readonly socket: net.Socket;
  readonly chunks: Buffer[] = [];
  received = 0;
  ended = false;
  errorCode: string | undefined;
  readonly closed: Promise<void>;
  private waiters: { bytes: number; resolve: () => void }[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.received += chunk.length;
      const ready = this.waiters.filter((w) => w.bytes <= this.received);
      this.waiters = this.waiters.filter((w) => w.bytes > this.received);
      for (const w of ready) w.resolve();
    });
    socket.on('end', () => (this.ended = true));
    socket.on('error', (error: NodeJS.ErrnoException) => (this.errorCode = error.code ?? error.message));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /**
   * Resolves once connected, or rejects with the connect error (e.g. ECONNREFUSED). Like most
   * clients it answers the server's FIN with its own, so `closed` follows the server's close.
   */
  static connect(port: number, host = '127.0.0.1'): Promise<RecordingClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, noDelay: true });
      const onError = (error: Error) => reject(error);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new RecordingClient(socket));
      });
    });
  }

  get data(): Buffer {
    return Buffer.concat(this.chunks);
  }

  send(data: Buffer | string): void {
    this.socket.write(data);
  }

  /** Resolves when `bytes` in total have arrived. */
  until(bytes: number): Promise<void> {
    if (this.received >= bytes) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ bytes, resolve }));
  }

  destroy(): void {
    this.socket.destroy();
  }
}
