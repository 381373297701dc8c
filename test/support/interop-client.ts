/**
 * What the interop suite asks of an independent MQTT client (mqtt.js, Paho Python, the
 * mosquitto command-line clients): connect with a login and hold the link, subscribing to some
 * filters, and publish one message in its own short connection. Each client's driver maps these
 * onto its own API or command line.
 */
export type QoS = 0 | 1 | 2;

export interface Will {
  topic: string;
  payload: string;
  qos: QoS;
}

export interface Login {
  username: string;
  password: string;
  /** '' for a zero-length client id. */
  clientId: string;
  clean: boolean;
  will?: Will;
}

export interface Message {
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
}

/** A message as a subscriber got it. */
export type Received = Message;

/** A held connection. Its fields change as the broker talks to it. */
export interface Connection {
  /** CONNACK return code; undefined while none came (or the link closed without one). */
  readonly code: number | undefined;
  /** The CONNACK's session-present flag; undefined where the client does not report it. */
  readonly sessionPresent: boolean | undefined;
  /** SUBACK return codes, one per filter asked for, in order (0x80 refused). */
  readonly granted: number[];
  readonly received: Received[];
  /** The broker ended the link (not this side). */
  readonly closedByBroker: boolean;
  /** A clean DISCONNECT, then close. */
  disconnect(): Promise<void>;
  /** Close the link without DISCONNECT (an abnormal close: the broker publishes the will). */
  drop(): Promise<void>;
}

export interface Published {
  /** CONNACK return code; undefined when none came. */
  code: number | undefined;
  /** The QoS flow completed (PUBACK / PUBCOMP, or sent at QoS 0) and the client disconnected cleanly. */
  completed: boolean;
}

export interface InteropClient {
  readonly name: string;
  /**
   * Connects with `login` and subscribes to `filters` (none: just holds the link). Resolves once
   * the CONNACK and the SUBACK came, or the broker refused or closed the link.
   */
  open(login: Login, filters?: ReadonlyArray<readonly [string, QoS]>): Promise<Connection>;
  /** Connects, publishes, waits for the QoS flow, disconnects. `payload` '' is a zero-length message. */
  publish(login: Login, message: Message): Promise<Published>;
  /**
   * Logins the client will not send at all, and what it does instead (checked by the suite):
   * the behaviour is then n/a for this client.
   */
  readonly refuses: {
    /** A zero-length client id with clean=true. */
    emptyId?: () => Promise<string>;
    /** A zero-length client id with clean=false. */
    emptyIdUnclean?: () => Promise<string>;
  };
  /** Stops whatever the driver started (processes, sockets). */
  close(): Promise<void>;
}
