import { Credentials, externalBrokerSecret, serviceUsername, viewerClientId } from '../registry/credentials.ts';
import type { FleetShape } from '../registry/registry.ts';
import { Registry } from '../registry/registry.ts';

/** Who the attacker is: a principal of the seed, or nobody the broker knows. */
export const attackerRoles = ['viewer', 'camera', 'service', 'anonymous'] as const;
export type AttackerRole = (typeof attackerRoles)[number];

/**
 * The principals of one seed a fuzz case plays with, taken from the fleet the seed generates (as
 * `crosswire broker-config` does): the victim account with its viewer and a camera, another
 * account whose viewer or camera attacks, and the service.
 */
export interface FuzzCast {
  seed: number;
  registry: Registry;
  /** The run secret the credentials derive from (a broker thread rebuilds them from it). */
  secret: Buffer;
  fleet: FleetShape;
  credentials: Credentials;
  victimAccount: string;
  /** A camera the victim owns: the bait camera of every case. */
  victimCamera: string;
  attackerAccount: string;
  /** A camera the attacker's account owns. */
  attackerCamera: string;
  service: string;
}

/** The seed's fleet and credentials, derived as for an external broker (`broker-config`). */
export function castOf(seed: number, fleet: FleetShape, passphrase = process.env.CROSSWIRE_BROKER_SECRET): FuzzCast {
  const registry = Registry.generate(seed, fleet);
  const secret = externalBrokerSecret(seed, passphrase);
  const credentials = new Credentials(secret);
  const [victimAccount, attackerAccount] = registry.accountIds;
  if (attackerAccount === undefined) throw new Error('the fuzz cast needs a fleet of at least two accounts');
  const cameraOf = (account: string) => registry.deviceIds.find((id) => registry.ownerAt(id, 0) === account);
  const victimCamera = cameraOf(victimAccount);
  const attackerCamera = cameraOf(attackerAccount);
  if (victimCamera === undefined || attackerCamera === undefined) throw new Error('the fuzz cast needs a camera in each of the first two accounts');
  return { seed, registry, secret, fleet, credentials, victimAccount, victimCamera, attackerAccount, attackerCamera, service: serviceUsername('reference') };
}

/** The username and client id a role connects with; `n` keeps client ids apart between connections. */
export function identityOf(cast: FuzzCast, role: AttackerRole, n: number): { username: string; clientId: string } {
  switch (role) {
    case 'viewer':
      return { username: cast.attackerAccount, clientId: viewerClientId(cast.attackerAccount, 100 + n) };
    case 'camera':
      return { username: cast.attackerCamera, clientId: cast.attackerCamera };
    case 'service':
      return { username: cast.service, clientId: `${cast.service}~fuzz${n}` };
    case 'anonymous':
      return { username: `nobody-${n}`, clientId: `nobody-${n}` };
  }
}
