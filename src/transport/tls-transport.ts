import { connect, type TLSSocket } from 'node:tls';
import type { ClientTransport, Link, LinkHandler } from './link.ts';
import type { TlsMaterial } from './ws-transport.ts';

class TlsLink implements Link {
  private readonly socket: TLSSocket;
  constructor(socket: TLSSocket, handler: LinkHandler) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => handler.onLinkData(chunk));
    socket.once('close', () => handler.onLinkClose());
    socket.on('error', () => {}); // 'close' follows and tells the client
  }
  // written before the handshake completes, it is sent once it has
  send(chunk: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(chunk);
  }
  hangUp(): void {
    this.socket.destroy();
  }
}

/** MQTT over TLS (`mqtts://`): the server checked against `ca` (or the system's roots), a client certificate if given. */
export function tlsClientTransport(host: string, port: number, tls: TlsMaterial = {}): ClientTransport {
  return {
    id: 'tls',
    connect: (handler: LinkHandler): Link => new TlsLink(connect({ host, port, servername: isIp(host) ? undefined : host, ...tls }), handler),
  };
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
