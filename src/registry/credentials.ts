import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

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

export class Credentials {
  // a KeyObject: HMAC with it is ~5x faster than with a raw Buffer (no key import per call)
  private readonly secret: KeyObject;
  constructor(secret: Buffer) {
    this.secret = createSecretKey(secret);
  }

  password(username: string): string {
    return createHmac('sha256', this.secret).update('mqtt:').update(username).digest('hex').slice(0, 32);
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

  /** Checks a CONNECT's username/password; the caller then binds the client id to the principal. */
  verify(username: string, password: Buffer | undefined): boolean {
    return password !== undefined && safeEqual(this.password(username), password.toString());
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
