import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runner/run-scenario.ts';
import { loadScenarioFile } from '../src/scenario/load-scenario.ts';
import { skipWithout } from './support/server-skip.ts';
import { set } from './support/scenario-files.ts';

/**
 * The verdict in both directions, on the same scenario and seed: honest adapters written the way
 * third parties write them — linearizable, but slow, pooled, or with every operation taking a
 * random time, so concurrent operations complete in any order — PASS on the short-TTL churn
 * scenario (owners change every few seconds, cached ownership expires every two), while the
 * faulty controls FAIL there, each blamed for what it does.
 */
const TTL_CHURN = fileURLToPath(new URL('../scenarios/ttl-churn.yaml', import.meta.url));
const fixture = (name: string) => `./${fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)).slice(process.cwd().length + 1)}`;

async function churn(adapter: string, seed: number) {
  const { scenario } = await loadScenarioFile(TTL_CHURN, [set('cache.adapter', adapter), set('seed', seed), set('timeScale', 5)]);
  return (await runScenario(scenario)).summary;
}

const honest = [
  ['random-latency (each operation 0–40 ms, any completion order)', fixture('honest/random-latency-cache.js')],
  ['connection-pool (eight in-order connections that overtake each other)', fixture('honest/connection-pool-cache.js')],
  ['slow-map (100 ms per operation)', fixture('slow-map-adapter.js')],
] as const;

describe('honest adapters on the short-TTL churn scenario', () => {
  it.each(honest)('%s PASSes, and nothing is blamed', async (_name, adapter) => {
    const summary = await churn(adapter, 2);
    expect(summary.reasons).toEqual([]);
    expect(summary.verdict).toBe('PASS');
    expect(summary.transfers.reduce((n, t) => n + t.devices, 0)).toBeGreaterThan(20);
  });

  it.skipIf(skipWithout('redis'))('a slow but correct network client (ioredis with random pauses) PASSes', async () => {
    const summary = await churn(fixture('honest/slow-redis-client.js'), 1);
    expect(summary.reasons).toEqual([]);
    expect(summary.verdict).toBe('PASS');
  });
});

describe('faulty controls on the same scenario and seed', () => {
  it('faulty:stale-owner FAILs, blamed stale, quoting the write and the delete it outlived', async () => {
    const summary = await churn('faulty:stale-owner', 2);
    expect(summary.verdict).toBe('FAIL');
    expect(Object.keys(summary.blame ?? {})).toEqual(['stale']);
    const { blame } = summary.violations[0];
    expect(blame?.write?.op).toBe('set');
    expect(blame?.invalidation?.op).toBe('delete');
    // the delete ended before the read began: exact order, by operation ids
    expect(blame!.invalidation!.doneAfter).toBeLessThan(blame!.read!.id);
  });

  it('faulty:key-collision FAILs, blamed wrong-key', async () => {
    const summary = await churn('faulty:key-collision', 2);
    expect(summary.verdict).toBe('FAIL');
    expect(Object.keys(summary.blame ?? {})).toEqual(['wrong-key']);
    expect(summary.violations[0].blame?.reason).toMatch(/only ever written under owner:cam-/);
  });
});
