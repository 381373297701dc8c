import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { mosquittoAclFile, mosquittoConf, mosquittoPasswordFile, usernamesOf, weakenedRules, type WeakenedRule } from '../../broker/mosquitto-config.ts';
import { usageError } from '../../errors.ts';
import { ExitCode } from '../../exit-codes.ts';
import { Credentials, externalBrokerSecret } from '../../registry/credentials.ts';
import { Registry } from '../../registry/registry.ts';
import { loadScenarioFile } from '../../scenario/load-scenario.ts';
import { overridesFrom, type RunFlags } from '../scenario-overrides.ts';
import { DEFAULT_SCENARIO } from './run-command.ts';

export interface BrokerConfigOptions extends Pick<RunFlags, 'seed' | 'devices' | 'accounts' | 'set'> {
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
  const { scenario } = await loadScenarioFile(file ?? DEFAULT_SCENARIO, overridesFrom(options));
  const registry = Registry.generate(scenario.seed, scenario.fleet);
  const credentials = new Credentials(externalBrokerSecret(scenario.seed, process.env.CROSSWIRE_BROKER_SECRET));
  const about = `scenario ${scenario.name}, seed ${scenario.seed}: ${registry.deviceIds.length} cameras, ${registry.accountIds.length} accounts`;
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
      ? { 'passwords.txt': usernamesOf(registry).map((name) => `${name}:${credentials.password(name)}\n`).join('') }
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
