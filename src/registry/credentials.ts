import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * Every principal's secret is derived from the run secret, so nothing per device is stored:
 * a camera's password is HMAC(secret, "mqtt:" + its id), an account's tap token is
 * HMAC(secret, "tap:" + account id).
 */
export type Role = 'camera' | 'viewer' | 'service';

export interface Principal {
  role: Role;
  /** Device id for a camera, account id for a viewer, service name for the service. */
  id: string;
}

const SERVICE_PREFIX = 'svc-';
/** MQTT passwords are the first 32 hex digits of the HMAC. */
const PASSWORD_CHARS = 32;

export class Credentials {
  // a KeyObject: HMAC with it is ~5x faster than with a raw Buffer (no key import per call)
  private readonly secret: KeyObject;
  /**
   * A principal's password is constant for the run: derived once, then looked up, by the
   * client presenting it and by the broker checking it (a reconnect storm would otherwise pay
   * two HMACs per attempt). Only principals are ever asked for, so this is bounded by the fleet.
   */
  private readonly passwords = new Map<string, string>();
  constructor(secret: Buffer) {
    this.secret = createSecretKey(secret);
  }

  password(username: string): string {
    let password = this.passwords.get(username);
    if (password === undefined) {
      password = createHmac('sha256', this.secret).update('mqtt:').update(username).digest('hex').slice(0, PASSWORD_CHARS);
      this.passwords.set(username, password);
    }
    return password;
  }

  tapToken(accountId: string): string {
    const mac = createHmac('sha256', this.secret).update('tap:').update(accountId).digest('hex').slice(0, 32);
    return `${accountId}.${mac}`;
  }

  /** The account a tap token proves, or undefined. */
  accountOfTapToken(token: string): string | undefined {
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const accountId = token.slice(0, dot);
    return safeEqual(this.tapToken(accountId), token) ? accountId : undefined;
  }

  /**
   * Checks a CONNECT's username/password; the caller then binds the client id to the principal.
   * Constant time over the password's bytes, without allocating: it runs once per connect.
   */
  verify(username: string, password: Buffer | undefined): boolean {
    if (password === undefined || password.length !== PASSWORD_CHARS) return false;
    const expected = this.password(username);
    let diff = 0;
    for (let i = 0; i < PASSWORD_CHARS; i++) diff |= expected.charCodeAt(i) ^ password[i];
    return diff === 0;
  }
}

export function serviceUsername(name: string): string {
  return SERVICE_PREFIX + name;
}

/** Viewer client ids are `<account>~v<n>`, bound to the account that is their username. */
export function viewerClientId(accountId: string, n: number): string {
  return `${accountId}~v${n}`;
}

export function principalOf(username: string, isDevice: (id: string) => boolean, isAccount: (id: string) => boolean): Principal | undefined {
  if (username.startsWith(SERVICE_PREFIX)) return { role: 'service', id: username };
  if (isDevice(username)) return { role: 'camera', id: username };
  if (isAccount(username)) return { role: 'viewer', id: username };
  return undefined;
}

/** A client id is bound to its credentials: no one may connect under someone else's id. */
export function clientIdMatches(principal: Principal, clientId: string): boolean {
  if (principal.role === 'viewer') return clientId.startsWith(principal.id + '~v');
  if (principal.role === 'service') return clientId === principal.id || clientId.startsWith(principal.id + '~');
  return clientId === principal.id;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The run secret for a broker crosswire does not own: its password file is written before the
 * run (`crosswire broker-config`), so both must derive the same passwords from the seed and an
 * optional passphrase (CROSSWIRE_BROKER_SECRET). Without a passphrase anyone who knows the seed
 * can derive them: fine for a private test broker, not for a shared one.
 */
export function externalBrokerSecret(seed: number, passphrase = ''): Buffer {
  return createHash('sha256').update(`crosswire-external-broker\0${seed}\0${passphrase}`).digest();
}
