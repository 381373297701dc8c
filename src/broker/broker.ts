import type { ClientTransport } from '../transport/link.ts';

export interface BrokerStats {
  connacksAccepted: number;
  authRefused: number;
  publishDenied: number;
  subscribeDenied: number;
}

/** A partition in force: how many links it cut, and how to lift it. */
export interface BrokerCut {
  dropped: number;
  restore(): void;
}

/**
 * The broker as the run and its faults see it, wherever aedes runs: in the run's own thread
 * (EmbeddedBroker) or in a worker thread of its own (ThreadedBroker). Every method that
 * returns a count answers at once, from what this thread knows.
 */
export interface Broker {
  /** How clients reach it. */
  readonly clientTransport: ClientTransport;
  /** How clients reach it over MQTT over WebSocket, when it serves that. */
  readonly wsTransport: ClientTransport | undefined;
  readonly stats: BrokerStats;
  readonly isDown: boolean;
  readonly openConnections: number;
  /** Where aedes runs, for the report; `external`: a broker crosswire does not own. */
  readonly thread: 'inline' | 'worker' | 'external';
  /** Set if the broker failed on its own (its thread died): the run cannot be judged. */
  readonly failure: string | undefined;
  /** Drops every connection and refuses new ones. Returns how many were dropped. */
  outage(): number;
  restore(): void;
  /** Drops one client's link (it may reconnect at once); false if it was not connected. */
  dropClient(clientId: string): boolean;
  /**
   * The clients in `clientIds` lose their links and cannot connect until restore(): refused at
   * once where the transport knows the caller (memory), their CONNECT unanswered otherwise (TCP).
   */
  cutOff(clientIds: ReadonlySet<string>): BrokerCut;
  /** A restart, first half: every link dropped, connections refused, and aedes (sessions, subscriptions, queues) gone. */
  stopForRestart(): Promise<number>;
  /** A restart, second half: a fresh aedes, accepting again. */
  startAfterRestart(): Promise<void>;
  close(): Promise<void>;
}
