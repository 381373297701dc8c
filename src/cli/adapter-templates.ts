/**
 * What `crosswire init adapter <name>` writes: a commented adapter module and its contract test
 * (node:test and crosswire/testkit), in JavaScript or TypeScript (erasable syntax only, so Node
 * runs it as it is), for an in-process cache or a redis client (ioredis).
 */
export type TemplateKind = 'memory' | 'redis';
export type TemplateLanguage = 'js' | 'ts';

export interface TemplateInput {
  name: string;
  kind: TemplateKind;
  language: TemplateLanguage;
}

const header = (name: string) => `// ${name}: a crosswire cache adapter.
//
// crosswire calls create() once per run, then get/set/delete from many concurrent requests —
// the reference service's owner lookups (key owner:<device>, value an ownership record) during
// reconnect storms — and close() at the end. Every get must answer with the value stored under
// the key it was asked for: a reply handed to the wrong request is exactly the leak crosswire's
// oracle catches.
//
//   crosswire run --cache ./${name}.js            a reconnect storm (add a scenario file before the flags)
//   node --test ${name}.contract.test.js          the conformance suite every built-in adapter passes
`;

function memoryAdapter({ name, language }: TemplateInput): string {
  const ts = language === 'ts';
  return `${header(name).replaceAll('.js', `.${language}`)}//
// This one keeps entries in a Map with a per-entry expiry. Replace the Map with your client:
// keep the shapes (get resolves to a string or undefined — never null; set and delete resolve
// once the cache has done it; close stops everything create() started).
${ts ? "import type { CacheAdapter, CacheAdapterContext, CacheAdapterDefinition } from 'crosswire';\n" : ''}
${ts ? '' : "/** @type {import('crosswire').CacheAdapterDefinition} */\n"}const definition${ts ? ': CacheAdapterDefinition' : ''} = {
  id: '${name}',
  description: '${name}: an in-process Map with per-entry TTL',
  create(${ts ? 'context: CacheAdapterContext' : 'context'})${ts ? ': CacheAdapter' : ''} {
    // scenario's cache.options arrive here as they are, e.g. --set cache.options.maxEntries=10000
    const maxEntries = typeof context.options?.maxEntries === 'number' ? context.options.maxEntries : 1_000_000;
    const entries = new Map${ts ? '<string, { value: string; expiresAt: number }>' : ''}();
    let closed = false;
    const open = () => {
      // a closed cache says so, rather than quietly answering "miss"
      if (closed) throw new Error('${name} is closed');
    };
    return {
      id: '${name}',
      async get(key${ts ? ': string' : ''}) {
        open();
        const entry = entries.get(key);
        if (entry === undefined) return undefined;
        if (entry.expiresAt <= Date.now()) {
          entries.delete(key);
          return undefined;
        }
        return entry.value;
      },
      async set(key${ts ? ': string' : ''}, value${ts ? ': string' : ''}, ttlMs${ts ? '?: number' : ''}) {
        open();
        if (entries.size >= maxEntries && !entries.has(key)) entries.delete(entries.keys().next().value${ts ? '!' : ''});
        entries.set(key, { value, expiresAt: ttlMs !== undefined && ttlMs > 0 ? Date.now() + ttlMs : Infinity });
      },
      async delete(key${ts ? ': string' : ''}) {
        open();
        entries.delete(key);
      },
      // optional: the cache-flush fault and a service restart with a cold cache call it
      async flush() {
        open();
        entries.clear();
      },
      async close() {
        closed = true;
        entries.clear();
      },
      // optional: shown in the report as the library under test
      library: () => ({ name: '${name}', version: '0.1.0' }),
    };
  },
};

export default definition;
`;
}

function redisAdapter({ name, language }: TemplateInput): string {
  const ts = language === 'ts';
  return `${header(name).replaceAll('.js', `.${language}`)}//
// This one uses ioredis (npm install ioredis). crosswire starts a private redis-server on a free
// loopback port (server: 'redis') and passes its URL — through its chaos proxy, so cache faults
// (latency, resets, outages) hit this client. A scenario with cache-path chaos:
//   crosswire run node_modules/crosswire/scenarios/controls/cache-chaos-storm.yaml --cache ./${name}.${language}
import { Redis } from 'ioredis';
${ts ? "import type { CacheAdapter, CacheAdapterContext, CacheAdapterDefinition } from 'crosswire';\n" : ''}
${ts ? '' : "/** @type {import('crosswire').CacheAdapterDefinition} */\n"}const definition${ts ? ': CacheAdapterDefinition' : ''} = {
  id: '${name}',
  description: '${name}: ioredis against redis',
  server: 'redis',
  async create(${ts ? 'context: CacheAdapterContext' : 'context'})${ts ? ': Promise<CacheAdapter>' : ''} {
    const client = new Redis(context.url ?? 'redis://127.0.0.1:6379', {
      // fail a command rather than queue it for ever while the server is unreachable
      maxRetriesPerRequest: 1,
      commandTimeout: typeof context.options?.commandTimeout === 'number' ? context.options.commandTimeout : 1000,
      lazyConnect: true,
    });
    // connection errors are expected under chaos: ioredis reconnects by itself and each failed
    // command rejects on its own; without a listener every reset would print a stack
    client.on('error', () => {});
    await client.connect();
    let closed = false;
    return {
      id: '${name}',
      async get(key${ts ? ': string' : ''}) {
        // redis answers null for a missing key; crosswire's contract is undefined
        return (await client.get(key)) ?? undefined;
      },
      async set(key${ts ? ': string' : ''}, value${ts ? ': string' : ''}, ttlMs${ts ? '?: number' : ''}) {
        if (ttlMs !== undefined && ttlMs > 0) await client.set(key, value, 'PX', Math.ceil(ttlMs));
        else await client.set(key, value);
      },
      async delete(key${ts ? ': string' : ''}) {
        await client.del(key);
      },
      async close() {
        if (closed) return;
        closed = true;
        // quit waits for replies in flight; disconnect is the fallback when the server is gone
        await client.quit().catch(() => client.disconnect());
      },
      // optional: which connection served the last operation, quoted in evidence
      connectionId: () => (client.status === 'ready' ? \`\${client.options.host}:\${client.options.port}\` : undefined),
    };
  },
};

export default definition;
`;
}

export function adapterModule(input: TemplateInput): string {
  return input.kind === 'redis' ? redisAdapter(input) : memoryAdapter(input);
}

export function contractTest({ name, kind, language }: TemplateInput): string {
  const ts = language === 'ts';
  const redis = kind === 'redis';
  const context = redis ? '{ url: server.url, options: {} }' : '{ options: {} }';
  return `// The conformance suite every crosswire built-in adapter passes, run against ${name}:
// get/set/overwrite/delete, TTL, 500 concurrent operations each carrying its own key, long and
// adversarial keys, flush, close. Run it with: node --test ${name}.contract.test.${language}
import assert from 'node:assert/strict';
import { ${redis ? 'after, before, ' : ''}test } from 'node:test';
import { runCacheAdapterContract${redis ? ', startPrivateServer' : ''} } from 'crosswire/testkit';
${ts ? "import type { CacheAdapterContext } from 'crosswire';\n" : ''}${redis && ts ? "import type { PrivateServer } from 'crosswire/testkit';\n" : ''}import definition from './${name}.${language}';
${redis ? `
// a private redis-server from PATH on a free loopback port, never the machine's own
let server${ts ? ': PrivateServer' : ''};
before(async () => {
  server = await startPrivateServer('redis');
});
after(() => server?.stop());
` : ''}
test('${name} keeps the crosswire cache adapter contract', async (t) => {
  // crosswire hands create() a seeded rng and a clock too; this adapter uses neither
  const results = await runCacheAdapterContract(() => definition.create(${context}${ts ? ' as CacheAdapterContext' : ''}));
  for (const result of results) {
    await t.test(result.name, () => assert.ok(result.ok, result.detail));
  }
});
`;
}
