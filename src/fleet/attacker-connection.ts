import mqttPacket, { type Packet } from 'mqtt-packet';
import type { Clock } from '../clock/clock.ts';
import type { TimerTarget } from '../clock/timer-queue.ts';
import type { AttemptAnswer } from '../history/history-op.ts';
import type { ClientTransport, Link, LinkHandler } from '../transport/link.ts';
import type { AttemptPlan } from './hostile-attempts.ts';

/** SUBACK return code of a refused filter [MQTT-3.9.3]. */
const SUBACK_FAILURE = 0x80;
const MESSAGE_ID = 1;

/**
 * One hostile attempt's connection: a full MQTT 3.1.1 client (will, clean=false, QoS 1 both
 * ways, any client id and username) built on mqtt-packet, unlike the fleet's lean QoS 0 client.
 * It does what its plan says, listens for `listenMs` of scenario time, and reports the broker's
 * answer once, when it is over, and every message it received as it arrives.
 */
export interface AttackerHooks {
  /** The broker's answer, once, when the attempt is over. */
  onEnd(answer: AttemptAnswer): void;
  /** Every message the connection received, as it arrives. */
  onMessage(topic: string, payload: Buffer): void;
}

export class AttackerConnection implements LinkHandler, TimerTarget {
  readonly clientId: string;
  private readonly plan: AttemptPlan;
  private readonly transport: ClientTransport;
  private readonly password: string;
  private readonly clock: Clock;
  private readonly listenMs: number;
  private readonly hooks: AttackerHooks;
  private link: Link | null = null;
  private readonly parser = mqttPacket.parser({ protocolVersion: 4 });
  private connected = false;
  private answer: AttemptAnswer | undefined;
  private done = false;

  constructor(transport: ClientTransport, plan: AttemptPlan, password: string, clock: Clock, listenMs: number, hooks: AttackerHooks) {
    this.transport = transport;
    this.password = password;
    this.clock = clock;
    this.listenMs = listenMs;
    this.hooks = hooks;
    this.plan = plan;
    this.clientId = plan.clientId;
    this.parser.on('packet', (packet: Packet) => this.onPacket(packet));
    this.parser.on('error', () => this.link?.hangUp());
  }

  start(): void {
    const link = this.transport.connect(this);
    this.link = link;
    this.clock.after(this.listenMs, this, 0);
    if (link.refused) return;
    const { plan } = this;
    link.send(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: plan.clientId,
        username: plan.username,
        password: Buffer.from(this.password),
        clean: plan.clean,
        keepalive: 0,
        ...(plan.will && { will: { topic: plan.will.topic, payload: plan.will.payload, qos: 0, retain: false } }),
      }),
    );
  }

  onLinkData(chunk: Buffer): void {
    this.parser.parse(chunk);
  }

  onLinkClose(): void {
    this.link = null;
    // closed before a CONNACK: unreachable; after it, before the action was answered: the broker dropped it
    if (!this.connected) this.finish(this.answer ?? 'unreachable');
    else this.finish(this.answer ?? 'dropped');
  }

  /** The listening window is over (or nothing answered in it). */
  onTimer(): void {
    if (this.done) return;
    const link = this.link;
    // a will falls due only when the link is lost without DISCONNECT [MQTT-3.1.2-8]
    if (link !== null && !this.plan.abrupt) link.send(mqttPacket.generate({ cmd: 'disconnect' }));
    this.finish(this.answer ?? (this.connected ? 'dropped' : 'unreachable'));
    link?.hangUp();
  }

  private onPacket(packet: Packet): void {
    switch (packet.cmd) {
      case 'connack':
        // [MQTT-3.2.2-3] 0 accepts; any other code refuses and the server closes
        if (packet.returnCode !== 0) {
          this.answer = 'refused-connect';
          this.link?.hangUp();
          return;
        }
        this.connected = true;
        return this.act();
      case 'suback':
        this.answer = packet.granted.every((code) => code === SUBACK_FAILURE) ? 'suback-refused' : 'accepted';
        return;
      case 'puback':
        this.answer = 'accepted';
        return;
      case 'publish':
        this.hooks.onMessage(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
        // acknowledged, so a broker that queued more for this session sends it [MQTT-4.3.2], [MQTT-4.3.3]
        if (packet.qos === 1) this.link?.send(mqttPacket.generate({ cmd: 'puback', messageId: packet.messageId! }));
        else if (packet.qos === 2) this.link?.send(mqttPacket.generate({ cmd: 'pubrec', messageId: packet.messageId! }));
        return;
      case 'pubrel':
        this.link?.send(mqttPacket.generate({ cmd: 'pubcomp', messageId: packet.messageId! }));
        return;
      default:
        return;
    }
  }

  private act(): void {
    const { plan, link } = this;
    if (link === null) return;
    if (plan.subscribe) {
      const { filters, qos } = plan.subscribe;
      link.send(mqttPacket.generate({ cmd: 'subscribe', messageId: MESSAGE_ID, subscriptions: filters.map((topic) => ({ topic, qos })) }));
    } else if (plan.publish) {
      link.send(mqttPacket.generate({ cmd: 'publish', messageId: MESSAGE_ID, topic: plan.publish.topic, payload: plan.publish.payload, qos: 1, retain: false, dup: false }));
    } else this.answer = 'accepted'; // a CONNECT that carried a will: accepted with it
  }

  private finish(answer: AttemptAnswer): void {
    if (this.done) return;
    this.done = true;
    this.hooks.onEnd(answer);
  }
}
