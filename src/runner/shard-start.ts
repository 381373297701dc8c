import { setTimeout as sleep } from 'node:timers/promises';
import { meetAtBarrier, type ShardStart } from './shard-barrier.ts';
import type { World } from './world.ts';

export interface ShardStartOptions {
  /** Names the run on the broker's control topic (every shard of a run gives the same). */
  runId: string;
  /** Time zero given outright (epoch ms): no barrier. */
  startAt?: number;
  /** How long to wait for every shard at the barrier (real ms). */
  timeoutMs: number;
  /** Time zero comes this long after the last shard was ready (real ms). */
  marginMs: number;
}

export const DEFAULT_BARRIER_TIMEOUT_MS = 120_000;
export const DEFAULT_BARRIER_MARGIN_MS = 2_000;

/**
 * Scenario time zero for a shard, the same instant on every shard of the run: given
 * (`--start-at`), or agreed at a barrier through the broker. Either way the shards also learn
 * where each other's service answers taps (with `--start-at`, from the barrier all the same when
 * N > 1: a viewer may tap a clip of a camera on another shard).
 */
export async function agreeTimeZero(world: World, options: ShardStartOptions | undefined, signal?: AbortSignal): Promise<ShardStart> {
  const shard = world.shard!;
  const spec = shard.slice.spec;
  const o = options ?? { runId: 'default', timeoutMs: DEFAULT_BARRIER_TIMEOUT_MS, marginMs: DEFAULT_BARRIER_MARGIN_MS };
  const started = Date.now();
  let start: ShardStart;
  if (o.startAt !== undefined && spec.count === 1) {
    start = { shard: `${spec.index}/${spec.count}`, zeroAt: o.startAt, via: 'start-at', waitedMs: 0 };
  } else {
    const met = await meetAtBarrier({
      spec,
      transport: world.broker.clientTransport,
      credentials: world.fleet.credentials,
      runId: o.runId,
      tapUrl: world.tapServer.url,
      timeoutMs: o.timeoutMs,
      marginMs: o.marginMs,
      signal,
    });
    shard.tapUrls.push(...met.tapUrls);
    const { tapUrls: _urls, ...rest } = met;
    start = o.startAt === undefined ? rest : { ...rest, zeroAt: o.startAt, via: 'start-at', waitedMs: Date.now() - started };
  }
  return start;
}

/** Waits (real time) until the agreed time zero. */
export async function untilZero(start: ShardStart): Promise<void> {
  const wait = start.zeroAt - Date.now();
  if (wait > 0) await sleep(wait);
}
