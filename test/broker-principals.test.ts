import { describe, expect, it } from 'vitest';
import { brokerPrincipals, plaintextPasswords } from '../src/cli/broker-principals.ts';
import { brokerConfigCommand } from '../src/cli/commands/broker-config-command.ts';
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

  it('broker-config mosquitto refuses MAC-shaped device ids, naming the field: its password file splits a username at the colon', async () => {
    const options = { seed: 9, devices: 6, host: '127.0.0.1', port: 1883, wsPort: 0 };
    await expect(brokerConfigCommand('mosquitto', undefined, { ...options, set: ['identities.devices=mac'] })).rejects.toMatchObject({ code: 'BROKER_USERNAME', message: expect.stringContaining('identities.devices: mac') });
    const written: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => (written.push(chunk), true)) as typeof process.stdout.write;
    try {
      await brokerConfigCommand('mosquitto', undefined, { ...options, set: ['identities.devices=serial'] });
    } finally {
      process.stdout.write = write;
    }
    expect(written.join('')).toContain('# ---- passwd ----');
  });
});
