import type { Clock } from '../../clock/clock.ts';
import type { TimerTarget } from '../../clock/timer-queue.ts';
import type { Rng } from '../../rng/seeded-rng.ts';
import {
  defineCacheAdapter,
  numberOption,
  type CacheOpRef,
  type ConfessingAdapter,
  type WrongValue,
} from '../cache-adapter.ts';
import { ConfessionLog } from './confession-log.ts';

/**
 * Mechanism A1 in docs/mechanisms.md, crossed replies. A simulated single connection to a serial
 * server: requests queue in a pending FIFO and the server answers them in order, each after a
 * seeded service time (mostly short, sometimes a spike). The client gives up on a request after
 * `timeout` and removes it from the FIFO, but the server still answers it, so every later reply
 * goes to the request behind the one it was meant for (redis-py 4.4.0–4.5.3, the ChatGPT 2023
 * leak).
 */
interface Request {
  key: string;
  kind: 'get' | 'set' | 'delete';
  value?: string;
  ttlMs?: number;
  op: CacheOpRef | undefined;
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
  timer: ReturnType<Clock['after']> | undefined;
}

interface Reply {
  forKey: string;
  kind: Request['kind'];
  value: string | undefined;
}

const REPLY = 1;

class CrossedRepliesAdapter implements ConfessingAdapter, TimerTarget {
  readonly id = 'faulty:crossed-replies';
  private readonly store = new Map<string, { value: string; expires: number }>();
  private readonly pending: Request[] = [];
  /** Replies the simulated server has scheduled, in order: [time, reply]. */
  private readonly replies: Reply[] = [];
  private serverFreeAt = 0;
  private readonly log = new ConfessionLog();
  private readonly rng: Rng;
  private readonly clock: Clock;
  private readonly latency: number;
  private readonly spikeChance: number;
  private readonly spike: number;
  private readonly timeout: number;

  constructor(rng: Rng, clock: Clock, options: Record<string, unknown>) {
    this.rng = rng;
    this.clock = clock;
    this.latency = numberOption(options, 'latency', 0.2);
    this.spikeChance = numberOption(options, 'spikeChance', 0.001);
    this.spike = numberOption(options, 'spike', 400);
    this.timeout = numberOption(options, 'timeout', 100);
  }

  get wrongValues(): readonly WrongValue[] {
    return this.log.entries;
  }

  async get(key: string, op?: CacheOpRef): Promise<string | undefined> {
    const reply = await this.send({ key, kind: 'get', op });
    if (reply.kind === 'get' && reply.forKey === key) return reply.value;
    const returned = reply.kind === 'get' ? reply.value : 'OK';
    const expected = this.read(key);
    if (returned !== undefined && returned !== expected) {
      this.log.record({ opId: op?.id, key, returned, expected, mechanism: 'A1 crossed-replies', at: this.clock.now() });
    }
    return returned;
  }

  async set(key: string, value: string, ttlMs?: number, op?: CacheOpRef): Promise<void> {
    await this.send({ key, kind: 'set', value, ttlMs, op });
  }

  async delete(key: string, op?: CacheOpRef): Promise<void> {
    await this.send({ key, kind: 'delete', op });
  }

  /** Empties the simulated server; requests in flight keep their place in the queue. */
  async flush(): Promise<void> {
    this.store.clear();
  }

  async close(): Promise<void> {
    for (const request of this.pending.splice(0)) request.reject(new Error('connection closed'));
  }

  connectionId(): string {
    return 'sim-conn-0';
  }

  private send(partial: Pick<Request, 'key' | 'kind' | 'value' | 'ttlMs' | 'op'>): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const request: Request = { ...partial, resolve, reject, timer: undefined };
      this.pending.push(request);
      // the server works through requests one at a time, in arrival order
      const now = this.clock.now();
      const service = this.latency + (this.rng.chance(this.spikeChance) ? this.spike : 0);
      this.serverFreeAt = Math.max(this.serverFreeAt, now) + service;
      this.replies.push(this.execute(request));
      this.clock.at(this.serverFreeAt, this, REPLY);
      request.timer = this.clock.after(this.timeout, {
        onTimer: () => {
          // the bug: forget the request but not the reply that is still coming
          const i = this.pending.indexOf(request);
          if (i >= 0) this.pending.splice(i, 1);
          reject(new Error(`timeout after ${this.timeout}ms`));
        },
      }, 0);
    });
  }

  /** The server applies the command when it reaches it; its reply is sent later. */
  private execute(request: Request): Reply {
    switch (request.kind) {
      case 'get':
        return { forKey: request.key, kind: 'get', value: this.read(request.key) };
      case 'set':
        this.store.set(request.key, { value: request.value!, expires: request.ttlMs ? Date.now() + request.ttlMs : Infinity });
        return { forKey: request.key, kind: 'set', value: 'OK' };
      case 'delete':
        this.store.delete(request.key);
        return { forKey: request.key, kind: 'delete', value: undefined };
    }
  }

  private read(key: string): string | undefined {
    const entry = this.store.get(key);
    if (entry === undefined || entry.expires <= Date.now()) return undefined;
    return entry.value;
  }

  onTimer(): void {
    // a reply arrives: hand it to whichever request is now at the head of the FIFO
    const reply = this.replies.shift();
    const request = this.pending.shift();
    if (reply === undefined || request === undefined) return;
    this.clock.cancel(request.timer);
    request.resolve(reply);
  }
}

export default defineCacheAdapter({
  id: 'faulty:crossed-replies',
  description: 'A1: a timed-out request leaves the pending FIFO while its reply is still coming',
  mechanism: 'A1 crossed-replies',
  create: ({ rng, clock, options }) => new CrossedRepliesAdapter(rng, clock, options),
});
