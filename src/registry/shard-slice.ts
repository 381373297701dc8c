import { createHash } from 'node:crypto';
import type { Registry } from './registry.ts';

/** One process's part of a sharded run: shard `index` (0-based) of `count`. */
export interface ShardSpec {
  index: number;
  count: number;
}

export const MAX_SHARDS = 256;
export const SHARD_PATTERN = /^(\d{1,3})\/(\d{1,3})$/;

/** `"i/N"` → spec, or why it is not one (0 ≤ i < N ≤ 256; i as Kubernetes' JOB_COMPLETION_INDEX counts). */
export function parseShard(text: string): ShardSpec | string {
  const m = SHARD_PATTERN.exec(text.trim());
  if (m === null) return `"${text}" is not a shard: expected i/N, e.g. 0/3 (i counts from 0)`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) return `"${text}": the shard count must be 1 to ${MAX_SHARDS}`;
  if (index >= count) return `"${text}": the shard index counts from 0 and must be below ${count}`;
  return { index, count };
}

export function formatShard(spec: ShardSpec): string {
  return `${spec.index}/${spec.count}`;
}

/** The shard a scenario runs as, if it is one (validated by the schema). */
export function shardOf(scenario: { shard?: string }): ShardSpec | undefined {
  if (scenario.shard === undefined) return undefined;
  const spec = parseShard(scenario.shard);
  return typeof spec === 'string' ? undefined : spec;
}

/**
 * Which accounts, cameras and viewers a shard runs: a function of the seed's registry alone, so
 * every shard computes every other shard's slice too. An account goes to shard
 * `account mod N`; a camera goes with the account that owns it at time zero, so an account's
 * viewers and cameras run in one process (a camera stays there after a transfer).
 */
export interface ShardSlice {
  spec: ShardSpec;
  ownsAccount(account: number): boolean;
  ownsDevice(device: number): boolean;
  /** The shard that publishes an event id (ids are `slot * N + shard`). */
  shardOfEvent(ev: number): number;
}

export function shardSlice(registry: Registry, shard: ShardSpec | string): ShardSlice {
  const parsed = typeof shard === 'string' ? parseShard(shard) : shard;
  if (typeof parsed === 'string') throw new Error(parsed);
  const { index, count } = parsed;
  const owners = new Int32Array(registry.deviceCount);
  for (let d = 0; d < owners.length; d++) owners[d] = registry.initialOwnerIndex(d);
  return {
    spec: parsed,
    ownsAccount: (account) => account % count === index,
    ownsDevice: (device) => owners[device] % count === index,
    shardOfEvent: (ev) => ((ev % count) + count) % count,
  };
}

/**
 * A key every shard of a run derives alike (the watermark key: a viewer on one shard verifies a
 * thumbnail from a camera on another). From the seed and an optional passphrase
 * (CROSSWIRE_BROKER_SECRET): without one, anyone who knows the seed can derive it.
 */
export function sharedRunKey(seed: number, purpose: string, passphrase = ''): Buffer {
  return createHash('sha256').update(`crosswire-shared\0${purpose}\0${seed}\0${passphrase}`).digest();
}
