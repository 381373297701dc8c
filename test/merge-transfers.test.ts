import { describe, expect, it } from 'vitest';
import { Registry } from '../src/registry/registry.ts';
import { shardSlice } from '../src/registry/shard-slice.ts';
import { mergeHistories, type ShardHistory } from '../src/runner/merge-histories.ts';
import { validateScenarioObject } from '../src/scenario/load-scenario.ts';

/** Two shards of one run, each recording the one scheduled transfer when its own timeline ran it. */
function shards(transferAt: [number, number]) {
  const base = { name: 'merge-transfers', seed: 5, fleet: { devices: 200 }, broker: { url: 'mqtt://127.0.0.1:1883' } };
  const scenarios = [0, 1].map((i) => validateScenarioObject({ ...base, shard: `${i}/2` }, 'test'));
  const registry = Registry.generate(5, { ...scenarios[0].fleet, identities: scenarios[0].identities });
  const moves: [number, number][] = Array.from({ length: 40 }, (_, d) => [d * 5, (registry.initialOwnerIndex(d * 5) + 1) % registry.accountCount]);
  const histories: ShardHistory[] = scenarios.map((scenario, i) => ({
    file: `shard${i}/history.ndjson`,
    header: { op: 'run', format: 1, scenario, clock: 'real', inFlightWindow: 1000 },
    ops: [
      { op: 'shard-start', t: 0, shard: `${i}/2`, zeroAt: 1_000_000, via: 'barrier', waitedMs: 0 },
      { op: 'transfer', t: transferAt[i], moves },
      { op: 'end', t: 60_000, interrupted: false },
    ],
  }));
  return { histories, registry, moves };
}

describe('merge: ownership transfers', () => {
  it('take effect camera by camera when the shard serving the camera applied them', async () => {
    // shard 0's timeline ran the transfer 312 ms late (a busy event loop), shard 1's on time
    const { histories, registry, moves } = shards([45_322, 45_010]);
    const merged = await mergeHistories(histories);
    const transfers = merged.ops.filter((op) => op.op === 'transfer');
    expect(transfers).toHaveLength(2);
    for (const [i, at] of [[0, 45_322], [1, 45_010]]) {
      const slice = shardSlice(registry, { index: i, count: 2 });
      const op = transfers.find((o) => o.t === at)!;
      expect(op.moves).toEqual(moves.filter(([d]) => slice.ownsDevice(d)));
    }
    // every move once, none lost
    expect(transfers.flatMap((o) => o.moves).length).toBe(moves.length);
  });
});
