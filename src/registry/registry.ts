import { createRng } from '../rng/seeded-rng.ts';
import { accountOrdinal, IdSource, sequentialIdentities, type IdentityShapes } from './identities.ts';

/**
 * Ground truth: accounts, devices, and who owned each device when. It is a pure function of
 * the seed plus the transfers the timeline applies; the oracle asks only this, never the
 * service, the broker or the cache.
 */
export interface FleetShape {
  devices: number;
  accounts?: number;
  devicesPerAccount: { min: number; max: number };
  viewersPerAccount: { min: number; max: number };
  /** The shapes of device and account ids; sequential when absent. */
  identities?: IdentityShapes;
}

/** What the source of truth answers for a device: its owner and since when. */
export interface OwnershipRecord {
  deviceId: string;
  owner: string;
  since: number;
}

interface Transfer {
  at: number;
  owner: number;
}

export class Registry {
  readonly accountIds: string[] = [];
  readonly viewersPerAccount: number[] = [];
  readonly deviceIds: string[] = [];
  private readonly initialOwner: number[] = [];
  /** Sparse: only devices that changed hands have a list, in time order. */
  private readonly transfers = new Map<number, Transfer[]>();
  private readonly deviceIndex = new Map<string, number>();
  private readonly accountIndex = new Map<string, number>();

  private readonly deviceIdSource: IdSource;
  private readonly accountIdSource: IdSource;

  private constructor(seed: number, identities: IdentityShapes) {
    this.deviceIdSource = IdSource.devices(seed, identities.devices);
    this.accountIdSource = IdSource.accounts(seed, identities.accounts);
  }

  static generate(seed: number, shape: FleetShape): Registry {
    const registry = new Registry(seed, shape.identities ?? sequentialIdentities);
    // ids come from streams of their own: the fleet's shape is the same whatever the ids look like
    const rng = createRng(seed, 'fleet-shape');
    const { min, max } = shape.devicesPerAccount;
    // devices are dealt to accounts in order, so device N keeps its owner when the fleet grows
    const addAccount = () => registry.addAccount(rng.int(shape.viewersPerAccount.min, shape.viewersPerAccount.max));
    if (shape.accounts !== undefined) {
      for (let a = 0; a < shape.accounts; a++) {
        const account = addAccount();
        const count = rng.int(min, max);
        for (let d = 0; d < count; d++) registry.addDevice(account);
      }
    } else {
      while (registry.deviceIds.length < shape.devices) {
        const account = addAccount();
        const count = Math.min(rng.int(min, max), shape.devices - registry.deviceIds.length);
        for (let d = 0; d < count; d++) registry.addDevice(account);
      }
    }
    return registry;
  }

  private addAccount(viewers: number): number {
    const index = this.accountIds.length;
    const id = this.accountIdSource.next(index);
    this.accountIds.push(id);
    this.viewersPerAccount.push(viewers);
    this.accountIndex.set(id, index);
    return index;
  }

  private addDevice(account: number): void {
    const index = this.deviceIds.length;
    const id = this.deviceIdSource.next(index);
    this.deviceIds.push(id);
    this.initialOwner.push(account);
    this.deviceIndex.set(id, index);
  }

  get deviceCount(): number {
    return this.deviceIds.length;
  }

  get accountCount(): number {
    return this.accountIds.length;
  }

  indexOfDevice(deviceId: string): number | undefined {
    return this.deviceIndex.get(deviceId);
  }

  indexOfAccount(accountId: string): number | undefined {
    return this.accountIndex.get(accountId);
  }

  /** The account a scenario names: by its ordinal (`acct-000001`, in any id shape) or by its id. */
  indexOfAccountNamed(name: string): number | undefined {
    const ordinal = accountOrdinal(name);
    if (ordinal !== undefined && ordinal < this.accountIds.length) return ordinal;
    return this.accountIndex.get(name);
  }

  /** Owner (account index) of a device at time zero, before any transfer. */
  initialOwnerIndex(device: number): number {
    return this.initialOwner[device];
  }

  /** Owner (account index) of a device at scenario time t. */
  ownerIndexAt(device: number, t: number): number {
    const list = this.transfers.get(device);
    if (list === undefined) return this.initialOwner[device];
    let owner = this.initialOwner[device];
    for (const transfer of list) {
      if (transfer.at > t) break;
      owner = transfer.owner;
    }
    return owner;
  }

  ownerAt(deviceId: string, t: number): string | undefined {
    const device = this.deviceIndex.get(deviceId);
    return device === undefined ? undefined : this.accountIds[this.ownerIndexAt(device, t)];
  }

  /** The ownership in force at t, with the time it began (0 for the initial owner). */
  recordAt(deviceId: string, t: number): OwnershipRecord | undefined {
    const device = this.deviceIndex.get(deviceId);
    if (device === undefined) return undefined;
    let owner = this.initialOwner[device];
    let since = 0;
    for (const transfer of this.transfers.get(device) ?? []) {
      if (transfer.at > t) break;
      owner = transfer.owner;
      since = transfer.at;
    }
    return { deviceId, owner: this.accountIds[owner], since };
  }

  /** Moves a device to another account from time `at` on. Transfers must come in time order. */
  transfer(device: number, toAccount: number, at: number): void {
    const list = this.transfers.get(device) ?? [];
    const last = list.at(-1);
    if (last !== undefined && last.at > at) throw new Error(`transfers of ${this.deviceIds[device]} out of order`);
    list.push({ at, owner: toAccount });
    this.transfers.set(device, list);
  }

  get transferCount(): number {
    let n = 0;
    for (const list of this.transfers.values()) n += list.length;
    return n;
  }

  /** Current devices per account, for reports and fleet checks. */
  devicesOwnedAt(t: number): number[] {
    const counts = new Array<number>(this.accountIds.length).fill(0);
    for (let d = 0; d < this.deviceIds.length; d++) counts[this.ownerIndexAt(d, t)]++;
    return counts;
  }
}
