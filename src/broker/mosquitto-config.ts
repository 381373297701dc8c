import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { Credentials } from '../registry/credentials.ts';
import { serviceUsername } from '../registry/credentials.ts';
import { SERVICE_EVENT_FILTER, weakenedRules, type WeakenedRule } from './acl.ts';

/** Mosquitto 2's password hash: PBKDF2-HMAC-SHA512, 101 iterations, 12-byte salt, 64-byte hash (`$7$`). */
const ITERATIONS = 101;
const SALT_BYTES = 12;
const HASH_BYTES = 64;

/** Who the broker must know: every camera (username = device id), every account, the service. */
export interface BrokerPrincipals {
  deviceIds: readonly string[];
  accountIds: readonly string[];
}

/** Where the broker listens and where its files will be, for mosquitto.conf. */
export interface MosquittoListeners {
  host: string;
  port: number;
  /** The WebSocket listener; 0 for none. */
  wsPort: number;
  passwordFile: string;
  aclFile: string;
}

/** One line of a Mosquitto 2 password file, as `mosquitto_passwd` writes it. */
export function mosquittoPasswordLine(username: string, password: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  const hash = pbkdf2Sync(password, salt, ITERATIONS, HASH_BYTES, 'sha512');
  return `${username}:$7$${ITERATIONS}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function usernamesOf(principals: BrokerPrincipals): string[] {
  return [serviceUsername('reference'), ...principals.deviceIds, ...principals.accountIds];
}

/** The password file: every principal with the password this run's credentials give it. */
export function mosquittoPasswordFile(principals: BrokerPrincipals, credentials: Credentials): string {
  return usernamesOf(principals).map((name) => mosquittoPasswordLine(name, credentials.password(name))).join('\n') + '\n';
}

/**
 * The ACL, by pattern so it stays a few lines whatever the fleet: `%u` is the username, which
 * is the device id for a camera and the account id for a viewer, so each principal reaches only
 * topics named after itself. The service alone reads every camera and writes every account.
 */
export function mosquittoAclFile(weaken?: WeakenedRule): string {
  const service = serviceUsername('reference');
  return [
    '# crosswire fleet ACL (Mosquitto acl_file). Usernames: cameras = device id, viewers = account id.',
    `# the reference service: every camera's events in, each owner's account topic out`,
    `user ${service}`,
    `topic read ${SERVICE_EVENT_FILTER}`,
    'topic write accounts/+/events',
    '# where the shards of a run meet before time zero (crosswire run --shard i/N)',
    'topic readwrite crosswire/shards/#',
    '',
    '# cameras publish under their own device id; viewers read under their own account id.',
    '# A pattern applies to every user: a viewer may also write devices/<its account id>/…, a',
    '# topic no camera has (the service drops it as an unknown device).',
    weaken === 'publish' ? '# WEAKENED (a positive control): any user may publish on any camera\'s topic\npattern write devices/#' : 'pattern write devices/%u/#',
    weaken === 'read' ? '# WEAKENED (a positive control): any user may read every account\'s topic\npattern read accounts/#' : 'pattern read accounts/%u/#',
    '',
  ].join('\n');
}

/**
 * `--weaken <rule>`: the ACL with ONE rule too broad, a positive control the `hostile:` attempts
 * must catch (the embedded broker's `broker.acl: weakened-<rule>`).
 */
export { weakenedRules, type WeakenedRule };

/** The mosquitto.conf the fleet needs: no anonymous access, the files above, TCP and WebSocket listeners. */
export function mosquittoConf(l: MosquittoListeners, about: string): string {
  const lines = [
    `# crosswire broker-config: ${about}`,
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${l.passwordFile}`,
    `acl_file ${l.aclFile}`,
    // CONNACK and SUBACK are tiny: without this, Nagle holds each back in a storm
    'set_tcp_nodelay true',
    'persistence false',
    '',
    `listener ${l.port} ${l.host}`,
    'protocol mqtt',
  ];
  if (l.wsPort > 0) lines.push('', `listener ${l.wsPort} ${l.host}`, 'protocol websockets');
  return lines.join('\n') + '\n';
}
