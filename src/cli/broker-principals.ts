import { usernamesOf } from '../broker/mosquitto-config.ts';
import { Credentials, externalBrokerSecret } from '../registry/credentials.ts';
import { Registry } from '../registry/registry.ts';
import { loadScenarioFile } from '../scenario/load-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { DEFAULT_SCENARIO } from './commands/run-command.ts';
import { overridesFrom, type RunFlags } from './scenario-overrides.ts';

/** The flags that choose a fleet: which scenario's, for which seed, of what size. */
export type FleetFlags = Pick<RunFlags, 'seed' | 'devices' | 'accounts' | 'set'>;

/** Who may connect to a broker for a scenario and seed, and the passwords they present. */
export interface BrokerPrincipals {
  scenario: Scenario;
  registry: Registry;
  credentials: Credentials;
  /** `scenario reconnect-storm, seed 1: 2000 cameras, 579 accounts`. */
  about: string;
}

/**
 * The principals of `crosswire run --broker …` for this scenario and seed: passwords derived from
 * the seed and CROSSWIRE_BROKER_SECRET, as the run derives them, so a broker configured from them
 * (Mosquitto's files, or `broker-serve`) accepts exactly that run's fleet.
 */
export async function brokerPrincipals(file: string | undefined, flags: FleetFlags): Promise<BrokerPrincipals> {
  const { scenario } = await loadScenarioFile(file ?? DEFAULT_SCENARIO, overridesFrom(flags));
  const registry = Registry.generate(scenario.seed, { ...scenario.fleet, identities: scenario.identities });
  const credentials = new Credentials(externalBrokerSecret(scenario.seed, process.env.CROSSWIRE_BROKER_SECRET));
  const about = `scenario ${scenario.name}, seed ${scenario.seed}: ${registry.deviceIds.length} cameras, ${registry.accountIds.length} accounts`;
  return { scenario, registry, credentials, about };
}

/** `username:password` lines, every principal (the service, cameras, accounts): for other brokers' imports and for clients. */
export function plaintextPasswords({ registry, credentials }: Pick<BrokerPrincipals, 'registry' | 'credentials'>): string {
  return usernamesOf(registry).map((name) => `${name}:${credentials.password(name)}\n`).join('');
}
