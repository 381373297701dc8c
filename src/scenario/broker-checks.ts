import type { z } from 'zod';

/** A broker URL: mqtt, mqtts, ws or wss, a host and port, no credentials (each principal brings its own). */
export const BROKER_URL_PATTERN = /^(mqtt|mqtts|ws|wss):\/\/[^\s@/]+(\/[^\s]*)?$/;
export const WS_URL_PATTERN = /^wss?:\/\/[^\s@/]+(\/[^\s]*)?$/;

interface BrokerFields {
  fleet: { transport: string; cameraTransport: string; viewerTransport: string };
  broker: { url?: string; wsUrl?: string; ca?: string; cert?: string; key?: string; restartCommand?: string };
}

/** Does the fleet talk to its broker over sockets (an external broker, or WebSocket clients)? */
export function usesSockets(s: BrokerFields): boolean {
  return s.broker.url !== undefined || s.fleet.transport !== 'memory' || s.fleet.cameraTransport === 'ws' || s.fleet.viewerTransport === 'ws';
}

/** The `broker` fields that only make sense together. */
export function checkBrokerFields(s: BrokerFields, ctx: z.RefinementCtx): void {
  const { broker, fleet } = s;
  const issue = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: ['broker', field], message });
  if (broker.url === undefined) {
    for (const field of ['wsUrl', 'ca', 'cert', 'key', 'restartCommand'] as const) {
      if (broker[field] !== undefined) issue(field, `${field} is for an external broker: set broker.url too (or --broker <url>)`);
    }
    return;
  }
  const secure = /^(mqtts|wss):/.test(broker.url) || (broker.wsUrl?.startsWith('wss:') ?? false);
  for (const field of ['ca', 'cert', 'key'] as const) {
    if (broker[field] !== undefined && !secure) issue(field, `${field} is for mqtts:// or wss://; broker.url is ${broker.url}`);
  }
  if ((broker.cert === undefined) !== (broker.key === undefined)) issue(broker.cert === undefined ? 'cert' : 'key', 'a client certificate needs both cert and key');
  const wsWanted = fleet.cameraTransport === 'ws' || fleet.viewerTransport === 'ws';
  if (wsWanted && broker.wsUrl === undefined && !/^wss?:/.test(broker.url)) {
    const who = fleet.cameraTransport === 'ws' ? 'cameraTransport' : 'viewerTransport';
    ctx.addIssue({ code: 'custom', path: ['fleet', who], message: `ws needs the external broker's WebSocket listener: set broker.wsUrl (broker.url is ${broker.url})` });
  }
}
