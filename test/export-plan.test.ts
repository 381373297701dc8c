import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportTarget } from '../src/export/export-target.ts';
import { firstWrongRead } from '../src/export/first-wrong-read.ts';
import { reproScript } from '../src/export/repro-script.ts';
import { reproPlan } from '../src/export/repro-plan.ts';
import { reproPackageJson, reproReadme } from '../src/export/repro-readme.ts';
import { wireFaults } from '../src/export/wire-fault-windows.ts';
import type { CacheOp, HistoryOp, RunHeader } from '../src/history/history-op.ts';

/**
 * The extraction behind `crosswire export`, on a history made by hand: a node_redis 2.2.5 that
 * kept its queue across a reset, so the commands waiting at the reset got the new commands'
 * replies (the shape of a cache-chaos-storm run against redis@2.2.5).
 */
const owner = (device: string, account: string) => JSON.stringify({ deviceId: device, owner: account, since: 0 });

const header: RunHeader = {
  op: 'run',
  format: 1,
  clock: 'real',
  inFlightWindow: 500,
  scenario: {
    name: 'cache-chaos-storm',
    seed: 1,
    timeScale: 5,
    cache: { adapter: 'redis@2.2.5' },
    timeline: [
      { at: 1000, fault: 'cache-latency', latency: 1500, jitter: 500, duration: 5000 },
      { at: 2000, fault: 'cache-reset', every: 3000, duration: 4000 },
    ],
  },
};

let nextId = 1;
function cache(kind: CacheOp['kind'], key: string, startedAt: number, t: number, outcome: CacheOp['outcome'], value?: string): CacheOp {
  return { op: 'cache', t, kind, id: nextId++, key, value, startedAt, doneAfter: nextId - 1, outcome, latencyMs: 1, adapter: 'redis@2.2.5' };
}

function history(): HistoryOp[] {
  nextId = 1;
  return [
    { op: 'fault-scheduled', t: 0, window: 0, id: 'cache-latency', description: 'latency', scheduledAt: 1000, scheduledHealAt: 6000 },
    { op: 'fault-scheduled', t: 0, window: 1, id: 'cache-reset', description: 'reset', scheduledAt: 2000, scheduledHealAt: 6000 },
    cache('set', 'owner:a', 10, 11, 'ok', owner('a', 'acct-1')),
    cache('set', 'owner:b', 10, 11, 'ok', owner('b', 'acct-2')),
    cache('set', 'owner:c', 10, 11, 'ok', owner('c', 'acct-3')),
    cache('set', 'owner:d', 10, 11, 'ok', owner('d', 'acct-4')),
    cache('get', 'owner:a', 100, 101, 'hit', owner('a', 'acct-1')), // answered before the reset: not part of it
    { op: 'fault-injected', t: 1000, window: 0 },
    { op: 'fault-injected', t: 2001, window: 1, effect: '1 connections reset' },
    // waiting at the reset (2001): ids 6, 7, 8; the second of them is the wrong read
    cache('get', 'owner:a', 1900, 2600, 'miss'),
    cache('get', 'owner:b', 1950, 2600, 'hit', owner('d', 'acct-4')),
    cache('get', 'owner:c', 1990, 2600, 'hit', owner('b', 'acct-2')),
    // sent after the reset: ids 9, 10, 11
    cache('get', 'owner:x', 2010, 2700, 'miss'),
    cache('get', 'owner:d', 2011, 2700, 'miss'),
    cache('set', 'owner:b', 2020, 2700, 'ok', owner('b', 'acct-2')),
    { op: 'fault-healed', t: 6001, window: 0 },
    { op: 'fault-healed', t: 6002, window: 1, effect: '2 connections reset' },
  ];
}

describe('firstWrongRead', () => {
  it('finds the first read of a value never written under its key, and whose key the value was written under', () => {
    const ops = history().filter((op): op is CacheOp => op.op === 'cache');
    const wrong = firstWrongRead(ops)!;
    expect(wrong.op.id).toBe(7);
    expect(wrong.op.key).toBe('owner:b');
    expect(wrong.writtenUnder).toEqual(['owner:d']);
  });

  it('does not take a stale read (a value once written under the key) for a wrong one', () => {
    const ops = [cache('set', 'k', 0, 1, 'ok', 'v1'), cache('set', 'k', 2, 3, 'ok', 'v2'), cache('get', 'k', 4, 5, 'hit', 'v1')];
    expect(firstWrongRead(ops)).toBeUndefined();
    // a write that only started after the read completed does not explain it
    expect(firstWrongRead([cache('get', 'k', 4, 5, 'hit', 'v9'), cache('set', 'k', 6, 7, 'ok', 'v9')])?.op.key).toBe('k');
  });
});

describe('wireFaults', () => {
  it('expands a reset step into its instants and keeps the latency window', () => {
    const faults = wireFaults(header.scenario as { timeline: unknown[] }, history());
    expect(faults.drops).toEqual([
      { at: 2001, fault: 'cache-reset', kind: 'reset' },
      { at: 5001, fault: 'cache-reset', kind: 'reset' },
    ]);
    expect(faults.latency).toEqual([{ from: 1000, to: 6001, latencyMs: 1500 }]);
    expect(faults.windows.map((w) => w.kind)).toEqual(['cache-latency', 'cache-reset']);
  });
});

describe('reproPlan', () => {
  it('takes the commands waiting at the reset up to the wrong read, and as many sent after it (and a few more, when there are)', () => {
    const plan = reproPlan(header, history());
    expect(plan.drop).toMatchObject({ at: 2001, fault: 'cache-reset', kind: 'reset', atMs: 20.2, downMs: 0 });
    expect(plan.commands.map((c) => [c.id, c.op, c.key, c.phase])).toEqual([
      [6, 'get', 'owner:a', 'in-flight'],
      [7, 'get', 'owner:b', 'in-flight'],
      [9, 'get', 'owner:x', 'after-drop'],
      [10, 'get', 'owner:d', 'after-drop'],
      // the margin: all the history has after the two the shift needs
      [11, 'set', 'owner:b', 'after-drop'],
    ]);
    // scenario ms from the first command, over the time scale
    expect(plan.commands.map((c) => c.atMs)).toEqual([0, 10, 22, 22.2, 24]);
    expect(plan.latencyMs).toBe(1500);
    expect(plan.seed).toEqual([
      { key: 'owner:a', value: owner('a', 'acct-1') },
      { key: 'owner:b', value: owner('b', 'acct-2') },
      { key: 'owner:d', value: owner('d', 'acct-4') },
    ]);
    expect(plan.wrong).toMatchObject({ id: 7, key: 'owner:b', received: owner('d', 'acct-4'), writtenUnder: ['owner:d'] });
    expect(plan.activeFaults).toEqual(['cache-latency', 'cache-reset']);
  });

  it('takes the last reset before a wrong read sent after it, and no latency when the run had none', () => {
    const scenario = { ...(header.scenario as object), timeline: [{ at: 2000, fault: 'cache-reset', duration: 0 }] };
    const ops = history().filter((op) => !('window' in op) || op.window === 1);
    // the read sent after the reset (id 10) is the one answered wrong here
    for (const op of ops) if (op.op === 'cache' && op.id !== 10 && op.kind === 'get') Object.assign(op, { outcome: 'miss', value: undefined });
    Object.assign(ops.find((op) => op.op === 'cache' && op.id === 10)!, { outcome: 'hit', value: owner('x', 'acct-9') });
    const plan = reproPlan({ ...header, scenario }, ops);
    expect(plan.latencyMs).toBeUndefined();
    expect(plan.drop.at).toBe(2001);
    expect(plan.wrong.writtenUnder).toEqual([]);
    // the queue at the reset: 6, 7, 8 waiting, then 9, 10, 11; op 10 is 5th, so 5 of those after it (there are 3)
    expect(plan.commands.map((c) => c.id)).toEqual([6, 7, 8, 9, 10, 11]);
  });

  it('looks back past a reset that cut nothing to the last one that did', () => {
    // the wrong read (id 10) was sent just after the reset at 5001, which found nothing waiting: the one at 2001 cut three commands
    const ops = history().map((op) => (op.op === 'cache' && op.id === 10 ? { ...op, startedAt: 5010, t: 5200, outcome: 'hit' as const, value: owner('x', 'acct-9') } : op));
    for (const op of ops) if (op.op === 'cache' && op.kind === 'get' && op.id !== 10) Object.assign(op, { outcome: 'miss', value: undefined });
    const plan = reproPlan(header, ops);
    expect(plan.drop.at).toBe(2001);
    expect(plan.commands.map((c) => c.id)).toEqual([6, 7, 8, 9, 10, 11]);
  });

  it('stages a server restart as a close, nothing let through until it is back, and the keys emptied', () => {
    const scenario = { ...(header.scenario as object), timeline: [{ at: 2000, fault: 'cache-restart', duration: 500 }] };
    const ops = history()
      .filter((op) => !('window' in op) || op.window === 1)
      .map((op) => (op.op === 'fault-scheduled' ? { ...op, id: 'cache-restart', scheduledHealAt: 2500 } : op.op === 'fault-healed' ? { ...op, t: 2510 } : op));
    const plan = reproPlan({ ...header, scenario }, ops);
    expect(plan.drop).toEqual({ at: 2001, fault: 'cache-restart', kind: 'close', downUntil: 2510, whileDown: 'accept-and-close', empty: true, atMs: 20.2, downMs: 101.8 });
    expect(plan.activeFaults).toEqual(['cache-restart']);
  });

  it('refuses a history with no wrong read, and a wrong read no reset explains, with stable codes', () => {
    const clean = history().filter((op) => op.op !== 'cache' || op.outcome !== 'hit');
    expect(() => reproPlan(header, clean)).toThrow(expect.objectContaining({ code: 'EXPORT_NO_WRONG_READ', exitCode: 2 }));
    const noReset = history().filter((op) => !('window' in op) || op.window === 0);
    expect(() => reproPlan(header, noReset)).toThrow(expect.objectContaining({ code: 'EXPORT_FAULT_UNSUPPORTED', exitCode: 2 }));
  });
});

describe('exportTarget', () => {
  it('pins the library of a node_redis 2.x adapter, following cache.module', () => {
    expect(exportTarget('redis@2.2.5')).toMatchObject({ packageName: 'redis', version: '2.2.5' });
    expect(exportTarget('redis@2.2.5', 'redis-2.3.0')).toMatchObject({ packageName: 'redis', version: '2.3.0' });
    expect(exportTarget('ioredis@4.16.0')).toMatchObject({ packageName: 'ioredis', version: '4.16.0', template: 'ioredis-4', writes: 'multi' });
    expect(() => exportTarget('ioredis@4.16.0', 'redis-2.3.0')).toThrow(expect.objectContaining({ code: 'EXPORT_LIBRARY_UNSUPPORTED' }));
  });

  it.each([
    ['faulty:crossed-replies', 'EXPORT_IN_PROCESS'],
    ['memory', 'EXPORT_IN_PROCESS'],
    ['faulty:wire-stale-queue', 'EXPORT_OWN_CLIENT'],
    ['./team-cache.js', 'EXPORT_USER_MODULE'],
    ['ioredis', 'EXPORT_LIBRARY_UNSUPPORTED'],
    ['memjs', 'EXPORT_LIBRARY_UNSUPPORTED'],
  ])('refuses %s with %s (exit 2)', (adapter, code) => {
    expect(() => exportTarget(adapter)).toThrow(expect.objectContaining({ code, exitCode: 2 }));
  });
});

describe('the rendered repro', () => {
  it('is plain JavaScript that imports only node: modules and the library, and a package.json naming that one dependency', () => {
    const plan = reproPlan(header, history());
    const target = exportTarget('redis@2.2.5');
    const script = reproScript(plan, target, 'reports/cache-chaos-storm/run');
    const dir = mkdtempSync(join(tmpdir(), 'crosswire-export-'));
    try {
      for (const [adapter, library] of [['redis@2.2.5', 'redis'], ['ioredis@4.16.0', 'ioredis']] as const) {
        const text = reproScript(plan, exportTarget(adapter), 'reports/cache-chaos-storm/run');
        const imports = [...text.matchAll(/(?:from|require\(|load\()\s*'([^']+)'/g)].map((m) => m[1]);
        expect(new Set(imports)).toEqual(new Set(['node:module', 'node:net', library]));
        expect(text.match(/require\(/g)).toHaveLength(2); // inside load(), for the library and its package.json
        expect(text).not.toMatch(/crosswire\//);
        writeFileSync(join(dir, 'repro.mjs'), text);
        execFileSync(process.execPath, ['--check', join(dir, 'repro.mjs')]);
        // nothing installed: exit 2 and how to fix it, before any server is asked
        const missing = spawnSync(process.execPath, [join(dir, 'repro.mjs')], { encoding: 'utf8', env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1' } });
        expect(missing.status).toBe(2);
        expect(missing.stderr.trim()).toBe(`cannot load the "${library}" package: Cannot find module '${library}' (run npm install first)`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(script).toContain("const QUEUED = '+QUEUED\\r\\n';");
    expect(JSON.parse(reproPackageJson(plan, target)).dependencies).toEqual({ redis: '2.2.5' });
    const readme = reproReadme(plan, target, 'reports/cache-chaos-storm/run');
    expect(readme).toContain('REDIS_URL=redis://127.0.0.1:6379 node repro.mjs');
    expect(readme).toContain(`received ${owner('d', 'acct-4')}   (the value of owner:d)`);
  });
});
