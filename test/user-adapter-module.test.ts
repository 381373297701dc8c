import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCacheAdapter } from '../src/cache/load-adapter.ts';
import { CrosswireError } from '../src/errors.ts';
import { runScenario } from '../src/runner/run-scenario.ts';
import { defaultScenario } from './support/default-scenario.ts';

const example = fileURLToPath(new URL('../examples/user-adapter.js', import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswire-adapter-module-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(id: string): Promise<CrosswireError> {
  const error = await loadCacheAdapter(id, 'flag --cache').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CrosswireError);
  return error as CrosswireError;
}

describe('a user adapter module (--cache ./my-adapter.js)', () => {
  it('is loaded by path and runs a storm that passes', async () => {
    const id = `./${relative(process.cwd(), example)}`;
    const definition = await loadCacheAdapter(id, 'flag --cache');
    expect(definition.id).toBe('example-map');
    const { summary } = await runScenario(
      await defaultScenario((s) => {
        s.cache.adapter = id;
        s.fleet.devices = 300;
        s.duration = 24_000;
        s.drain = 2_000;
        s.timeline = [{ at: 8_000, fault: 'broker-outage', duration: 4_000 }];
      }),
    );
    expect(summary.cache.adapter).toBe('example-map');
    expect(summary.cache.stats.gets).toBeGreaterThan(0);
    expect(summary.reasons).toEqual([]);
    expect(summary.verdict).toBe('PASS');
  });

  it('refuses a missing module with exit 2', async () => {
    const error = await refusal(join(dir, 'nope.js'));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('flag --cache: cannot load cache adapter module');
  });

  it('names the package a module imports that is not installed, and the module', async () => {
    const file = join(dir, 'needs-client.js');
    await writeFile(file, "import { Client } from '@team/cache-client';\nexport default { id: 'x', description: 'x', create: () => new Client() };\n");
    const error = await refusal(file);
    expect(error.exitCode).toBe(2);
    expect(error.code).toBe('ADAPTER_MODULE_UNLOADABLE');
    expect(error.message).toBe(
      `flag --cache: cannot load cache adapter module ${file}: it imports package "@team/cache-client", which is not installed where ${file} can resolve it (npm install @team/cache-client in that project)`,
    );
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('says a missing module file is missing', async () => {
    expect((await refusal(join(dir, 'nope.js'))).message).toMatch(/nope\.js: no such file$/);
  });

  it('refuses a module that exports no adapter with exit 2', async () => {
    const file = join(dir, 'not-an-adapter.js');
    await writeFile(file, 'export default { hello: "world" };\n');
    const error = await refusal(file);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('does not export a cache adapter');
  });

  it('refuses a module that fails to load, naming why', async () => {
    const file = join(dir, 'broken.js');
    await writeFile(file, 'export default {;\n');
    const error = await refusal(file);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(file);
  });
});
