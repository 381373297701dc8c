import { describe, expect, it } from 'vitest';
import { cacheAdapters, unknownAdapterMessage } from '../src/cache/builtin-adapters.ts';
import { didYouMean, editDistance, nearestNames } from '../src/did-you-mean.ts';

describe('edit distance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('memory', 'memory')).toBe(0);
    expect(editDistance('memroy', 'memory')).toBe(2);
    expect(editDistance('iorediss', 'ioredis')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
  });
});

describe('nearest adapter ids', () => {
  const ids = [...cacheAdapters.keys()];
  it('suggests the id a typo was meant to be', () => {
    expect(nearestNames('iorediss', ids)).toEqual(['ioredis']);
    expect(nearestNames('memroy', ids)).toEqual(['memory']);
    expect(nearestNames('MEMJS', ids)).toEqual(['memjs']);
    expect(nearestNames('faulty:stale', ids)).toEqual(['faulty:stale-owner']);
  });
  it('offers the ids containing a bare library name', () => {
    expect(nearestNames('redis', ids)).toEqual(expect.arrayContaining(['ioredis', 'node-redis']));
  });
  it('suggests nothing for a word far from every id', () => {
    expect(nearestNames('nonexistent', ids)).toEqual([]);
    expect(nearestNames('adaptors', ['adapters', 'faults', 'scenarios'])).toEqual(['adapters']);
    expect(didYouMean('nonexistent', ids)).toBe('');
  });
  it('words the suggestion and still lists every id', () => {
    expect(didYouMean('iorediss', ids)).toBe(' (did you mean ioredis?)');
    const message = unknownAdapterMessage('memroy');
    expect(message).toContain('(did you mean memory?)');
    for (const id of ids) expect(message).toContain(id);
  });
});
