import { describe, expect, it } from 'vitest';
import { cacheSlice } from '../src/faults/kinds/cache-slice.ts';
import { validateScenarioObject } from '../src/scenario/load-scenario.ts';
import { defaultScenario } from './support/default-scenario.ts';

/** The cache-slice step: a slicer toxic on the chaos proxy for its window, in the proxy's units. */
describe('cache-slice', () => {
  it('adds a downstream slicer with the gap in wall-clock microseconds, and removes it at heal', () => {
    const added: unknown[] = [];
    const removed: string[] = [];
    const cacheProxy = {
      addToxic: (spec: unknown) => (added.push(spec), 'toxic-1'),
      removeToxic: (name: string) => void removed.push(name),
    };
    const fault = cacheSlice.create({ at: 12_000, fault: 'cache-slice', duration: 20_000, size: 24, gap: 1, toxicity: 1 } as never, 0);
    // at timeScale 2 a millisecond of scenario time is half a millisecond of wall clock
    const targets = { cacheProxy, toRealMs: (ms: number) => ms / 2 } as never;
    fault.inject(targets);
    expect(added).toEqual([{ type: 'slicer', direction: 'downstream', toxicity: 1, attributes: { average_size: 24, size_variation: 12, delay: 500 } }]);
    expect(removed).toEqual([]);
    fault.heal(targets);
    expect(removed).toEqual(['toxic-1']);
  });

  it('is refused on an in-process cache, naming the step', async () => {
    const base = await defaultScenario();
    const scenario = { ...structuredClone(base), timeline: [{ at: 20_000, fault: 'cache-slice', duration: 5_000 }] };
    expect(() => validateScenarioObject(scenario as never, 'test')).toThrow(/timeline\[0\]\.fault: cache-slice needs a network cache adapter/);
  });
});
