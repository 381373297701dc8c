import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractCheckNames } from '../src/testkit/index.ts';
import { skipWithout } from './support/server-skip.ts';
import { installUserProject, packCrosswire, sh, type Ran } from './support/user-project.ts';

/**
 * The first hour of a new user, outside this checkout: crosswire packed with `npm pack`, installed
 * into a project of their own as a devDependency, their adapter over their own client library
 * (ioredis, from their node_modules) run in a storm with cache-path chaos; then `init adapter`,
 * its contract test and a cache-chaos storm against it. Everything on a private redis-server.
 */
const noRedis = skipWithout('redis', 'the first hour in a project of its own (npm pack, install, init, storms)');
let work: string;
let project: string;
let installed: Ran;

const npx = (args: readonly string[], timeoutMs = 120_000) => sh('npx', ['--no-install', 'crosswire', ...args], project, timeoutMs);
const explain = (r: Ran) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

const TEAM_ADAPTER = `import { Redis } from 'ioredis';

export default {
  id: 'team-redis',
  description: 'our ioredis setup',
  server: 'redis',
  async create({ url }) {
    const client = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 1000, lazyConnect: true });
    client.on('error', () => {});
    await client.connect();
    return {
      id: 'team-redis',
      get: async (key) => (await client.get(key)) ?? undefined,
      set: async (key, value, ttlMs) => {
        if (ttlMs) await client.set(key, value, 'PX', ttlMs);
        else await client.set(key, value);
      },
      delete: async (key) => {
        await client.del(key);
      },
      close: async () => {
        client.disconnect();
      },
      library: () => ({ name: 'ioredis', version: 'project' }),
    };
  },
};
`;

const TEAM_STORM = `name: team-storm
seed: 1
timeScale: 5
duration: 24s
drain: 3s
fleet:
  devices: 150
  eventInterval: 2s
  backoff: { kind: exponential, jitter: full, base: 500ms, cap: 3s }
cache:
  adapter: ./team-redis.js
  ttl: 3s
timeline:
  - { at: 6s, fault: broker-outage, duration: 3s }
  - { at: 10s, fault: cache-reset, duration: 6s, every: 2s }
  - { at: 12s, transfer: { share: 0.05 } }
`;

beforeAll(async () => {
  if (noRedis) return;
  work = await mkdtemp(join(tmpdir(), 'crosswire-first-hour-'));
  project = join(work, 'camera-cloud');
  await mkdir(project);
  const tarball = await packCrosswire(work);
  installed = await installUserProject(project, tarball);
}, 420_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(noRedis)('crosswire installed from its tarball into a project of its own', () => {
  it('installs offline as a devDependency, with its bin', async () => {
    expect(installed.code, explain(installed)).toBe(0);
    expect(existsSync(join(project, 'node_modules', '.bin', 'crosswire'))).toBe(true);
    expect(existsSync(join(project, 'node_modules', 'crosswire', 'dist', 'testkit', 'index.js'))).toBe(true);
    const version = await npx(['--version']);
    expect(version.code, explain(version)).toBe(0);
    expect(version.stdout).toMatch(/^crosswire \d+\.\d+\.\d+\nnode v\d+/);
    expect(version.stdout).toMatch(/^ioredis \d+\.\d+\.\d+$/m);
  });

  it("runs a storm with cache-path chaos through an adapter over the project's own ioredis: PASS, exit 0", async () => {
    await writeFile(join(project, 'team-redis.js'), TEAM_ADAPTER);
    await writeFile(join(project, 'team-storm.yaml'), TEAM_STORM);
    const r = await npx(['run', 'team-storm.yaml']);
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toMatch(/^PASS\s+team-storm\s+seed 1\s+cache team-redis/m);
    expect(r.stdout).toContain('✓ cache-exercised');
    expect(r.stdout).toContain('✓ faults-fired: 2 of 2');
    // the run directory is the project's, not crosswire's
    expect(r.stdout).toContain(join(project, 'reports', 'team-storm'));
  });

  it('names the missing package and the adapter file when an adapter imports what is not installed', async () => {
    await writeFile(join(project, 'memcached-adapter.js'), "import Memcached from 'memcached-client-we-forgot';\nexport default { id: 'm', description: 'm', create: () => new Memcached() };\n");
    const r = await npx(['run', '--cache', './memcached-adapter.js']);
    expect(r.code, explain(r)).toBe(2);
    expect(r.stderr).toContain(`cannot load cache adapter module ${join(project, 'memcached-adapter.js')}`);
    expect(r.stderr).toContain('imports package "memcached-client-we-forgot"');
    expect(r.stderr).toContain('npm install memcached-client-we-forgot');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('walks the first hour: init adapter, its contract test, a cache-chaos storm against it, completion', async () => {
    const init = await npx(['init', 'adapter', 'team-cache', '--server', 'redis']);
    expect(init.code, explain(init)).toBe(0);
    expect(init.stdout).toContain('wrote ./team-cache.js');
    expect(init.stdout).toContain('wrote ./team-cache.contract.test.js');
    expect(init.stdout).toContain('node --test ./team-cache.contract.test.js');

    const again = await npx(['init', 'adapter', 'team-cache']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exist');

    const contract = await sh('node', ['--test', 'team-cache.contract.test.js'], project, 120_000);
    expect(contract.code, explain(contract)).toBe(0);
    // node --test's own summary: the test and one subtest per contract check, none failed
    expect(contract.stdout).toMatch(new RegExp(`^ℹ pass ${contractCheckNames.length + 1}$`, 'm'));
    expect(contract.stdout).toMatch(/^ℹ fail 0$/m);
    for (const name of contractCheckNames) expect(contract.stdout).toContain(`✔ ${name} (`);

    // the guide's command for a network adapter: the shipped storm with cache latency and resets
    const storm = await npx(['run', 'node_modules/crosswire/scenarios/controls/cache-chaos-storm.yaml', '--cache', './team-cache.js', '--devices', '200']);
    expect(storm.code, explain(storm)).toBe(0);
    expect(storm.stdout).toMatch(/^PASS\s+cache-chaos-storm\s+seed 1\s+cache team-cache/m);
    expect(storm.stderr).toContain('fault cache-reset');
    expect(storm.stderr).toContain('fault cache-latency');
    const runs = await readdir(join(project, 'reports', 'cache-chaos-storm'));
    expect(runs.length).toBe(1);
    expect(JSON.parse(await readFile(join(project, 'reports', 'cache-chaos-storm', runs[0]!, 'summary.json'), 'utf8')).verdict).toBe('PASS');

    // TypeScript: Node strips the types of the project's own files, template and test alike
    const ts = await npx(['init', 'adapter', 'team-map', '--ts']);
    expect(ts.code, explain(ts)).toBe(0);
    const tsContract = await sh('node', ['--test', 'team-map.contract.test.ts'], project, 120_000);
    expect(tsContract.code, explain(tsContract)).toBe(0);
    expect(tsContract.stdout).toMatch(new RegExp(`^ℹ pass ${contractCheckNames.length + 1}$`, 'm'));

    const completion = await npx(['completion', 'bash']);
    expect(completion.code, explain(completion)).toBe(0);
    expect(completion.stdout).toContain('node_modules/crosswire/scenarios/controls/cache-chaos-storm.yaml');
  });
});
