import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { mosquittoAclFile, mosquittoConf, mosquittoPasswordFile } from '../../broker/mosquitto-config.ts';
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
}

/**
 * `crosswire broker-config mosquitto [scenario]`: the password file, ACL and mosquitto.conf a
 * broker needs to host this scenario's fleet for this seed. Printed, or written to --out-dir.
 */
export async function brokerConfigCommand(kind: string, file: string | undefined, options: BrokerConfigOptions): Promise<number> {
  if (kind !== 'mosquitto') throw usageError('BROKER_KIND', `broker-config: ${JSON.stringify(kind)} is not a broker crosswire writes files for (expected: mosquitto; EMQX and HiveMQ: see docs/external-brokers.md)`);
  const { scenario } = await loadScenarioFile(file ?? DEFAULT_SCENARIO, overridesFrom(options));
  const registry = Registry.generate(scenario.seed, scenario.fleet);
  const credentials = new Credentials(externalBrokerSecret(scenario.seed, process.env.CROSSWIRE_BROKER_SECRET));
  const about = `scenario ${scenario.name}, seed ${scenario.seed}: ${registry.deviceIds.length} cameras, ${registry.accountIds.length} accounts`;
  const dir = options.outDir === undefined ? undefined : resolve(options.outDir);
  const listeners = {
    host: options.host,
    port: options.port,
    wsPort: options.wsPort,
    passwordFile: dir === undefined ? '/etc/mosquitto/crosswire.passwd' : join(dir, 'passwd'),
    aclFile: dir === undefined ? '/etc/mosquitto/crosswire.acl' : join(dir, 'acl'),
  };
  const files = {
    'mosquitto.conf': mosquittoConf(listeners, about),
    passwd: mosquittoPasswordFile(registry, credentials),
    acl: mosquittoAclFile(),
  };
  if (dir === undefined) {
    for (const [name, text] of Object.entries(files)) process.stdout.write(`# ---- ${name} ----\n${text}\n`);
    return ExitCode.pass;
  }
  await mkdir(dir, { recursive: true });
  // the password file holds hashes only, but no one else needs to read it
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text, { mode: name === 'passwd' ? 0o600 : 0o644 });
  const url = `mqtt://${options.host}:${options.port}`;
  process.stdout.write(
    `wrote ${join(dir, 'mosquitto.conf')}, passwd and acl (${about})\n` +
      `start: mosquitto -c ${join(dir, 'mosquitto.conf')}\n` +
      `run:   crosswire run${file ? ` ${file}` : ''} --seed ${scenario.seed} --broker ${url}` +
      (options.wsPort > 0 ? ` --broker-ws-url ws://${options.host}:${options.wsPort}/mqtt` : '') +
      '\n',
  );
  return ExitCode.pass;
}
