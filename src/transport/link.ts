import type { Duplex } from 'node:stream';

/**
 * The client side of one connection, whatever carries it. Clients implement LinkHandler with
 * prototype methods, so a link costs no closures per device.
 */
export interface LinkHandler {
  /** Who is calling, when known: an in-process transport turns a cut-off client away with it. */
  readonly clientId?: string;
  onLinkData(chunk: Buffer): void;
  /** Called once, when the link is gone (refused, dropped by the peer, or hung up). */
  onLinkClose(): void;
  /** Why the link failed, when the transport knows (a refused socket, a TLS or WebSocket handshake); before onLinkClose. */
  onLinkError?(error: Error): void;
}

export interface Link {
  send(chunk: Buffer): void;
  hangUp(): void;
  /** Known refused at once (an outage on an in-process transport): nothing sent will arrive. */
  readonly refused?: boolean;
}

export interface ClientTransport {
  readonly id: string;
  connect(handler: LinkHandler): Link;
}

/**
 * The broker side: hands every accepted stream to `accept`; during an outage it refuses new
 * connections and can drop the ones it has.
 */
export interface ServerTransport {
  readonly id: string;
  /** Starts accepting; resolves with what clients need to reach it. */
  listen(accept: (stream: Duplex) => void): Promise<ClientTransport>;
  setRefusing(refusing: boolean): void;
  /**
   * Clients `isCut` names are refused at once, as a partitioned network never delivers their
   * CONNECT (transports that know the caller's client id; others leave it to the broker).
   */
  turnAway?(isCut: (clientId: string) => boolean): void;
  /** Destroys every open connection; returns how many there were. */
  dropAll(): number;
  readonly openConnections: number;
  close(): Promise<void>;
}
