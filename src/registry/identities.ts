import { createRng, type Rng } from '../rng/seeded-rng.ts';

/**
 * The shapes of device and account ids. `sequential` is crosswire's own naming (`cam-0000001`,
 * `acct-000001`, every id the same length); the others look like a real cloud's, so bugs that
 * depend on an id's length or shape (keys truncated or hashed into collisions) can show.
 * Every shape is drawn from the seed, unique within the run, and safe in an MQTT topic level, a
 * client id and a watermark: no `+`, `#`, `/`, `;`, `~`, `.` or whitespace.
 */
export const deviceIdShapes = ['sequential', 'mac', 'uuid', 'serial'] as const;
export const accountIdShapes = ['sequential', 'uuid'] as const;
export type DeviceIdShape = (typeof deviceIdShapes)[number];
export type AccountIdShape = (typeof accountIdShapes)[number];

export interface IdentityShapes {
  devices: DeviceIdShape;
  accounts: AccountIdShape;
}

export const sequentialIdentities: IdentityShapes = { devices: 'sequential', accounts: 'sequential' };

/** A few camera vendors' OUIs: real fleets share a handful, so MACs share their first 8 characters. */
const OUIS = ['ac:cc:8e', '2c:aa:8e', '9c:8e:cd', 'e0:50:8b'];
/** Crockford base32: serial numbers printed on a label avoid I, L, O and U. */
const SERIAL_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SERIAL_MODELS = ['CW2', 'CW3P', 'DB1'];

const hex = (rng: Rng, digits: number): string => {
  let out = '';
  for (let i = 0; i < digits; i++) out += (rng.int(0, 15)).toString(16);
  return out;
};

function mac(rng: Rng): string {
  const nic = hex(rng, 6);
  return `${rng.pick(OUIS)}:${nic.slice(0, 2)}:${nic.slice(2, 4)}:${nic.slice(4, 6)}`;
}

/** RFC 4122 version 4 layout, its random bits drawn from the seed. */
function uuid(rng: Rng): string {
  const variant = '89ab'[rng.int(0, 3)];
  return `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${variant}${hex(rng, 3)}-${hex(rng, 12)}`;
}

function serial(rng: Rng): string {
  let body = '';
  for (let i = 0; i < 12; i++) body += SERIAL_ALPHABET[rng.int(0, SERIAL_ALPHABET.length - 1)];
  return `${rng.pick(SERIAL_MODELS)}-${body}`;
}

const sequentialDevice = (index: number) => `cam-${String(index + 1).padStart(7, '0')}`;
const sequentialAccount = (index: number) => `acct-${String(index + 1).padStart(6, '0')}`;

/** Draws unique ids of one shape; the n-th id is a function of the seed and n alone. */
export class IdSource {
  private readonly rng: Rng | undefined;
  private readonly seen = new Set<string>();
  private readonly draw: (rng: Rng) => string;
  private readonly sequential: (index: number) => string;

  private constructor(rng: Rng | undefined, draw: (rng: Rng) => string, sequential: (index: number) => string) {
    this.rng = rng;
    this.draw = draw;
    this.sequential = sequential;
  }

  static devices(seed: number, shape: DeviceIdShape): IdSource {
    const draws = { mac, uuid, serial } as const;
    return shape === 'sequential'
      ? new IdSource(undefined, uuid, sequentialDevice)
      : new IdSource(createRng(seed, 'device-ids'), draws[shape], sequentialDevice);
  }

  static accounts(seed: number, shape: AccountIdShape): IdSource {
    return shape === 'sequential' ? new IdSource(undefined, uuid, sequentialAccount) : new IdSource(createRng(seed, 'account-ids'), uuid, sequentialAccount);
  }

  /** The id of the index-th device or account (called in index order). */
  next(index: number): string {
    if (this.rng === undefined) return this.sequential(index);
    for (;;) {
      const id = this.draw(this.rng);
      // a repeat is redrawn: ids are unique within the run (the registry maps them back to indices)
      if (!this.seen.has(id)) {
        this.seen.add(id);
        return id;
      }
    }
  }
}

/**
 * Accounts are named in a scenario (a transfer's `to`) by their ordinal, `acct-000001` for the
 * first, whatever shape their ids take: the index it names, or undefined.
 */
export function accountOrdinal(label: string): number | undefined {
  const n = /^acct-(\d{6})$/.exec(label)?.[1];
  return n === undefined || Number(n) < 1 ? undefined : Number(n) - 1;
}

export function accountLabel(index: number): string {
  return sequentialAccount(index);
}
