import type { AttackerRole, FuzzCast } from './fuzz-cast.ts';
import { controlTypeCode, encodeDraft, requiredFlags, type ConnectDraft, type PacketDraft, type ProtocolLevel } from './packet-drafts.ts';
import type { TopicFacts } from './fuzz-topics.ts';

/**
 * What the spec says must become of one connection, packet by packet. The walk stops judging at
 * the first packet the server MUST close the connection on (the rule is kept), and at the first
 * packet after which the stream cannot be read the same way by every conforming server (raw
 * bytes, a remaining length that disagrees with the body, a protocol name the server MAY read
 * under another specification).
 */
export interface PlannedPacket {
  label: string;
  bytes: Buffer;
  /** The rule by which the server MUST close the connection on this packet, in this state. */
  mustClose?: string;
}

export interface SubscribePlan {
  packetId: number;
  /** Each filter as the broker decodes it (ill-formed filters are never planned). */
  filters: string[];
}

export interface ConnectionPlan {
  packets: PlannedPacket[];
  /** The first packet the server must close the connection on, and the rule. */
  mustClose: { index: number; rule: string } | undefined;
  /** 'yes': a CONNECT the server must accept (CONNACK 0); 'maybe': MQTT 5 (a 3.1.1 server refuses it); 'no': none or refused. */
  accepted: 'yes' | 'maybe' | 'no';
  /** Why a CONNACK 0 here would be an authentication bypass, if it would. */
  mustRefuseBecause: string | undefined;
  /** Judging stopped before the end without a close rule: the end state is unknown. */
  unreadable: boolean;
  /** The connection sent a well-formed DISCONNECT while accepted: its will must not fire [MQTT-3.14.4-3]. */
  disconnected: boolean;
  /** SUBSCRIBEs judged while the connection was accepted: their SUBACKs are checked against the ACL. */
  subscribes: SubscribePlan[];
  level: ProtocolLevel;
}

export function planConnection(cast: FuzzCast, role: AttackerRole, n: number, drafts: readonly PacketDraft[], marker: string): ConnectionPlan {
  const connect = drafts.find((d): d is ConnectDraft => d.kind === 'connect');
  const level = connect?.level ?? 4;
  let id = 0;
  const ctx = { cast, role, n, level, marker, nextId: () => (id = (id % 0xfffe) + 1) };
  const plan: ConnectionPlan = { packets: [], mustClose: undefined, accepted: 'no', mustRefuseBecause: undefined, unreadable: false, disconnected: false, subscribes: [], level };
  let state: 'none' | 'open' | 'gone' = 'none';
  let judging = true;
  drafts.forEach((draft, index) => {
    const encoded = encodeDraft(draft, ctx);
    const packet: PlannedPacket = { label: labelOf(draft), bytes: encoded.bytes };
    plan.packets.push(packet);
    if (!judging) return;
    // a remaining length that disagrees with the body decides how everything after it is read
    if (draft.kind !== 'raw' && (draft.length === 'short' || draft.length === 'long')) {
      plan.unreadable = true;
      judging = false;
      return;
    }
    const rule = violation(draft, encoded, state, level);
    if (rule !== undefined) {
      packet.mustClose = rule;
      plan.mustClose = { index, rule };
      judging = false;
      return;
    }
    if (unreadableAfter(draft)) {
      plan.unreadable = true;
      judging = false;
      return;
    }
    if (draft.kind === 'connect') {
      const refusal = refusalOf(draft, role);
      if (refusal !== undefined) {
        // [MQTT-3.2.2-5] a refused CONNECT gets a non-zero CONNACK, then the server closes
        plan.mustRefuseBecause = refusal;
        packet.mustClose = `CONNECT refused (${refusal}): CONNACK with a non-zero code, then close [MQTT-3.2.2-5]`;
        plan.mustClose = { index, rule: packet.mustClose };
        judging = false;
        return;
      }
      plan.accepted = level === 5 ? 'maybe' : 'yes';
      state = 'open';
    }
    if (draft.kind === 'subscribe') plan.subscribes.push({ packetId: encoded.packetId!, filters: encoded.topics.map((t) => t.bytes.toString('utf8')) });
    if (draft.kind === 'control' && draft.type === 'disconnect') {
      // [MQTT-3.14.4-3] the will is discarded; the server closes (anything after is not read)
      plan.disconnected = true;
      state = 'gone';
      judging = false;
    }
  });
  return plan;
}

/** A packet whose bytes make the rest of the stream ambiguous. */
function unreadableAfter(draft: PacketDraft): boolean {
  if (draft.kind === 'raw') return true;
  // [MQTT-3.1.2-1] the server MAY read it under another specification
  return draft.kind === 'connect' && draft.wrongName;
}

function violation(draft: PacketDraft, encoded: ReturnType<typeof encodeDraft>, state: 'none' | 'open' | 'gone', level: ProtocolLevel): string | undefined {
  if (draft.kind === 'raw') return undefined;
  if (draft.length === 'five-bytes') return 'remaining length in 5 bytes: malformed (at most 4) [MQTT-2.2.3], close [MQTT-4.8.0-1]';
  if (draft.length === 'overlong' && level === 5) return 'remaining length not in the fewest bytes [MQTT-1.5.5-1]';
  if (draft.kind === 'connect') return connectViolation(draft, encoded, state);
  if (state === 'none') return `${labelOf(draft)} before CONNECT [MQTT-3.1.0-1]`;
  const bad = (t: TopicFacts) => t.illFormed;
  switch (draft.kind) {
    case 'publish':
      if ((draft.qos & 3) === 3) return 'PUBLISH with both QoS bits set [MQTT-3.3.1-4]';
      if (encoded.topics.some(bad)) return 'ill-formed UTF-8 in the topic name [MQTT-1.5.3-1]';
      if (encoded.topics[0].empty) return 'empty topic name [MQTT-4.7.3-1]';
      if (encoded.topics[0].hasWildcard) return 'wildcard in a topic name [MQTT-3.3.2-2]';
      if ((draft.qos & 3) > 0 && draft.packetId === 'zero') return 'PUBLISH QoS > 0 with packet id 0 [MQTT-2.3.1-1]';
      return encoded.properties?.violation;
    case 'subscribe':
      if (draft.flags === 'wrong') return 'SUBSCRIBE header flags not 0010 [MQTT-3.8.1-1]';
      if (draft.filters.length === 0) return 'SUBSCRIBE without a topic filter [MQTT-3.8.3-3]';
      if (draft.filters.some((f) => f.reservedBits || (f.qos & 3) === 3)) return 'SUBSCRIBE with reserved bits set or QoS 3 [MQTT-3.8.3-4]';
      if (encoded.topics.some(bad)) return 'ill-formed UTF-8 in a topic filter [MQTT-1.5.3-1]';
      if (encoded.topics.some((t) => t.empty)) return 'empty topic filter [MQTT-4.7.3-1]';
      if (draft.packetId === 'zero') return 'SUBSCRIBE with packet id 0 [MQTT-2.3.1-1]';
      return encoded.properties?.violation;
    case 'unsubscribe':
      if (draft.flags === 'wrong') return 'UNSUBSCRIBE header flags not 0010 [MQTT-3.10.1-1]';
      if (draft.filters.length === 0) return 'UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2]';
      if (encoded.topics.some(bad)) return 'ill-formed UTF-8 in a topic filter [MQTT-1.5.3-1]';
      if (encoded.topics.some((t) => t.empty)) return 'empty topic filter [MQTT-4.7.3-1]';
      if (draft.packetId === 'zero') return 'UNSUBSCRIBE with packet id 0 [MQTT-2.3.1-1]';
      return undefined;
    case 'control': {
      const type = controlTypeCode[draft.type];
      if (type === 0 || (type === 15 && level !== 5)) return `reserved packet type ${type} [MQTT-2.2.1], close [MQTT-4.8.0-1]`;
      if (draft.type === 'connack' || draft.type === 'suback' || draft.type === 'unsuback' || draft.type === 'pingresp') return `${draft.type.toUpperCase()} sent by a client: a protocol violation, close [MQTT-4.8.0-1]`;
      if (draft.flags === 'wrong') return `${draft.type.toUpperCase()} with header flags other than ${requiredFlags(type).toString(2).padStart(4, '0')} [MQTT-2.2.2-2]`;
      return undefined;
    }
  }
}

function connectViolation(draft: ConnectDraft, encoded: ReturnType<typeof encodeDraft>, state: 'none' | 'open' | 'gone'): string | undefined {
  if (state !== 'none') return 'a second CONNECT [MQTT-3.1.0-2]';
  if (draft.flags === 'wrong') return 'CONNECT with header flags other than 0000 [MQTT-2.2.2-2]';
  if (draft.wrongName) return undefined;
  if (draft.level === 6) return 'unsupported protocol level: CONNACK 0x01, then close [MQTT-3.1.2-2]';
  if (draft.reservedBit) return 'CONNECT reserved flag set [MQTT-3.1.2-3]';
  if (encoded.properties?.violation !== undefined) return encoded.properties.violation;
  const willFlag = draft.will === 'full' || draft.will === 'flag-only';
  if (!willFlag && (draft.willQos & 3) !== 0) return 'will QoS without the will flag [MQTT-3.1.2-13], close without CONNACK [MQTT-3.1.4-1]';
  if (!willFlag && draft.willRetain) return 'will retain without the will flag [MQTT-3.1.2-15], close without CONNACK [MQTT-3.1.4-1]';
  if (willFlag && (draft.willQos & 3) === 3) return 'will QoS 3 [MQTT-3.1.2-14], close without CONNACK [MQTT-3.1.4-1]';
  if (draft.will === 'flag-only') return 'will flag without will topic and message [MQTT-3.1.2-9], close without CONNACK [MQTT-3.1.4-1]';
  if (draft.username === 'none' && draft.password !== 'none') return 'password flag without the user name flag [MQTT-3.1.2-22], close without CONNACK [MQTT-3.1.4-1]';
  if (draft.will === 'full' && encoded.topics[0].illFormed) return 'ill-formed UTF-8 in the will topic [MQTT-1.5.3-1]';
  if (draft.will === 'full' && encoded.topics[0].empty) return 'empty will topic [MQTT-4.7.3-1], close without CONNACK [MQTT-3.1.4-1]';
  if (draft.will === 'full' && encoded.topics[0].hasWildcard) return 'wildcard in the will topic [MQTT-3.3.2-2], close without CONNACK [MQTT-3.1.4-1]';
  if (draft.clientId === 'invalid-utf8') return 'ill-formed UTF-8 in the client id [MQTT-1.5.3-1]';
  if (draft.username === 'invalid-utf8') return 'ill-formed UTF-8 in the user name [MQTT-1.5.3-1]';
  return undefined;
}

/** Why crosswire's broker must refuse this CONNECT (auth and client-id binding), if it must. */
function refusalOf(draft: ConnectDraft, role: AttackerRole): string | undefined {
  if (role === 'anonymous') return 'no principal of the seed';
  if (draft.will === 'fields-only') return 'will fields without the will flag are read as the user name';
  if (draft.username !== 'own') return `user name ${draft.username}`;
  if (draft.password !== 'right') return `password ${draft.password}`;
  if (draft.clientId !== 'own') return `client id ${draft.clientId}, not bound to the user name`;
  return undefined;
}

function labelOf(draft: PacketDraft): string {
  switch (draft.kind) {
    case 'connect':
      return `CONNECT v${draft.level}`;
    case 'publish':
      return `PUBLISH qos${draft.qos}`;
    case 'subscribe':
      return `SUBSCRIBE ×${draft.filters.length}`;
    case 'unsubscribe':
      return `UNSUBSCRIBE ×${draft.filters.length}`;
    case 'control':
      return draft.type.toUpperCase();
    case 'raw':
      return `${draft.bytes.length} raw bytes`;
  }
}
