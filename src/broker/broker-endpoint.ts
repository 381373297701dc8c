import { readFileSync } from 'node:fs';
import { usageError } from '../errors.ts';
import type { ClientTransport } from '../transport/link.ts';
import { tcpClientTransport } from '../transport/tcp-transport.ts';
import { tlsClientTransport } from '../transport/tls-transport.ts';
import { wsClientTransport, type TlsMaterial } from '../transport/ws-transport.ts';

/** The URL schemes of a broker crosswire does not own, and the port each implies. */
export const brokerSchemes = { 'mqtt:': 1883, 'mqtts:': 8883, 'ws:': 80, 'wss:': 443 } as const;

/** The scenario's TLS fields: paths of PEM files. */
export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** How clients reach one broker URL; `tls` is used by mqtts:// and wss:// only. */
export function clientTransportOf(url: string, tls: TlsMaterial): ClientTransport {
  const parsed = new URL(url);
  const port = parsed.port === '' ? brokerSchemes[parsed.protocol as keyof typeof brokerSchemes] : Number(parsed.port);
  // URL keeps IPv6 hosts in brackets; sockets want them bare
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  switch (parsed.protocol) {
    case 'mqtt:':
      return tcpClientTransport(host, port);
    case 'mqtts:':
      return tlsClientTransport(host, port, tls);
    case 'ws:':
      return wsClientTransport(url);
    case 'wss:':
      return wsClientTransport(url, tls);
    default:
      throw usageError('BROKER_URL', `broker.url: ${url} is not an mqtt://, mqtts://, ws:// or wss:// URL`);
  }
}

/** Does this URL speak WebSocket? */
export function isWebSocketUrl(url: string): boolean {
  return url.startsWith('ws://') || url.startsWith('wss://');
}

/** Reads the PEM files the scenario names; a file that cannot be read is exit 2 naming its field. */
export function readTlsFiles(files: TlsFiles): TlsMaterial {
  const material: TlsMaterial = {};
  for (const field of ['ca', 'cert', 'key'] as const) {
    const path = files[field];
    if (path === undefined) continue;
    try {
      material[field] = readFileSync(path);
    } catch (error) {
      throw usageError('BROKER_TLS_FILE', `broker.${field}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  return material;
}
