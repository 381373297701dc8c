import { ClientGate } from '../transport/client-gate.ts';
import type { ClientTransport } from '../transport/link.ts';
import type { TlsMaterial } from '../transport/ws-transport.ts';
import type { Broker, BrokerCut, BrokerStats } from './broker.ts';
import { clientTransportOf, isWebSocketUrl } from './broker-endpoint.ts';
import { runRestartCommand } from './restart-command.ts';

/** The scenario's `broker` fields for a broker crosswire does not own. */
export interface ExternalBrokerSettings {
  url: string;
  /** Where WebSocket clients go when `url` is mqtt:// or mqtts://. */
  wsUrl?: string;
  restartCommand?: string;
  restartTimeout: number;
}

/**
 * A broker someone else runs (Mosquitto, EMQX, HiveMQ…), reached at its URL with each
 * principal's own credentials. crosswire cannot stop it, so faults act on the client side: an
 * outage drops every fleet link at the same instant and refuses reconnects until the heal; a
 * partition does the same to the clients it picks; a restart is an outage during which the
 * user's `restartCommand`, if any, runs. What the broker itself counts is not visible here.
 */
export class ExternalBroker implements Broker {
  readonly thread = 'external';
  readonly stats: BrokerStats = { connacksAccepted: 0, authRefused: 0, publishDenied: 0, subscribeDenied: 0 };
  readonly failure = undefined;
  readonly clientTransport: ClientTransport;
  readonly wsTransport: ClientTransport | undefined;
  readonly url: string;
  private readonly gate = new ClientGate();
  private readonly settings: ExternalBrokerSettings;

  constructor(settings: ExternalBrokerSettings, tls: TlsMaterial) {
    this.settings = settings;
    this.url = settings.url;
    this.clientTransport = this.gate.wrap(clientTransportOf(settings.url, tls));
    const wsUrl = settings.wsUrl ?? (isWebSocketUrl(settings.url) ? settings.url : undefined);
    this.wsTransport = wsUrl === undefined ? undefined : wsUrl === settings.url ? this.clientTransport : this.gate.wrap(clientTransportOf(wsUrl, tls));
  }

  get isDown(): boolean {
    return this.gate.isRefusing;
  }

  get openConnections(): number {
    return this.gate.openLinks;
  }

  outage(): number {
    this.gate.setRefusing(true);
    return this.gate.dropAll();
  }

  restore(): void {
    this.gate.setRefusing(false);
  }

  dropClient(clientId: string): boolean {
    return this.gate.drop(clientId);
  }

  cutOff(clientIds: ReadonlySet<string>): BrokerCut {
    return this.gate.cut(clientIds);
  }

  /** The fleet cut off, then the user's command (bounded by restartTimeout); the heal waits for it. */
  async stopForRestart(): Promise<number> {
    const dropped = this.outage();
    const { restartCommand, restartTimeout } = this.settings;
    if (restartCommand !== undefined) await runRestartCommand(restartCommand, restartTimeout);
    return dropped;
  }

  async startAfterRestart(): Promise<void> {
    this.restore();
  }

  async close(): Promise<void> {
    this.gate.setRefusing(true);
    this.gate.dropAll();
  }
}
