import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { mosquittoAclFile, mosquittoConf, mosquittoPasswordFile, weakenedRules, type WeakenedRule } from '../../broker/mosquitto-config.ts';
import { usageError } from '../../errors.ts';
import { ExitCode } from '../../exit-codes.ts';
import { brokerPrincipals, plaintextPasswords, type FleetFlags } from '../broker-principals.ts';

export interface BrokerConfigOptions extends FleetFlags {
  outDir?: string;
  host: string;
  port: number;
  wsPort: number;
  /** `username:password` lines instead of Mosquitto's hashes, for other brokers' imports. */
  plaintext?: boolean;
  /** One ACL rule made too broad: a positive control for `hostile:` scenarios. */
  weaken?: string;
}

/**
 * `crosswire broker-config mosquitto [scenario]`: the password file, ACL and mosquitto.conf a
 * broker needs to host this scenario's fleet for this seed. Printed, or written to --out-dir.
 */
export async function brokerConfigCommand(kind: string, file: string | undefined, options: BrokerConfigOptions): Promise<number> {
  if (kind !== 'mosquitto') throw usageError('BROKER_KIND', `broker-config: ${JSON.stringify(kind)} is not a broker crosswire writes files for (expected: mosquitto; EMQX and HiveMQ: see docs/external-brokers.md)`);
  if (options.weaken !== undefined && !(weakenedRules as readonly string[]).includes(options.weaken)) {
    throw usageError('BROKER_WEAKEN', `broker-config: --weaken ${JSON.stringify(options.weaken)} is not a rule crosswire weakens (expected: ${weakenedRules.join(', ')})`);
  }
  const principals = await brokerPrincipals(file, options);
  const { scenario, registry, credentials, about } = principals;
  // Mosquitto's password file is `username:hash`, split at the first colon: a MAC-shaped device id
  // as a username would be read as another name, and that camera could never connect.
  const colon = registry.deviceIds.find((id) => id.includes(':'));
  if (colon !== undefined) {
    throw usageError('BROKER_USERNAME', `broker-config: device id ${JSON.stringify(colon)} (identities.devices: ${scenario.identities?.devices ?? 'sequential'}) holds ':', which Mosquitto's password file cannot hold in a username; use identities.devices uuid, serial or sequential against Mosquitto`);
  }
  const dir = options.outDir === undefined ? undefined : resolve(options.outDir);
  const listeners = {
    host: options.host,
    port: options.port,
    wsPort: options.wsPort,
    // plaintext: hash it in place with `mosquitto_passwd -U` before Mosquitto reads it
    passwordFile: dir === undefined ? '/etc/mosquitto/crosswire.passwd' : join(dir, options.plaintext ? 'passwords.txt' : 'passwd'),
    aclFile: dir === undefined ? '/etc/mosquitto/crosswire.acl' : join(dir, 'acl'),
  };
  const files = {
    'mosquitto.conf': mosquittoConf(listeners, about),
    ...(options.plaintext
      ? { 'passwords.txt': plaintextPasswords(principals) }
      : { passwd: mosquittoPasswordFile(registry, credentials) }),
    acl: mosquittoAclFile(options.weaken as WeakenedRule | undefined),
  };
  if (dir === undefined) {
    for (const [name, text] of Object.entries(files)) process.stdout.write(`# ---- ${name} ----\n${text}\n`);
    return ExitCode.pass;
  }
  await mkdir(dir, { recursive: true });
  // the password file holds hashes only, but no one else needs to read it
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text, { mode: name === 'acl' || name === 'mosquitto.conf' ? 0o644 : 0o600 });
  const url = `mqtt://${options.host}:${options.port}`;
  process.stdout.write(
    `wrote ${Object.keys(files).map((name) => join(dir, name)).join(', ')} (${about})\n` +
      `start: mosquitto -c ${join(dir, 'mosquitto.conf')}\n` +
      `run:   crosswire run${file ? ` ${file}` : ''} --seed ${scenario.seed} --broker ${url}` +
      (options.wsPort > 0 ? ` --broker-ws-url ws://${options.host}:${options.wsPort}/mqtt` : '') +
      '\n',
  );
  return ExitCode.pass;
}
