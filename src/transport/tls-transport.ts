import { connect } from 'node:tls';
import type { ClientTransport, Link, LinkHandler } from './link.ts';
import { TcpLink } from './tcp-transport.ts';
import type { TlsMaterial } from './ws-transport.ts';

/** MQTT over TLS (`mqtts://`): the server checked against `ca` (or the system's roots), a client certificate if given. */
export function tlsClientTransport(host: string, port: number, tls: TlsMaterial = {}): ClientTransport {
  return {
    id: 'tls',
    connect: (handler: LinkHandler): Link => new TcpLink(connect({ host, port, servername: isIp(host) ? undefined : host, ...tls }), handler),
  };
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
