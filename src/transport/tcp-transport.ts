import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClientTransport, Link, LinkHandler, ServerTransport } from './link.ts';

/** Loopback source addresses to spread over (~28k ephemeral ports each): 8 hold 20k+ with room. */
const SOURCE_ADDRESSES = 8;

/** A link over a socket: plain TCP, or TLS (a TLSSocket is a Socket; written before its handshake, it is sent after). */
export class TcpLink implements Link {
  private readonly socket: Socket;
  constructor(socket: Socket, handler: LinkHandler) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => handler.onLinkData(chunk));
    socket.once('close', () => handler.onLinkClose());
    socket.on('error', (error) => handler.onLinkError?.(error)); // 'close' follows and tells the client
  }
  send(chunk: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(chunk);
  }
  hangUp(): void {
    this.socket.destroy();
  }
}

/** Loopback TCP on port 0; clients spread over 127.0.0.x source addresses. */
export class TcpServerTransport implements ServerTransport {
  readonly id = 'tcp';
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  private readonly host: string;
  private readonly listenPort: number;

  /** `port` 0: a free one (read `port` once listening). */
  constructor(host = '127.0.0.1', port = 0) {
    this.host = host;
    this.listenPort = port;
  }

  listen(accept: (stream: Duplex) => void): Promise<ClientTransport> {
    // noDelay: CONNACK and SUBACK are tiny; Nagle plus delayed ACKs would hold each for ~40 ms
    const server = createServer({ noDelay: true }, (socket) => {
      if (this.refusing) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
      accept(socket);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      // a storm opens thousands of connections at once: a short accept backlog would drop SYNs and
      // stall clients for the kernel's 1 s SYN retry (the kernel caps this at somaxconn)
      server.listen({ port: this.listenPort, host: this.host, backlog: 65_535 }, () => {
        const address = server.address();
        if (address === null || typeof address === 'string') return reject(new Error('no TCP address'));
        resolve(tcpClientTransport(this.host, address.port));
      });
    });
  }

  setRefusing(refusing: boolean): void {
    this.refusing = refusing;
  }

  dropAll(): number {
    const all = [...this.sockets];
    for (const socket of all) socket.destroy();
    return all.length;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  /** The port it listens on (0 before listen()). */
  get port(): number {
    const address = this.server?.address();
    return address !== null && typeof address === 'object' ? address.port : 0;
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export function tcpClientTransport(host: string, port: number): ClientTransport {
  let opened = 0;
  const spread = host === '127.0.0.1';
  return {
    id: 'tcp',
    connect(handler: LinkHandler): Link {
      const n = opened++;
      const localAddress = spread ? `127.0.0.${1 + (n % SOURCE_ADDRESSES)}` : undefined;
      return new TcpLink(connect({ host, port, localAddress }), handler);
    },
  };
}
