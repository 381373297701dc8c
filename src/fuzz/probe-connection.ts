import { PacketType, decodePublish, readFrames } from '../mqtt/packets.ts';
import type { ClientTransport, Link, LinkHandler } from '../transport/link.ts';

export interface ReceivedPublish {
  topic: string;
  payload: string;
  retain: boolean;
}

/**
 * A raw MQTT connection: sends whatever bytes it is given and records what comes back (CONNACK
 * codes, PUBLISH topics, SUBACK codes, PINGRESPs) and whether the server closed it. The fuzzer's
 * attacker, victim, observer and bait clients are all this.
 */
export class ProbeConnection implements LinkHandler {
  readonly connacks: number[] = [];
  readonly publishes: ReceivedPublish[] = [];
  readonly subacks: Array<{ packetId: number; codes: number[] }> = [];
  pingresps = 0;
  closed = false;
  private readonly link: Link;
  private pending: Buffer | null = null;
  private wake: (() => void) | undefined;

  constructor(transport: ClientTransport) {
    this.link = transport.connect(this);
  }

  send(bytes: Buffer): void {
    this.link.send(bytes);
  }

  hangUp(): void {
    this.link.hangUp();
  }

  onLinkData(chunk: Buffer): void {
    this.pending = readFrames(this.pending, chunk, (type, flags, body) => this.onFrame(type, flags, body));
    this.wake?.();
  }

  onLinkClose(): void {
    this.closed = true;
    this.wake?.();
  }

  onLinkError(): void {}

  private onFrame(type: number, flags: number, body: Buffer): void {
    switch (type) {
      case PacketType.connack:
        this.connacks.push(body[1] ?? -1);
        break;
      case PacketType.publish: {
        const { topic, payload } = decodePublish(flags, body);
        this.publishes.push({ topic, payload: payload.toString('utf8'), retain: (flags & 1) === 1 });
        break;
      }
      case PacketType.suback:
        this.subacks.push({ packetId: body.readUInt16BE(0), codes: [...body.subarray(2)] });
        break;
      case PacketType.pingresp:
        this.pingresps++;
        break;
      default:
        break;
    }
  }

  /** Resolves true as soon as `cond` holds (checked on every byte and close), false after `ms`. */
  until(cond: () => boolean, ms: number): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), ms);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve(ok);
      };
      this.wake = () => {
        if (cond()) finish(true);
      };
    });
  }
}
