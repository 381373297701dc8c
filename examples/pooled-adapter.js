// A pooled cache client as a user writes one: plain ESM JavaScript against crosswire's public
// adapter interface only. A small pool of connections to a cache server; each request borrows a
// connection, sends one command, waits for its reply with a deadline and gives the connection
// back. The server here is in-process (a Map with TTL behind per-connection reply queues, each
// reply after a short latency, now and then a long one) so the example needs nothing installed.
//
// On a timeout the connection still owes a reply. This module discards it (closes it and opens a
// fresh one later): correct. `examples/pooled-adapter-late-reply.js` gives it back to the pool
// instead — the late reply then answers the next request that borrows it, a reply for another
// key (the pool bug of redis-py 4.4.0–4.5.3 behind the ChatGPT leak of March 2023).
//
//   crosswire run --cache ./examples/pooled-adapter.js                # PASS
//   crosswire run --cache ./examples/pooled-adapter-late-reply.js     # FAIL: replies for other keys
//   crosswire explore --cache ./examples/pooled-adapter-late-reply.js # finds and shrinks it
//
// Options (`cache.options`): poolSize (8), timeout (ms, 50), spikeChance (0.002), spike (ms, 120).

/** The server: one store, commands answered in order per connection, each after a latency. */
class Server {
  /** @type {Map<string, { value: string, expiresAt: number }>} */
  #entries = new Map();

  /** @param {{ get: string } | { set: string, value: string, ttlMs?: number } | { del: string }} command */
  execute(command) {
    const now = Date.now();
    if ('get' in command) {
      const entry = this.#entries.get(command.get);
      if (entry === undefined || entry.expiresAt <= now) return null;
      return entry.value;
    }
    if ('set' in command) {
      const ttl = command.ttlMs;
      this.#entries.set(command.set, { value: command.value, expiresAt: ttl !== undefined && ttl > 0 ? now + ttl : Infinity });
      return 'OK';
    }
    return this.#entries.delete(command.del) ? 1 : 0;
  }

  flush() {
    this.#entries.clear();
  }
}

/** One connection: commands go out in order, replies come back in order into an inbox. */
class Connection {
  /** @type {unknown[]} replies that arrived with no reader waiting */
  #inbox = [];
  /** @type {((reply: unknown) => void) | undefined} */
  #reader;
  #busyUntil = 0;
  closed = false;

  /** @param {Server} server @param {() => number} latency @param {number} id */
  constructor(server, latency, id) {
    this.server = server;
    this.latency = latency;
    this.id = id;
  }

  /** Sends a command; its reply arrives later, after those of the commands sent before it. */
  send(command) {
    const now = performance.now();
    this.#busyUntil = Math.max(now, this.#busyUntil) + this.latency();
    const answer = () => {
      if (this.closed) return;
      const reply = this.server.execute(command);
      const reader = this.#reader;
      this.#reader = undefined;
      if (reader !== undefined) reader(reply);
      else this.#inbox.push(reply);
    };
    // a timer waits at least 1 ms: a quicker reply goes out on the next turn (order is kept, as a
    // reply behind a slower one is due later than it)
    const delay = this.#busyUntil - now;
    if (delay < 1) setImmediate(answer);
    else setTimeout(answer, delay);
  }

  /** The next reply on this connection, whichever command it answers. */
  read() {
    if (this.#inbox.length > 0) return Promise.resolve(this.#inbox.shift());
    return new Promise((resolve) => (this.#reader = resolve));
  }

  /** Stops waiting for the reply being read (it will land in the inbox). */
  stopReading() {
    this.#reader = undefined;
  }

  close() {
    this.closed = true;
    this.#reader = undefined;
    this.#inbox = [];
  }
}

class PooledCache {
  /** @type {Connection[]} */
  #idle = [];
  /** @type {((connection: Connection) => void)[]} */
  #waiting = [];
  #open = 0;
  #opened = 0;
  #closed = false;
  /** @type {Connection | undefined} */
  #last;

  /** @param {string} id @param {{ poolSize: number, timeout: number, latency: () => number, discardOnTimeout: boolean }} config */
  constructor(id, config) {
    this.id = id;
    this.config = config;
    this.server = new Server();
  }

  async get(key) {
    const reply = await this.#request({ get: key });
    return reply === null ? undefined : String(reply);
  }

  async set(key, value, ttlMs) {
    await this.#request({ set: key, value, ttlMs });
  }

  async delete(key) {
    await this.#request({ del: key });
  }

  /** The cache-flush fault: an in-process cache drops its entries itself. */
  async flush() {
    this.server.flush();
  }

  async close() {
    this.#closed = true;
    for (const connection of this.#idle) connection.close();
    this.#idle = [];
  }

  library() {
    return { name: 'example-pool', version: '1.0.0' };
  }

  connectionId() {
    return this.#last === undefined ? undefined : `pool-${this.#last.id}`;
  }

  async #request(command) {
    if (this.#closed) throw new Error('example-pool cache is closed');
    const connection = await this.#acquire();
    this.#last = connection;
    connection.send(command);
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), this.config.timeout)));
    const reply = await Promise.race([connection.read(), timedOut]);
    clearTimeout(timer);
    if (reply !== TIMED_OUT) {
      this.#release(connection);
      return reply;
    }
    connection.stopReading();
    // the connection still owes this command's reply: only a discarded connection cannot hand it
    // to the next borrower
    if (this.config.discardOnTimeout) this.#discard(connection);
    else this.#release(connection);
    throw new Error(`example-pool: no reply within ${this.config.timeout}ms`);
  }

  /** @returns {Promise<Connection>} */
  #acquire() {
    const idle = this.#idle.pop();
    if (idle !== undefined) return Promise.resolve(idle);
    if (this.#open < this.config.poolSize) return Promise.resolve(this.#connect());
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #connect() {
    this.#open++;
    return new Connection(this.server, this.config.latency, ++this.#opened);
  }

  #release(connection) {
    const next = this.#waiting.shift();
    if (next !== undefined) next(connection);
    else if (this.#closed) connection.close();
    else this.#idle.push(connection);
  }

  #discard(connection) {
    connection.close();
    this.#open--;
    const next = this.#waiting.shift();
    if (next !== undefined) next(this.#connect());
  }
}

const TIMED_OUT = Symbol('timed out');

/** @param {Record<string, unknown> | undefined} options @param {string} name @param {number} fallback */
function numberOption(options, name, fallback) {
  const value = options?.[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`cache.options.${name}: expected a number ≥ 0, found ${JSON.stringify(value)}`);
  return value;
}

/**
 * An adapter definition for this pool. `discardOnTimeout: false` is the bug.
 * @param {{ id: string, description: string, discardOnTimeout: boolean }} variant
 */
export function pooledAdapter(variant) {
  return {
    id: variant.id,
    description: variant.description,
    /** @param {{ options?: Record<string, unknown>, rng?: { next(): number } }} context */
    create(context) {
      const options = context?.options;
      const spikeChance = numberOption(options, 'spikeChance', 0.002);
      const spike = numberOption(options, 'spike', 120);
      // the run's seeded stream when crosswire gives one, so a run's latencies follow its seed
      const random = context?.rng !== undefined ? () => context.rng.next() : Math.random;
      return new PooledCache(variant.id, {
        poolSize: Math.max(1, Math.round(numberOption(options, 'poolSize', 8))),
        timeout: numberOption(options, 'timeout', 50),
        latency: () => (random() < spikeChance ? spike : random() * 0.5),
        discardOnTimeout: variant.discardOnTimeout,
      });
    },
  };
}

export default pooledAdapter({
  id: 'example-pool',
  description: 'example user adapter: a connection pool that discards a connection whose request timed out',
  discardOnTimeout: true,
});
