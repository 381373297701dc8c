import type { ClientTransport, Link, LinkHandler } from '../transport/link.ts';
import {
  PacketType,
  decodePublish,
  encodeConnect,
  encodeDisconnect,
  encodePingreq,
  encodePublish,
  encodeSubscribe,
  readFrames,
} from './packets.ts';

export const ClientState = { idle: 0, connecting: 1, connected: 2, closed: 3 } as const;

/**
 * The smallest MQTT 3.1.1 client that does the job: QoS 0 publish and subscribe, keep-alive,
 * no parser object (frames are cut by readFrames), no per-client closures. Cameras, viewers and
 * the reference service extend it; subclasses override the `on…` hooks they need.
 */
export abstract class LeanMqttClient implements LinkHandler {
  state: number = ClientState.idle;
  protected link: Link | null = null;
  private pending: Buffer | null = null;
  protected transport: ClientTransport;

  constructor(transport: ClientTransport) {
    this.transport = transport;
  }

  abstract get clientId(): string;
  /** Username and password presented in CONNECT, computed when needed (not stored). */
  protected abstract credentials(): [username: string, password: string];
  protected keepaliveSeconds(): number {
    return 0;
  }

  /** Opens a link and sends CONNECT; the result arrives as onConnack or onDisconnected. */
  open(): void {
    if (this.state === ClientState.connecting || this.state === ClientState.connected) return;
    this.state = ClientState.connecting;
    const link = this.transport.connect(this);
    this.link = link;
    // during an outage most attempts are refused: skip the credential HMAC and the encoding
    if (link.refused) return;
    const [username, password] = this.credentials();
    link.send(encodeConnect(this.clientId, username, password, this.keepaliveSeconds()));
  }

  /** Clean shutdown: DISCONNECT then close; no reconnect follows. */
  close(): void {
    const link = this.link;
    this.state = ClientState.closed;
    if (link) {
      link.send(encodeDisconnect());
      link.hangUp();
    }
  }

  publish(topic: string, payload: Uint8Array, retain = false): boolean {
    if (this.state !== ClientState.connected || this.link === null) return false;
    this.link.send(encodePublish(topic, payload, retain));
    return true;
  }

  subscribe(messageId: number, filters: readonly string[]): void {
    this.link?.send(encodeSubscribe(messageId, filters));
  }

  ping(): void {
    if (this.state === ClientState.connected) this.link?.send(encodePingreq());
  }

  onLinkData(chunk: Buffer): void {
    this.pending = readFrames(this.pending, chunk, (type, flags, body) => this.onFrame(type, flags, body));
  }

  onLinkClose(): void {
    const wasConnected = this.state === ClientState.connected;
    const closedByUs = this.state === ClientState.closed;
    this.link = null;
    this.pending = null;
    if (!closedByUs) this.state = ClientState.idle;
    this.onDisconnected(wasConnected, closedByUs);
  }

  private onFrame(type: number, flags: number, body: Buffer): void {
    switch (type) {
      case PacketType.connack: {
        // [MQTT-3.2.2-3] return code 0 accepts; anything else refuses and the server closes
        const code = body[1];
        if (code === 0) {
          this.state = ClientState.connected;
          this.onConnected();
        } else {
          this.onRefused(code);
          this.link?.hangUp();
        }
        break;
      }
      case PacketType.publish: {
        const { topic, payload } = decodePublish(flags, body);
        // RETAIN set on delivery: a stored message sent because of a new subscription [MQTT-3.3.1-9]
        this.onMessage(topic, payload, (flags & 0x01) === 1);
        break;
      }
      case PacketType.suback:
        // [MQTT-3.9.3] one return code per filter; 0x80 is a refusal
        this.onSuback(body.readUInt16BE(0), body.subarray(2));
        break;
      default:
        break; // PINGRESP and anything else need no action at QoS 0
    }
  }

  protected onConnected(): void {}
  protected onRefused(_returnCode: number): void {}
  protected onMessage(_topic: string, _payload: Buffer, _retained: boolean): void {}
  protected onSuback(_messageId: number, _grants: Buffer): void {}
  protected onDisconnected(_wasConnected: boolean, _closedByUs: boolean): void {}
}
