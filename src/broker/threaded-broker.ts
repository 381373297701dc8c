import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { FleetShape } from '../registry/registry.ts';
import { FramedClientTransport } from '../transport/framed-client-transport.ts';
import type { ClientTransport } from '../transport/link.ts';
import type { Broker, BrokerCut, BrokerStats } from './broker.ts';
import type { BrokerControl, BrokerReply, BrokerThreadData } from './broker-thread.ts';
import type { BrokerSettings } from './embedded-broker.ts';

// compiled to dist/ the entry is a .js file beside this one
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './broker-thread.ts' : './broker-thread.js', import.meta.url);

/**
 * The embedded broker in a worker thread of its own, so a reconnect storm's broker work (aedes,
 * streams, their garbage) and the run's own work (clients, service, cache, oracle) use both
 * cores. The memory transport is split across the threads (frame batches, one message per
 * event-loop turn each way). Refusals and drops are decided here, at once, as in-thread; which
 * client is on which link is learnt from the broker thread as clients register.
 */
export class ThreadedBroker implements Broker {
  readonly thread = 'worker';
  readonly stats: BrokerStats = { connacksAccepted: 0, authRefused: 0, publishDenied: 0, subscribeDenied: 0 };
  failure: string | undefined;
  private readonly worker: Worker;
  private readonly links: FramedClientTransport;
  private down = false;
  private closing = false;
  /** Registered clients' links, by client id, and back. */
  private readonly linkOf = new Map<string, number>();
  private readonly clientOn = new Map<number, string>();
  private nextKey = 1;
  /** Partitions in force, by key: their clients are refused here, before anything crosses over. */
  private readonly cuts = new Map<number, ReadonlySet<string>>();
  private readonly pending = new Map<number, { resolve(): void; reject(error: Error): void }>();

  private constructor(worker: Worker) {
    this.worker = worker;
    this.links = new FramedClientTransport((batch) => worker.postMessage(batch, [batch]), {
      registered: (connection, clientId) => {
        this.linkOf.set(clientId, connection);
        this.clientOn.set(connection, clientId);
      },
      closed: (connection) => {
        const clientId = this.clientOn.get(connection);
        if (clientId === undefined) return;
        this.clientOn.delete(connection);
        // a takeover registers the id on a newer link before the old one closes
        if (this.linkOf.get(clientId) === connection) this.linkOf.delete(clientId);
      },
      counters: ([connacksAccepted, authRefused, publishDenied, subscribeDenied]) => {
        Object.assign(this.stats, { connacksAccepted, authRefused, publishDenied, subscribeDenied });
      },
    });
    this.links.turnAway((clientId) => this.cuts.size > 0 && this.isCut(clientId));
  }

  private isCut(clientId: string): boolean {
    for (const cut of this.cuts.values()) if (cut.has(clientId)) return true;
    return false;
  }

  static async start(seed: number, shape: FleetShape, secret: Buffer, settings: BrokerSettings): Promise<ThreadedBroker> {
    const data: BrokerThreadData = { seed, shape, secret: new Uint8Array(secret), settings };
    // a worker's heap limit is V8's default, not the process's --max-old-space-size: give it the
    // same room, or 100k+ connections' broker state drives it into back-to-back collections
    const heapMb = Math.round(getHeapStatistics().heap_size_limit / (1024 * 1024));
    const broker = new ThreadedBroker(new Worker(ENTRY, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: heapMb } }));
    await broker.listen();
    return broker;
  }

  private listen(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.worker.on('message', (message: ArrayBuffer | BrokerReply) => {
        if (message instanceof ArrayBuffer) return this.links.receive(message);
        if (message.type === 'ready') return resolve();
        const waiter = message.reply === undefined ? undefined : this.pending.get(message.reply);
        if (message.reply !== undefined) this.pending.delete(message.reply);
        if (message.type === 'done') waiter?.resolve();
        else if (waiter) waiter.reject(new Error(`broker thread: ${message.message}`));
        else this.fail(message.message);
      });
      this.worker.on('error', (error) => {
        this.fail(error.message);
        reject(new Error(`broker thread: ${error.message}`));
      });
      this.worker.on('exit', (code) => {
        if (code !== 0 && !this.closing) this.fail(`exited with code ${code}`);
        for (const waiter of this.pending.values()) waiter.reject(new Error(`broker thread: ${this.failure ?? 'exited'}`));
        this.pending.clear();
        reject(new Error(`broker thread exited before it was ready (${this.failure ?? code})`));
      });
    });
  }

  private fail(message: string): void {
    this.failure ??= `broker thread: ${message}`;
    // nothing can reach it any more: every client sees its link close, and further connects are refused
    this.down = true;
    this.links.setRefusing(true);
    this.links.dropAll();
  }

  readonly wsTransport = undefined;

  get clientTransport(): ClientTransport {
    return this.links.client;
  }

  get isDown(): boolean {
    return this.down;
  }

  get openConnections(): number {
    return this.links.openConnections;
  }

  outage(): number {
    this.down = true;
    this.links.setRefusing(true);
    return this.links.dropAll();
  }

  restore(): void {
    if (this.failure !== undefined) return;
    this.down = false;
    this.links.setRefusing(false);
  }

  dropClient(clientId: string): boolean {
    const connection = this.linkOf.get(clientId);
    return connection !== undefined && this.links.drop(connection);
  }

  cutOff(clientIds: ReadonlySet<string>): BrokerCut {
    const key = this.nextKey++;
    let dropped = 0;
    for (const clientId of clientIds) if (this.dropClient(clientId)) dropped++;
    this.cuts.set(key, new Set(clientIds));
    // after the drops, before any reconnect: the broker thread reads both in this order
    this.control({ type: 'cut', key, clientIds: [...clientIds] });
    return {
      dropped,
      restore: () => {
        this.cuts.delete(key);
        this.control({ type: 'uncut', key });
      },
    };
  }

  async stopForRestart(): Promise<number> {
    const dropped = this.outage();
    await this.request('stop');
    return dropped;
  }

  async startAfterRestart(): Promise<void> {
    await this.request('start');
    this.restore();
  }

  async close(): Promise<void> {
    this.outage();
    if (this.failure === undefined) await this.request('close').catch((error: Error) => this.fail(error.message));
    this.closing = true;
    await this.worker.terminate();
  }

  private control(message: BrokerControl): void {
    if (this.failure !== undefined) return;
    this.links.flush();
    this.worker.postMessage(message);
  }

  private request(type: 'stop' | 'start' | 'close'): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(new Error(this.failure));
    const reply = this.nextKey++;
    return new Promise((resolve, reject) => {
      this.pending.set(reply, { resolve, reject });
      this.control({ type, reply });
    });
  }
}
