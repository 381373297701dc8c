import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { planConnection } from '../src/fuzz/connection-plan.ts';
import { castOf } from '../src/fuzz/fuzz-cast.ts';
import type { ConnectDraft, PacketDraft } from '../src/fuzz/packet-drafts.ts';
import { frame, varint } from '../src/fuzz/wire-bytes.ts';

// The fuzzer's encoder and its expectations, without a broker: the bytes a draft becomes (checked
// with mqtt-packet, an independent parser) and the rule the spec gives for each malformation.
const cast = castOf(1, { devices: 12, devicesPerAccount: { min: 3, max: 3 }, viewersPerAccount: { min: 1, max: 1 } }, '');
const connect: ConnectDraft = {
  kind: 'connect', level: 4, wrongName: false, reservedBit: false, clean: true, keepalive: 0, clientId: 'own', username: 'own', password: 'right',
  will: 'none', willTopic: { base: 'own', mutation: 'none' }, willQos: 0, willRetain: false, properties: [], flags: 'right', length: 'minimal',
};
const subscribe = (base: 'victim-subtree' | 'own-filter', extra: Partial<Extract<PacketDraft, { kind: 'subscribe' }>> = {}): PacketDraft => ({
  kind: 'subscribe', packetId: 'fresh', filters: [{ topic: { base, mutation: 'none' }, qos: 0, reservedBits: false }], properties: [], flags: 'right', length: 'minimal', ...extra,
});
const plan = (drafts: PacketDraft[], role: 'viewer' | 'anonymous' = 'viewer') => planConnection(cast, role, 0, drafts, 'm');

function parse(bytes: Buffer): unknown[] {
  const parser = mqttPacket.parser();
  const out: unknown[] = [];
  parser.on('packet', (p) => out.push(p));
  parser.on('error', (e) => out.push(e));
  parser.parse(bytes);
  return out;
}

describe('fuzz wire bytes', () => {
  it('writes minimal, over-long and five-byte remaining lengths', () => {
    expect([...varint(5)]).toEqual([5]);
    expect([...varint(5, 4)]).toEqual([0x85, 0x80, 0x80, 0x00]);
    expect([...varint(200)]).toEqual([0xc8, 0x01]);
    expect([...frame(12, 0, Buffer.alloc(0), 'five-bytes')]).toEqual([0xc0, 0x80, 0x80, 0x80, 0x80, 0x00]);
    expect(parse(frame(12, 0, Buffer.alloc(0), 'five-bytes'))[0]).toBeInstanceOf(Error);
  });

  // proves: a well-formed draft is what an independent parser reads: the attacker's own credentials
  it('encodes a valid CONNECT and SUBSCRIBE that mqtt-packet reads back', () => {
    const { packets } = plan([connect, subscribe('own-filter')]);
    const [parsed] = parse(packets[0].bytes) as Array<{ cmd: string; clientId: string; username: string; password: Buffer }>;
    expect(parsed).toMatchObject({ cmd: 'connect', clientId: `${cast.attackerAccount}~v100`, username: cast.attackerAccount });
    expect(parsed.password.toString()).toBe(cast.credentials.password(cast.attackerAccount));
    expect(parse(packets[1].bytes)[0]).toMatchObject({ cmd: 'subscribe', subscriptions: [{ topic: `accounts/${cast.attackerAccount}/#`, qos: 0 }] });
  });
});

describe('fuzz expectations', () => {
  it('accepts a valid session and records its subscriptions for the SUBACK check', () => {
    const p = plan([connect, subscribe('victim-subtree')]);
    expect(p).toMatchObject({ accepted: 'yes', mustClose: undefined, unreadable: false });
    expect(p.subscribes).toEqual([{ packetId: 1, filters: [`accounts/${cast.victimAccount}/#`] }]);
  });

  it.each([
    ['a packet before CONNECT', [subscribe('own-filter')], 'MQTT-3.1.0-1'],
    ['a second CONNECT', [connect, connect], 'MQTT-3.1.0-2'],
    ['the CONNECT reserved flag', [{ ...connect, reservedBit: true }], 'MQTT-3.1.2-3'],
    ['will QoS 3', [{ ...connect, will: 'full', willQos: 3 }], 'MQTT-3.1.2-14'],
    ['a will flag without will fields', [{ ...connect, will: 'flag-only' }], 'MQTT-3.1.2-9'],
    ['a password without a user name', [{ ...connect, username: 'none' }], 'MQTT-3.1.2-22'],
    ['SUBSCRIBE without filters', [connect, subscribe('own-filter', { filters: [] })], 'MQTT-3.8.3-3'],
    ['SUBSCRIBE with packet id 0', [connect, subscribe('own-filter', { packetId: 'zero' })], 'MQTT-2.3.1-1'],
    ['an ill-formed filter', [connect, { ...subscribe('own-filter'), filters: [{ topic: { base: 'own-filter', mutation: 'surrogate' }, qos: 0, reservedBits: false }] } as PacketDraft], 'MQTT-1.5.3-1'],
    ['a wrong password', [{ ...connect, password: 'wrong' }], 'MQTT-3.2.2-5'],
  ] as const)('must close on %s', (_what, drafts, rule) => {
    expect(plan([...drafts] as PacketDraft[]).mustClose?.rule).toContain(`[${rule}]`);
  });

  it('stops judging after a remaining length that disagrees with the body', () => {
    const p = plan([connect, subscribe('own-filter', { length: 'long' }), subscribe('own-filter', { packetId: 'zero' })]);
    expect(p).toMatchObject({ mustClose: undefined, unreadable: true });
  });

  it('an anonymous CONNECT must be refused even with a password', () => {
    expect(plan([connect], 'anonymous').mustRefuseBecause).toBe('no principal of the seed');
  });
});
