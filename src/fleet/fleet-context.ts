import type { TapClient } from './tap-client.ts';
import type { Clock } from '../clock/clock.ts';
import type { HistoryRecorder } from '../history/history-recorder.ts';
import type { Credentials } from '../registry/credentials.ts';
import type { Registry } from '../registry/registry.ts';
import type { Watermarker } from '../registry/watermark.ts';
import type { BackoffSpec } from '../scenario/schema.ts';
import type { ClientTransport } from '../transport/link.ts';

export interface FleetStats {
  camerasConnected: number;
  camerasInBackoff: number;
  /** Cameras that spent their retry budget and gave up. */
  camerasGaveUp: number;
  connectAttempts: number;
  refusedConnacks: number;
  eventsPublished: number;
  eventsSkippedOffline: number;
  viewersOnline: number;
  viewerConnects: number;
  thumbnailsReceived: number;
  tapsSent: number;
  tapsOpened: number;
  tapsDenied: number;
  tapsFailed: number;
}

/** Test hooks: observe what viewers received, independently of the oracle. */
export interface FleetHooks {
  onViewerReceipt?(accountId: string, viewer: string, eventId: number | undefined): void;
}

/** Everything cameras and viewers share: one object, referenced by each (no per-device copies). */
export interface FleetContext {
  clock: Clock;
  /** How cameras reach the broker, and how viewers do (the same transport, or WebSocket for either). */
  cameraTransport: ClientTransport;
  viewerTransport: ClientTransport;
  credentials: Credentials;
  watermarker: Watermarker;
  registry: Registry;
  /** Where cameras and viewers record what they did and received; the checker judges it. */
  history: HistoryRecorder;
  seed: number;
  backoff: BackoffSpec;
  keepalive: number;
  eventInterval: number;
  /** Scenario time after which cameras publish nothing (the drain). */
  eventsStopAt: number;
  tapShare: number;
  /** Cameras publish their online snapshot retained (`fleet.retainSnapshots`); absent: not. */
  retainSnapshots?: boolean;
  taps: TapClient;
  /** Is the system under test subscribed right now? (Unknown for an external service: true.) */
  serviceReady(): boolean;
  stats: FleetStats;
  hooks: FleetHooks;
}

export function emptyFleetStats(): FleetStats {
  return {
    camerasConnected: 0,
    camerasInBackoff: 0,
    camerasGaveUp: 0,
    connectAttempts: 0,
    refusedConnacks: 0,
    eventsPublished: 0,
    eventsSkippedOffline: 0,
    viewersOnline: 0,
    viewerConnects: 0,
    thumbnailsReceived: 0,
    tapsSent: 0,
    tapsOpened: 0,
    tapsDenied: 0,
    tapsFailed: 0,
  };
}
