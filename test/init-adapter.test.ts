import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CacheAdapterContext, CacheAdapterDefinition } from '../src/cache/cache-adapter.ts';
import { initCommand } from '../src/cli/commands/init-command.ts';
import { CrosswireError } from '../src/errors.ts';
import { runScenario } from '../src/runner/run-scenario.ts';
import { runCacheAdapterContract } from '../src/testkit/index.ts';
import { defaultScenario } from './support/default-scenario.ts';

let dir: string;
let printed: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswire-init-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

async function init(name: string, options: { ts?: boolean; server?: string; dir?: string } = {}): Promise<number> {
  printed = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed += String(chunk);
    return true;
  });
  try {
    return await initCommand('adapter', name, { dir: options.dir ?? dir, ts: options.ts, server: options.server });
  } finally {
    vi.restoreAllMocks();
  }
}

async function load(file: string): Promise<CacheAdapterDefinition> {
  return ((await import(pathToFileURL(file).href)) as { default: CacheAdapterDefinition }).default;
}

describe('crosswire init adapter', () => {
  it.each([['js'], ['ts']] as const)('writes a %s adapter that keeps the contract and passes a storm', async (language) => {
    const name = `team-cache-${language}`;
    expect(await init(name, { ts: language === 'ts' })).toBe(0);
    const adapterFile = join(dir, `${name}.${language}`);
    const testFile = join(dir, `${name}.contract.test.${language}`);
    expect(printed).toContain(`wrote `);
    expect(printed).toContain(`${name}.${language}`);
    expect(printed).toContain('next steps:');
    expect(printed).toContain(`node --test `);
    expect(printed).toContain(`npx crosswire run node_modules/crosswire/scenarios/ownership-churn.yaml --cache `);

    const test = await readFile(testFile, 'utf8');
    expect(test).toContain("from 'crosswire/testkit'");
    expect(test).toContain(`from './${name}.${language}'`);
    const adapter = await readFile(adapterFile, 'utf8');
    expect(adapter.split('\n').filter((l) => l.trimStart().startsWith('//')).length).toBeGreaterThan(8);

    const definition = await load(adapterFile);
    expect(definition.id).toBe(name);
    const results = await runCacheAdapterContract(() => definition.create({ options: {} } as unknown as CacheAdapterContext), { ttlMs: 300 });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.length).toBeGreaterThan(5);

    const { summary } = await runScenario(
      await defaultScenario((s) => {
        s.cache.adapter = adapterFile;
        s.fleet.devices = 300;
        // a real-clock run: slow enough (24 s in 6 s) that a loaded machine still delivers to every account
        s.timeScale = 4;
        s.duration = 24_000;
        s.drain = 2_000;
        s.timeline = [{ at: 8_000, fault: 'broker-outage', duration: 4_000 }];
      }),
    );
    expect(summary.cache.adapter).toBe(name);
    expect(summary.cache.stats.gets).toBeGreaterThan(0);
    expect(summary.reasons).toEqual([]);
    expect(summary.verdict).toBe('PASS');
  });

  it('writes an ioredis adapter whose contract test starts a private redis-server', async () => {
    expect(await init('team-redis', { server: 'redis' })).toBe(0);
    const adapter = await readFile(join(dir, 'team-redis.js'), 'utf8');
    expect(adapter).toContain("import { Redis } from 'ioredis';");
    expect(adapter).toContain("server: 'redis'");
    expect(await readFile(join(dir, 'team-redis.contract.test.js'), 'utf8')).toContain("startPrivateServer('redis')");
    expect(printed).toContain('npm install ioredis');
    expect(printed).toContain('scenarios/controls/cache-chaos-storm.yaml --cache ');
  });

  it('refuses to overwrite, writing nothing', async () => {
    const adapterFile = join(dir, 'taken.js');
    await writeFile(adapterFile, '// mine\n');
    const error = await init('taken').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrosswireError);
    expect((error as CrosswireError).exitCode).toBe(2);
    expect((error as CrosswireError).code).toBe('INIT_WOULD_OVERWRITE');
    expect((error as CrosswireError).message).toContain(adapterFile);
    expect(await readFile(adapterFile, 'utf8')).toBe('// mine\n');
    expect(existsSync(join(dir, 'taken.contract.test.js'))).toBe(false);
  });

  it('refuses a name that cannot be a file name and an id, and anything but an adapter', async () => {
    await expect(init('My Cache')).rejects.toThrow('lower-case letters, digits and dashes');
    await expect(initCommand('scenario', 'x', { dir })).rejects.toThrow('expected `init adapter <name>`');
  });
});
