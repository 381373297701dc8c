// A cache adapter as a user writes one: plain ESM JavaScript, no build step, no import from
// crosswire. Run it with `crosswire run --cache ./examples/user-adapter.js`, and check it with the
// same conformance suite the built-in adapters pass:
//
//   import { assertCacheAdapterContract } from 'crosswire/testkit';
//   import definition from './user-adapter.js';
//   await assertCacheAdapterContract(() => definition.create({ options: {} }));
//
// The default export has the shape of crosswire's CacheAdapterDefinition. (`defineCacheAdapter`
// only adds types, so a plain object is all crosswire needs.)

/**
 * A Map with per-entry expiry. Values are strings; TTLs are milliseconds; expired entries are
 * dropped when read, plus a sweep every `sweepEveryMs` so a long run does not grow without bound.
 */
class MapCache {
  /** @type {Map<string, { value: string, expiresAt: number }>} */
  #entries = new Map();
  #closed = false;
  /** @type {ReturnType<typeof setInterval>} */
  #sweeper;

  constructor(sweepEveryMs = 5000) {
    this.id = 'example-map';
    this.#sweeper = setInterval(() => this.#sweep(), sweepEveryMs);
    this.#sweeper.unref(); // never keep the process alive just to sweep
  }

  /** @param {string} key @returns {Promise<string | undefined>} */
  async get(key) {
    this.#assertOpen();
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** @param {string} key @param {string} value @param {number} [ttlMs] */
  async set(key, value, ttlMs) {
    this.#assertOpen();
    const expiresAt = ttlMs !== undefined && ttlMs > 0 ? Date.now() + ttlMs : Infinity;
    this.#entries.set(key, { value, expiresAt });
  }

  /** @param {string} key */
  async delete(key) {
    this.#assertOpen();
    this.#entries.delete(key);
  }

  /** The cache-flush fault: without it, a scenario that flushes the cache is INCONCLUSIVE. */
  async flush() {
    this.#assertOpen();
    this.#entries.clear();
  }

  async close() {
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.#entries.clear();
  }

  library() {
    return { name: 'example-map', version: '1.0.0' };
  }

  #assertOpen() {
    // a closed cache says so, rather than quietly answering "miss"
    if (this.#closed) throw new Error('example-map cache is closed');
  }

  #sweep() {
    const now = Date.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}

export default {
  id: 'example-map',
  description: 'example user adapter: a Map with per-entry TTL',
  /** @param {{ options?: Record<string, unknown> }} context */
  create(context) {
    const sweep = context?.options?.sweepEveryMs;
    return new MapCache(typeof sweep === 'number' && sweep > 0 ? sweep : 5000);
  },
};
