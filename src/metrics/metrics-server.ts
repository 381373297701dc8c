import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { usageError } from '../errors.ts';
import type { LiveMetrics } from './live-metrics.ts';

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` on 127.0.0.1 only (a run's numbers are nobody else's business); port 0
 * picks a free port, which the returned url names. A busy port is exit 2, before anything runs.
 */
export async function startMetricsServer(metrics: LiveMetrics, port: number): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('crosswire serves GET /metrics only\n');
      return;
    }
    metrics.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${(error as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(usageError('METRICS_PORT_UNAVAILABLE', `--metrics-port ${port}: cannot listen on 127.0.0.1:${port} (${error.code ?? error.message})`)),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  server.unref(); // a scrape in flight never keeps a finished run alive
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/metrics`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
