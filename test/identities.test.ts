import { describe, expect, it } from 'vitest';
import { accountIdShapes, deviceIdShapes, type IdentityShapes } from '../src/registry/identities.ts';
import { keyTemplateProblem, ownerKeys } from '../src/registry/owner-key.ts';
import { Registry } from '../src/registry/registry.ts';
import { validateScenarioObject } from '../src/scenario/load-scenario.ts';
import { defaultScenario } from './support/default-scenario.ts';

const shape = { devices: 5_000, devicesPerAccount: { min: 1, max: 6 }, viewersPerAccount: { min: 1, max: 2 } };
const withIds = (seed: number, identities: IdentityShapes) => Registry.generate(seed, { ...shape, identities });

const deviceShape: Record<(typeof deviceIdShapes)[number], RegExp> = {
  sequential: /^cam-\d{7}$/,
  mac: /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  serial: /^[A-Z0-9]{3,4}-[0-9A-HJKMNP-TV-Z]{12}$/,
};
const accountShape: Record<(typeof accountIdShapes)[number], RegExp> = { sequential: /^acct-\d{6}$/, uuid: deviceShape.uuid };
/** What must never be in an id: MQTT wildcards and level separator, the watermark's field separator, the viewer id's `~`, the tap token's `.`. */
const UNSAFE = /[+#/;~.\s\x00]/;

describe('id shapes', () => {
  it('sequential keeps the names crosswire always had', () => {
    const r = Registry.generate(1, shape);
    expect(r.deviceIds.slice(0, 2)).toEqual(['cam-0000001', 'cam-0000002']);
    expect(r.accountIds[0]).toBe('acct-000001');
    expect(ownerKeys().key(r.deviceIds[0])).toBe('owner:cam-0000001');
  });

  it.each(deviceIdShapes.flatMap((d) => accountIdShapes.map((a) => [d, a] as const)))('devices %s, accounts %s: shaped, unique, topic-safe, from the seed', (devices, accounts) => {
    const a = withIds(7, { devices, accounts });
    const b = withIds(7, { devices, accounts });
    const sequential = Registry.generate(7, shape);
    expect(a.deviceIds).toEqual(b.deviceIds);
    expect(a.accountIds).toEqual(b.accountIds);
    expect(a.deviceIds.filter((id) => !deviceShape[devices].test(id))).toEqual([]);
    expect(a.accountIds.filter((id) => !accountShape[accounts].test(id))).toEqual([]);
    expect([...a.deviceIds, ...a.accountIds].filter((id) => UNSAFE.test(id))).toEqual([]);
    expect(new Set(a.deviceIds).size).toBe(a.deviceCount);
    expect(new Set(a.accountIds).size).toBe(a.accountCount);
    // the ids map back to their indices, and the fleet's shape does not depend on how ids look
    expect(a.deviceIds.every((id, i) => a.indexOfDevice(id) === i)).toBe(true);
    expect(a.accountIds.every((id, i) => a.indexOfAccount(id) === i)).toBe(true);
    expect(a.deviceIds.map((id) => a.indexOfAccount(a.ownerAt(id, 0)!))).toEqual(sequential.deviceIds.map((id) => sequential.indexOfAccount(sequential.ownerAt(id, 0)!)));
    if (devices !== 'sequential') expect(withIds(8, { devices, accounts }).deviceIds.slice(0, 50)).not.toEqual(a.deviceIds.slice(0, 50));
  });

  it('MACs share a few vendor prefixes, as a real fleet does', () => {
    const prefixes = new Set(withIds(3, { devices: 'mac', accounts: 'sequential' }).deviceIds.map((id) => id.slice(0, 8)));
    expect(prefixes.size).toBeGreaterThan(1);
    expect(prefixes.size).toBeLessThan(10);
  });

  it('names accounts in a scenario by ordinal whatever their shape, or by id', () => {
    const r = withIds(5, { devices: 'uuid', accounts: 'uuid' });
    expect(r.indexOfAccountNamed('acct-000001')).toBe(0);
    expect(r.indexOfAccountNamed('acct-000003')).toBe(2);
    expect(r.indexOfAccountNamed(r.accountIds[4])).toBe(4);
    expect(r.indexOfAccountNamed('acct-999999')).toBeUndefined();
    expect(r.indexOfAccountNamed('acct-000000')).toBeUndefined();
  });
});

describe('owner key templates', () => {
  it('put the device id in its slot and read it back, and only from keys of that template', () => {
    const keys = ownerKeys('tenant:eu-west-1/owner/{device}/v2');
    const key = keys.key('ac:cc:8e:01:02:03');
    expect(key).toBe('tenant:eu-west-1/owner/ac:cc:8e:01:02:03/v2');
    expect(keys.deviceOf(key)).toBe('ac:cc:8e:01:02:03');
    expect(keys.deviceOf('owner:ac:cc:8e:01:02:03')).toBeUndefined();
    expect(keys.deviceOf('tenant:eu-west-1/owner//v2')).toBeUndefined();
    expect(ownerKeys().deviceOf('owner:cam-0000001')).toBe('cam-0000001');
  });

  it('refuses a template without exactly one {device}, with other braces, or with spaces', () => {
    expect(keyTemplateProblem('owner:')).toMatch(/exactly once \(found 0\)/);
    expect(keyTemplateProblem('{device}:{device}')).toMatch(/found 2/);
    expect(keyTemplateProblem('{account}/{device}')).toMatch(/braces/);
    expect(keyTemplateProblem('owner {device}')).toMatch(/whitespace/);
    expect(keyTemplateProblem('a/b:{device}')).toBeUndefined();
  });

  it('a scenario with a bad template or id shape is refused, naming the field', async () => {
    const base = await defaultScenario();
    const bad = (identities: unknown) => () => validateScenarioObject({ ...structuredClone(base), identities } as never, 'test');
    expect(bad({ keyTemplate: 'owner:' })).toThrow(/identities\.keyTemplate.*exactly once/s);
    expect(bad({ devices: 'imei' })).toThrow(/identities\.devices/);
    expect(validateScenarioObject(structuredClone(base), 'test').identities).toEqual({ devices: 'sequential', accounts: 'sequential', keyTemplate: 'owner:{device}' });
  });
});
