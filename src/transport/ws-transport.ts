import { createServer, type Server } from 'node:http';
import { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { ClientTransport, Link, LinkHandler, ServerTransport } from './link.ts';

/** The WebSocket subprotocol MQTT 3.1.1 names [MQTT-6.0.0-3]; Mosquitto refuses a handshake without it. */
export const MQTT_SUBPROTOCOL = 'mqtt';

/** TLS material for wss:// (and mqtts://): PEM contents, not paths. */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * One MQTT connection carried in WebSocket binary messages [MQTT-6.0.0-1]. CONNECT is sent
 * before the handshake completes, so what is sent early waits for `open`.
 */
class WsLink implements Link {
  private readonly socket: WebSocket;
  private early: Buffer[] | null = [];

  constructor(url: string, tls: TlsMaterial, handler: LinkHandler) {
    // no compression: thumbnails are JPEG already, and deflate costs each link a zlib context
    const socket = new WebSocket(url, [MQTT_SUBPROTOCOL], { perMessageDeflate: false, ...tls });
    this.socket = socket;
    socket.binaryType = 'nodebuffer';
    socket.on('open', () => {
      const early = this.early ?? [];
      this.early = null;
      for (const chunk of early) socket.send(chunk);
    });
    socket.on('message', (data: Buffer) => handler.onLinkData(data));
    socket.once('close', () => handler.onLinkClose());
    socket.on('error', (error) => handler.onLinkError?.(error)); // 'close' follows and tells the client
  }

  send(chunk: Buffer): void {
    if (this.early !== null) this.early.push(chunk);
    else if (this.socket.readyState === WebSocket.OPEN) this.socket.send(chunk);
  }

  hangUp(): void {
    this.early = null;
    // terminate, not close: a drop is abrupt, as a network drop is
    this.socket.terminate();
  }
}

/** Clients of an MQTT-over-WebSocket endpoint (`ws://host:port/path`, or `wss://` with `tls`). */
export function wsClientTransport(url: string, tls: TlsMaterial = {}): ClientTransport {
  return {
    id: url.startsWith('wss:') ? 'wss' : 'ws',
    connect: (handler: LinkHandler): Link => new WsLink(url, tls, handler),
  };
}

/**
 * A broker-side WebSocket as the stream aedes reads and writes. Unlike ws' own
 * createWebSocketStream it sends what the broker corked as one message: mqtt-packet writes a
 * packet field by field, which would otherwise be a WebSocket frame per field (a CONNACK in four).
 */
class WsStream extends Duplex {
  private readonly socket: WebSocket;
  constructor(socket: WebSocket) {
    super({ allowHalfOpen: false });
    this.socket = socket;
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: Buffer) => this.push(data));
    socket.once('close', () => {
      this.push(null);
      this.destroy();
    });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sendNow(chunk, callback);
  }
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.sendNow(chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk)), callback);
  }
  private sendNow(data: Buffer, callback: (error?: Error | null) => void): void {
    // a link that is going loses what is sent to it, as a TCP socket being destroyed does
    if (this.socket.readyState !== WebSocket.OPEN) return callback();
    this.socket.send(data, { binary: true }, () => callback());
  }
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.terminate();
    callback(error);
  }
}

/**
 * The broker's side of MQTT over WebSocket on loopback: an HTTP server that upgrades `/mqtt`
 * (any path is accepted, as Mosquitto does), each connection handed to the broker as a stream.
 */
export class WsServerTransport implements ServerTransport {
  readonly id = 'ws';
  private http: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly sockets = new Set<WebSocket>();
  private refusing = false;
  /** Where clients connect, once listening. */
  url: string | undefined;
  private readonly host: string;
  private readonly listenPort: number;

  /** `port` 0: a free one (read `url` once listening). */
  constructor(host = '127.0.0.1', port = 0) {
    this.host = host;
    this.listenPort = port;
  }

  listen(accept: (stream: Duplex) => void): Promise<ClientTransport> {
    const http = createServer((_request, response) => response.writeHead(426).end('MQTT over WebSocket only\n'));
    const wss = new WebSocketServer({
      server: http,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(MQTT_SUBPROTOCOL) ? MQTT_SUBPROTOCOL : false),
    });
    wss.on('connection', (socket) => {
      if (this.refusing) {
        socket.terminate();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
      accept(new WsStream(socket));
    });
    this.http = http;
    this.wss = wss;
    return new Promise((resolve, reject) => {
      http.once('error', reject);
      http.listen({ port: this.listenPort, host: this.host, backlog: 65_535 }, () => {
        const address = http.address();
        if (address === null || typeof address === 'string') return reject(new Error('no WebSocket address'));
        this.url = `ws://${this.host}:${address.port}/mqtt`;
        resolve(wsClientTransport(this.url));
      });
    });
  }

  setRefusing(refusing: boolean): void {
    this.refusing = refusing;
  }

  dropAll(): number {
    const all = [...this.sockets];
    for (const socket of all) socket.terminate();
    return all.length;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => {
      this.wss?.close();
      if (this.http) this.http.close(() => resolve());
      else resolve();
    });
  }
}
