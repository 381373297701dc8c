import fc from 'fast-check';
import { attackerRoles } from './fuzz-cast.ts';
import type { CaseDraft, ConnectionDraft } from './fuzz-case.ts';
import { topicBases, topicMutations, type TopicDraft } from './fuzz-topics.ts';
import { controlTypes, type ConnectDraft, type PacketDraft } from './packet-drafts.ts';
import { propertyIds, type PropertyDraft } from './v5-properties.ts';
import type { LengthForm } from './wire-bytes.ts';

/**
 * The fast-check arbitraries of fuzz cases. Each field's first choice is the well-formed one, so
 * fast-check shrinks a failing case towards valid packets and keeps only the malformation that
 * matters. Valid packets are drawn often enough that sessions get far (a CONNECT that is
 * accepted, then subscriptions and publishes), malformed ones often enough to matter.
 */
const mostly = <T>(usual: T, ...others: T[]) => fc.oneof({ weight: 4, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom(...others) });

const length = mostly<LengthForm>('minimal', 'overlong', 'five-bytes', 'short', 'long');
const flags = mostly<'right' | 'wrong'>('right', 'wrong');
const packetId = mostly<'fresh' | 'zero' | 'max'>('fresh', 'zero', 'max');
const qos = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(0, 1, 2) }, { weight: 1, arbitrary: fc.constant(3) });

const topicArbitrary: fc.Arbitrary<TopicDraft> = fc.record({
  base: fc.constantFrom(...topicBases),
  mutation: fc.oneof({ weight: 3, arbitrary: fc.constant<TopicDraft['mutation']>('none') }, { weight: 2, arbitrary: fc.constantFrom(...topicMutations) }),
});

const properties: fc.Arbitrary<PropertyDraft[]> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<PropertyDraft[]>([]) },
  { weight: 1, arbitrary: fc.array(fc.record({ id: fc.constantFrom(...propertyIds), form: mostly<PropertyDraft['form']>('right', 'wrong-type', 'twice', 'zero') }), { maxLength: 3 }) },
);

const fuzzedConnect: fc.Arbitrary<ConnectDraft> = fc.record({
  kind: fc.constant('connect' as const),
  level: fc.oneof({ weight: 6, arbitrary: fc.constant<ConnectDraft['level']>(4) }, { weight: 3, arbitrary: fc.constant<ConnectDraft['level']>(5) }, { weight: 1, arbitrary: fc.constantFrom<ConnectDraft['level']>(3, 6) }),
  wrongName: mostly(false, true),
  reservedBit: mostly(false, true),
  clean: mostly(true, false),
  keepalive: mostly(0, 1, 60, 65535),
  clientId: mostly<ConnectDraft['clientId']>('own', 'victim', 'empty', 'invalid-utf8', 'other'),
  username: mostly<ConnectDraft['username']>('own', 'victim', 'other-role', 'none', 'empty', 'invalid-utf8'),
  password: mostly<ConnectDraft['password']>('right', 'wrong', 'none', 'empty'),
  will: fc.constantFrom<ConnectDraft['will']>('none', 'full', 'none', 'full', 'flag-only', 'fields-only'),
  willTopic: topicArbitrary,
  willQos: mostly(0, 1, 2, 3),
  willRetain: mostly(false, true),
  properties,
  flags,
  length,
});

/** A CONNECT with the attacker's own credentials, well-formed: half the sessions get past it. */
const validConnect: fc.Arbitrary<ConnectDraft> = fc.record({
  level: fc.constantFrom<ConnectDraft['level']>(4, 4, 5),
  clean: fc.boolean(),
  will: fc.constantFrom<ConnectDraft['will']>('none', 'full'),
  willTopic: topicArbitrary,
  willRetain: fc.boolean(),
}).map(({ level, clean, will, willTopic, willRetain }) => ({
  kind: 'connect' as const, level, wrongName: false, reservedBit: false, clean, keepalive: 0, clientId: 'own' as const, username: 'own' as const, password: 'right' as const,
  will, willTopic, willQos: 0, willRetain: will === 'full' && willRetain, properties: [], flags: 'right' as const, length: 'minimal' as const,
}));

const connect = fc.oneof({ weight: 1, arbitrary: validConnect }, { weight: 1, arbitrary: fuzzedConnect });

/** A well-formed SUBSCRIBE of one filter: what reaches the ACL rather than the parser. */
const validSubscribe: fc.Arbitrary<PacketDraft> = fc.record({ topic: fc.record({ base: fc.constantFrom(...topicBases), mutation: fc.constant<TopicDraft['mutation']>('none') }), qos: fc.constantFrom(0, 1, 2) }).map(({ topic, qos }) => ({
  kind: 'subscribe' as const, packetId: 'fresh' as const, filters: [{ topic, qos, reservedBits: false }], properties: [], flags: 'right' as const, length: 'minimal' as const,
}));

const packetAfterConnect: fc.Arbitrary<PacketDraft> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('publish' as const),
      qos,
      dup: mostly(false, true),
      retain: mostly(false, true),
      topic: topicArbitrary,
      packetId,
      payload: mostly<'small' | 'empty' | 'large'>('small', 'empty', 'large'),
      properties,
      length,
    }),
  },
  { weight: 3, arbitrary: validSubscribe },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('subscribe' as const),
      packetId,
      filters: fc.array(fc.record({ topic: topicArbitrary, qos, reservedBits: mostly(false, true) }), { minLength: 0, maxLength: 3 }),
      properties,
      flags,
      length,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unsubscribe' as const), packetId, filters: fc.array(topicArbitrary, { maxLength: 2 }), flags, length }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('control' as const), type: fc.constantFrom(...controlTypes), packetId, flags, length }) },
  { weight: 1, arbitrary: connect },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('raw' as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }) }) },
);

/** A well-formed session: what an ACL bypass needs (the connection still open when the bait goes out). */
const validSession: fc.Arbitrary<PacketDraft[]> = fc
  .tuple(
    validConnect,
    fc.array(
      fc.oneof(
        validSubscribe,
        fc.record({ topic: fc.record({ base: fc.constantFrom(...topicBases), mutation: fc.constant<TopicDraft['mutation']>('none') }), retain: fc.boolean() }).map(({ topic, retain }) => ({
          kind: 'publish' as const, qos: 0, dup: false, retain, topic, packetId: 'fresh' as const, payload: 'small' as const, properties: [], length: 'minimal' as const,
        })),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([first, rest]) => [first, ...rest]);

/** Usually a CONNECT first (so the session gets somewhere), sometimes anything first [MQTT-3.1.0-1]. */
const connection: fc.Arbitrary<ConnectionDraft> = fc.record({
  packets: fc.oneof(
    { weight: 2, arbitrary: validSession },
    { weight: 5, arbitrary: fc.tuple(connect, fc.array(packetAfterConnect, { maxLength: 6 })).map(([first, rest]) => [first, ...rest]) },
    { weight: 1, arbitrary: fc.array(packetAfterConnect, { minLength: 1, maxLength: 4 }) },
  ),
  delivery: fc.constantFrom('whole' as const, 'per-packet' as const),
});

export const caseArbitrary: fc.Arbitrary<CaseDraft> = fc.record({
  attacker: fc.constantFrom(...attackerRoles),
  connections: fc.array(connection, { minLength: 1, maxLength: 2 }),
});
