import type { AttackerRole, FuzzCast } from './fuzz-cast.ts';
import { identityOf } from './fuzz-cast.ts';
import { topicBytes, type TopicDraft, type TopicFacts } from './fuzz-topics.ts';
import { encodeProperties, type EncodedProperties, type PropertyDraft } from './v5-properties.ts';
import { frame, lengthPrefixed, uint16, utf8, type LengthForm } from './wire-bytes.ts';

/**
 * One packet as fast-check draws it: plain data (so it shrinks), encoded to bytes against the
 * cast only when a case runs. Every field a malformed packet needs is a choice here: the header
 * flags, the remaining length's encoding, each flag and field of CONNECT, QoS 3, packet id 0.
 */
export type PacketDraft = ConnectDraft | PublishDraft | SubscribeDraft | UnsubscribeDraft | ControlDraft | RawDraft;

/** 3: MQTT 3.1 (`MQIsdp`), 4: 3.1.1, 5: MQTT 5, 6: a level no version has. */
export type ProtocolLevel = 3 | 4 | 5 | 6;
export type FlagsForm = 'right' | 'wrong';
export type PacketIdForm = 'fresh' | 'zero' | 'max';

export interface ConnectDraft {
  kind: 'connect';
  level: ProtocolLevel;
  wrongName: boolean;
  reservedBit: boolean;
  clean: boolean;
  keepalive: number;
  clientId: 'own' | 'victim' | 'empty' | 'invalid-utf8' | 'other';
  username: 'own' | 'victim' | 'other-role' | 'none' | 'empty' | 'invalid-utf8';
  password: 'right' | 'wrong' | 'none' | 'empty';
  will: 'none' | 'full' | 'flag-only' | 'fields-only';
  willTopic: TopicDraft;
  willQos: number;
  willRetain: boolean;
  properties: PropertyDraft[];
  flags: FlagsForm;
  length: LengthForm;
}

export interface PublishDraft {
  kind: 'publish';
  qos: number;
  dup: boolean;
  retain: boolean;
  topic: TopicDraft;
  packetId: PacketIdForm;
  payload: 'empty' | 'small' | 'large';
  properties: PropertyDraft[];
  length: LengthForm;
}

export interface FilterDraft {
  topic: TopicDraft;
  qos: number;
  reservedBits: boolean;
}

export interface SubscribeDraft {
  kind: 'subscribe';
  packetId: PacketIdForm;
  filters: FilterDraft[];
  properties: PropertyDraft[];
  flags: FlagsForm;
  length: LengthForm;
}

export interface UnsubscribeDraft {
  kind: 'unsubscribe';
  packetId: PacketIdForm;
  filters: TopicDraft[];
  flags: FlagsForm;
  length: LengthForm;
}

export const controlTypes = ['pingreq', 'disconnect', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'connack', 'suback', 'unsuback', 'pingresp', 'reserved-0', 'reserved-15'] as const;
export type ControlType = (typeof controlTypes)[number];

export interface ControlDraft {
  kind: 'control';
  type: ControlType;
  packetId: PacketIdForm;
  flags: FlagsForm;
  length: LengthForm;
}

/** Bytes with no structure at all; the stream is unreadable from here on. */
export interface RawDraft {
  kind: 'raw';
  bytes: number[];
}

/** What the encoder learned that the expectation needs. */
export interface EncodedPacket {
  bytes: Buffer;
  properties?: EncodedProperties;
  /** The topic or filters carried, as bytes and facts. */
  topics: TopicFacts[];
  packetId?: number;
}

export const controlTypeCode: Record<ControlType, number> = {
  pingreq: 12, disconnect: 14, puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7, connack: 2, suback: 9, unsuback: 11, pingresp: 13, 'reserved-0': 0, 'reserved-15': 15,
};

/** The fixed-header flags each type must carry [MQTT-2.2.2-1]: 0010 for PUBREL, SUBSCRIBE, UNSUBSCRIBE. */
export function requiredFlags(type: number): number {
  return type === 6 || type === 8 || type === 10 ? 0x2 : 0x0;
}

/** The context a packet is written in: who sends it, on which connection, with which version. */
export interface DraftContext {
  cast: FuzzCast;
  role: AttackerRole;
  /** The connection's number within the case, for client ids. */
  n: number;
  /** The level the connection's CONNECT asked for (properties are written only under 5). */
  level: ProtocolLevel;
  /** Increments per packet needing a fresh packet id. */
  nextId: () => number;
  /** A marker put in will payloads and PUBLISH payloads, to trace them. */
  marker: string;
}

export function encodeDraft(draft: PacketDraft, ctx: DraftContext): EncodedPacket {
  switch (draft.kind) {
    case 'connect':
      return encodeConnect(draft, ctx);
    case 'publish':
      return encodePublish(draft, ctx);
    case 'subscribe':
      return encodeSubscribe(draft, ctx);
    case 'unsubscribe':
      return encodeUnsubscribe(draft, ctx);
    case 'control':
      return encodeControl(draft, ctx);
    case 'raw':
      return { bytes: Buffer.from(draft.bytes), topics: [] };
  }
}

function packetId(form: PacketIdForm, ctx: DraftContext): number {
  return form === 'zero' ? 0 : form === 'max' ? 0xffff : ctx.nextId();
}

const flagsOf = (type: number, form: FlagsForm) => (form === 'right' ? requiredFlags(type) : requiredFlags(type) ^ 0x9);

function encodeConnect(draft: ConnectDraft, ctx: DraftContext): EncodedPacket {
  const { cast, role } = ctx;
  const me = identityOf(cast, role, ctx.n);
  const name = draft.wrongName ? 'MQTX' : draft.level === 3 ? 'MQIsdp' : 'MQTT';
  const willFlag = draft.will === 'full' || draft.will === 'flag-only';
  const willFields = draft.will === 'full' || draft.will === 'fields-only';
  const hasUser = draft.username !== 'none';
  const hasPassword = draft.password !== 'none';
  const flags = (hasUser ? 0x80 : 0) | (hasPassword ? 0x40 : 0) | (draft.willRetain ? 0x20 : 0) | ((draft.willQos & 3) << 3) | (willFlag ? 0x04 : 0) | (draft.clean ? 0x02 : 0) | (draft.reservedBit ? 0x01 : 0);
  const v5 = draft.level === 5;
  const properties = v5 ? encodeProperties(draft.properties, 'connect') : undefined;
  const parts: Buffer[] = [utf8(name), Buffer.from([draft.level, flags]), uint16(draft.keepalive)];
  if (properties) parts.push(properties.bytes);
  parts.push(clientIdBytes(draft, ctx, me.clientId));
  const topics: TopicFacts[] = [];
  if (willFields) {
    const willTopic = topicBytes(cast, role, draft.willTopic);
    topics.push(willTopic);
    if (v5) parts.push(Buffer.from([0])); // no will properties
    parts.push(lengthPrefixed(willTopic.bytes), utf8(`will ${ctx.marker}`));
  }
  if (hasUser) parts.push(usernameBytes(draft, ctx, me.username));
  if (hasPassword) parts.push(draft.password === 'empty' ? utf8('') : utf8(draft.password === 'right' && role !== 'anonymous' ? cast.credentials.password(me.username) : 'not-the-password-0123456789abcdef'));
  return { bytes: frame(1, flagsOf(1, draft.flags), Buffer.concat(parts), draft.length), properties, topics };
}

function clientIdBytes(draft: ConnectDraft, ctx: DraftContext, own: string): Buffer {
  switch (draft.clientId) {
    case 'own':
      return utf8(own);
    case 'victim':
      return utf8(`${ctx.cast.victimAccount}~v1`);
    case 'empty':
      return utf8('');
    case 'invalid-utf8':
      return lengthPrefixed(Buffer.concat([Buffer.from(own), Buffer.from([0xc3, 0x28])]));
    case 'other':
      return utf8(ctx.cast.victimCamera);
  }
}

function usernameBytes(draft: ConnectDraft, ctx: DraftContext, own: string): Buffer {
  switch (draft.username) {
    case 'own':
      return utf8(own);
    case 'victim':
      return utf8(ctx.cast.victimAccount);
    case 'other-role':
      return utf8(ctx.role === 'service' ? ctx.cast.attackerCamera : ctx.cast.service);
    case 'none':
    case 'empty':
      return utf8('');
    case 'invalid-utf8':
      return lengthPrefixed(Buffer.concat([Buffer.from(own), Buffer.from([0xff])]));
  }
}

function encodePublish(draft: PublishDraft, ctx: DraftContext): EncodedPacket {
  const topic = topicBytes(ctx.cast, ctx.role, draft.topic);
  const id = packetId(draft.packetId, ctx);
  const v5 = ctx.level === 5;
  const properties = v5 ? encodeProperties(draft.properties, 'publish') : undefined;
  const payload = draft.payload === 'empty' ? Buffer.alloc(0) : Buffer.from(`fuzz ${ctx.marker}${draft.payload === 'large' ? ' '.repeat(20_000) : ''}`);
  const parts = [lengthPrefixed(topic.bytes)];
  if ((draft.qos & 3) > 0) parts.push(uint16(id));
  if (properties) parts.push(properties.bytes);
  parts.push(payload);
  const flags = (draft.dup ? 0x8 : 0) | ((draft.qos & 3) << 1) | (draft.retain ? 1 : 0);
  return { bytes: frame(3, flags, Buffer.concat(parts), draft.length), properties, topics: [topic], packetId: (draft.qos & 3) > 0 ? id : undefined };
}

function encodeSubscribe(draft: SubscribeDraft, ctx: DraftContext): EncodedPacket {
  const id = packetId(draft.packetId, ctx);
  const properties = ctx.level === 5 ? encodeProperties(draft.properties, 'subscribe') : undefined;
  const topics = draft.filters.map((f) => topicBytes(ctx.cast, ctx.role, f.topic));
  const parts = [uint16(id)];
  if (properties) parts.push(properties.bytes);
  draft.filters.forEach((f, i) => parts.push(lengthPrefixed(topics[i].bytes), Buffer.from([(f.qos & 3) | (f.reservedBits ? 0xc0 : 0)])));
  return { bytes: frame(8, flagsOf(8, draft.flags), Buffer.concat(parts), draft.length), properties, topics, packetId: id };
}

function encodeUnsubscribe(draft: UnsubscribeDraft, ctx: DraftContext): EncodedPacket {
  const id = packetId(draft.packetId, ctx);
  const topics = draft.filters.map((t) => topicBytes(ctx.cast, ctx.role, t));
  const parts = [uint16(id)];
  if (ctx.level === 5) parts.push(Buffer.from([0]));
  for (const t of topics) parts.push(lengthPrefixed(t.bytes));
  return { bytes: frame(10, flagsOf(10, draft.flags), Buffer.concat(parts), draft.length), topics, packetId: id };
}

function encodeControl(draft: ControlDraft, ctx: DraftContext): EncodedPacket {
  const type = controlTypeCode[draft.type];
  let body: Buffer;
  switch (draft.type) {
    case 'pingreq':
    case 'pingresp':
    case 'disconnect':
    case 'reserved-0':
    case 'reserved-15':
      body = Buffer.alloc(0);
      break;
    case 'connack':
      body = Buffer.from([0, 0]);
      break;
    case 'suback':
      body = Buffer.concat([uint16(packetId(draft.packetId, ctx)), Buffer.from([0])]);
      break;
    default:
      body = uint16(packetId(draft.packetId, ctx));
  }
  return { bytes: frame(type, flagsOf(type, draft.flags), body, draft.length), topics: [] };
}
