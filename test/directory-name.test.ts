import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { directoryNameFor } from '../src/store/directory-name.ts';
import { runDirectoryPath } from '../src/store/run-store.ts';

describe('the run directory of a scenario name', () => {
  it.each([
    ['reconnect-storm', 'reconnect-storm'],
    ['2024-02-camera-cloud-outage', '2024-02-camera-cloud-outage'],
    ['Storm_v2.1', 'storm_v2.1'],
    ['my storm / take 2', 'my-storm-take-2'],
    ['café ☕ storm', 'cafe-storm'],
    ['../../etc', 'etc'],
    ['.hidden', 'hidden'],
    ['', 'scenario'],
    ['☕', 'scenario'],
    ['latest', 'latest-scenario'],
    ['gate', 'gate-scenario'],
  ])('%j → %j', (name, dir) => expect(directoryNameFor(name)).toBe(dir));

  it('cuts a long name to 64 characters ending in a hash of the whole name, so distinct names stay distinct', () => {
    const a = directoryNameFor(`${'a'.repeat(299)}b`);
    const b = directoryNameFor(`${'a'.repeat(299)}c`);
    expect(a).toMatch(/^a{55}-[0-9a-f]{8}$/);
    expect(b).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(directoryNameFor(`${'a'.repeat(299)}b`)).toBe(a);
  });

  it('keeps every path component of a run directory short and inside the output root, whatever the name', () => {
    const dir = runDirectoryPath('/tmp/reports', `${'x'.repeat(300)}/../..`, 7, new Date('2026-01-02T03:04:05.678Z'));
    expect(basename(dir)).toBe('2026-01-02T030405Z-seed7');
    expect(dirname(dirname(dir))).toBe('/tmp/reports');
    expect(basename(dirname(dir)).length).toBeLessThanOrEqual(64);
  });
});
