import { usageError } from '../errors.ts';
import type { Registry } from '../registry/registry.ts';
import { shardSlice } from '../registry/shard-slice.ts';
import { SOCKETS_PER_PROCESS } from '../scenario/schema.ts';

/** Sockets a worker holds besides its cameras and viewers: its service, the barrier, taps between services. */
const WORKER_EXTRA_SOCKETS = 64;

export interface WorkerLayout {
  /** Broker connections the parent serves: every camera, viewer and service instance. */
  parentSockets: number;
  /** Per worker: its cameras, its viewers and its sockets in all. */
  workers: { cameras: number; viewers: number; sockets: number }[];
}

/**
 * How many sockets each process of a `--workers` run holds, counted from the seed's registry
 * (so exact, not estimated): the parent holds the broker's end of every connection, each worker
 * its own cameras', viewers' and service's.
 */
export function workerLayout(registry: Registry, workers: number): WorkerLayout {
  const out: WorkerLayout['workers'] = [];
  for (let index = 0; index < workers; index++) {
    const slice = shardSlice(registry, { index, count: workers });
    let cameras = 0;
    for (let d = 0; d < registry.deviceCount; d++) if (slice.ownsDevice(d)) cameras++;
    let viewers = 0;
    registry.viewersPerAccount.forEach((count, account) => {
      if (slice.ownsAccount(account)) viewers += count;
    });
    out.push({ cameras, viewers, sockets: cameras + viewers + WORKER_EXTRA_SOCKETS });
  }
  // per worker: a service instance and its barrier client
  const parentSockets = out.reduce((sum, w) => sum + w.cameras + w.viewers + 2, 0);
  return { parentSockets, workers: out };
}

/**
 * Exit 2 when a process of the layout would hold more sockets than the descriptor limit allows,
 * naming the field, the counts and what to change.
 */
export function checkWorkerLayout(layout: WorkerLayout, origin: string): void {
  const cap = SOCKETS_PER_PROCESS;
  const cameras = layout.workers.reduce((sum, w) => sum + w.cameras, 0);
  const viewers = layout.workers.reduce((sum, w) => sum + w.viewers, 0);
  if (layout.parentSockets > cap) {
    throw usageError(
      'WORKERS_OVER_CAPACITY',
      `${origin}: fleet.devices: ${cameras} cameras and ${viewers} viewers need ${layout.parentSockets} broker connections, more than the workers' broker process holds (${cap} sockets); ` +
        'fewer viewers (fleet.viewersPerAccount, or more fleet.devicesPerAccount) or fewer devices, or shards against an external broker (docs/shards.md)',
    );
  }
  const worst = layout.workers.reduce((a, b) => (b.sockets > a.sockets ? b : a));
  if (worst.sockets > cap) {
    const index = layout.workers.indexOf(worst);
    throw usageError(
      'WORKERS_OVER_CAPACITY',
      `${origin}: fleet.devices: worker ${index} would hold ${worst.cameras} cameras and ${worst.viewers} viewers (${worst.sockets} sockets), more than one process holds (${cap}); give more workers`,
    );
  }
}

/**
 * One process with the embedded broker holds both ends of every socket: exit 2 when its cameras
 * and viewers over sockets would need more descriptors than the process may hold (the schema's
 * 8,000 cameras assume few viewers; the count here is the registry's own).
 */
export function checkOneProcessLayout(registry: Registry, fleet: { transport: string; cameraTransport: string; viewerTransport: string }, origin: string): void {
  const cameras = fleet.transport === 'tcp' || fleet.cameraTransport === 'ws' ? registry.deviceCount : 0;
  const viewers = fleet.transport === 'tcp' || fleet.viewerTransport === 'ws' ? registry.viewersPerAccount.reduce((a, b) => a + b, 0) : 0;
  // both ends of each camera's, viewer's and the service's connection
  const sockets = 2 * (cameras + viewers + 1);
  if (sockets <= SOCKETS_PER_PROCESS) return;
  throw usageError(
    'OVER_SOCKET_CAPACITY',
    `${origin}: fleet.devices: ${cameras} cameras and ${viewers} viewers over sockets need ${sockets} descriptors in one process (both ends of each connection), more than it may hold (${SOCKETS_PER_PROCESS}); ` +
      '--workers N puts the broker and the fleet in separate processes (each holds one end), or use fewer viewers or devices',
  );
}
