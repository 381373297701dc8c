import type { ChalkInstance } from 'chalk';
import { LiveMetrics, type RunLabels } from '../metrics/live-metrics.ts';
import { startMetricsServer } from '../metrics/metrics-server.ts';
import type { RunSnapshot } from '../metrics/run-snapshot.ts';

export interface MetricsEndpoint {
  url: string;
  /** The `onLive` hook for one run: from then on /metrics describes that run. */
  live(labels: RunLabels): (snapshot: () => RunSnapshot) => void;
  close(): Promise<void>;
}

/** `--metrics-port`: none given, no endpoint; otherwise served until close(), its URL on stderr. */
export async function openMetricsEndpoint(port: number | undefined, err: ChalkInstance): Promise<MetricsEndpoint | undefined> {
  if (port === undefined) return undefined;
  const metrics = new LiveMetrics();
  const server = await startMetricsServer(metrics, port);
  process.stderr.write(err.dim(`crosswire: Prometheus metrics at ${server.url}\n`));
  return {
    url: server.url,
    live: (labels) => (snapshot) => metrics.attach(snapshot, labels),
    close: () => server.close(),
  };
}
