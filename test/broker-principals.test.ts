import { describe, expect, it } from 'vitest';
import { brokerPrincipals, plaintextPasswords } from '../src/cli/broker-principals.ts';
import { Credentials, externalBrokerSecret } from '../src/registry/credentials.ts';
import { Registry } from '../src/registry/registry.ts';

// The principals `broker-config` and `broker-serve` admit must be the fleet `run` connects with
// for the same scenario, seed and size — ids shaped as the scenario says included

describe('brokerPrincipals', () => {
  it('is the run\'s fleet: the same ids (realistic id shapes included) and the seed\'s passwords', async () => {
    const { scenario, registry, credentials } = await brokerPrincipals(undefined, { seed: 9, devices: 6, set: ['identities.devices=mac', 'identities.accounts=uuid'] });
    const run = Registry.generate(9, { ...scenario.fleet, identities: scenario.identities });
    expect(registry.deviceIds).toEqual(run.deviceIds);
    expect(registry.deviceIds[0]).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(registry.accountIds[0]).toMatch(/^[0-9a-f]{8}-/);
    const camera = registry.deviceIds[0];
    expect(credentials.password(camera)).toBe(new Credentials(externalBrokerSecret(9)).password(camera));
  });

  it('writes one username:password line per principal: the service, every camera, every account', async () => {
    const principals = await brokerPrincipals(undefined, { seed: 9, devices: 6 });
    const lines = plaintextPasswords(principals).trim().split('\n');
    expect(lines).toHaveLength(1 + principals.registry.deviceIds.length + principals.registry.accountIds.length);
    expect(lines[0]).toBe(`svc-reference:${principals.credentials.password('svc-reference')}`);
    expect(lines.every((line) => /^[^:\s]+(:[^:\s]+)*:[0-9a-f]{32}$/.test(line))).toBe(true);
  });
});
