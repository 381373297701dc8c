import type net from 'node:net';
import type { Rng } from '../rng/seeded-rng.ts';
import { Link, type LinkCounters } from './link.ts';
import { Listener } from './listener.ts';
import { resetSocket } from './socket-reset.ts';
import { resolveToxic, type ResolvedToxic } from './toxic-kinds.ts';
import type { ChaosTraceEvent, ToxicSpec } from './toxic.ts';

export interface ChaosProxyOptions {
  upstream: { host: string; port: number };
  /** The run's stream for this proxy: every toxicity decision and every draw derives from it. */
  rng: Rng;
  listenHost?: string;
  /** 0 (default): a free port. */
  listenPort?: number;
  /** Every decision (toxic applied/skipped per connection, jitter drawn, reset, close…), in order. */
  trace?: (event: ChaosTraceEvent) => void;
}

export interface SetEnabledOptions {
  /** Open connections on disable: FIN (default, what a stopped server's kernel sends) or RST. */
  drop?: 'close' | 'reset';
  /**
   * New connections while disabled: 'refuse' (default) closes the listener, so clients get
   * ECONNREFUSED as from a dead server; 'reset' keeps the port and resets each connection as soon
   * as it is accepted (a load balancer with no backend), which cannot lose the port.
   */
  refuse?: 'refuse' | 'reset';
}

export interface ChaosProxyStats extends LinkCounters {
  connectionsOpened: number;
  connectionsOpen: number;
  /** Accepted while disabled in 'reset' mode, and reset at once. */
  connectionsRejected: number;
  enabled: boolean;
  toxics: number;
}

interface ActiveToxic {
  id: string;
  /** `<n>/<id>`, n counting addToxic calls: the name of the toxic's random streams. */
  key: string;
  spec: ResolvedToxic;
}

/**
 * An in-process TCP proxy between a cache client and its server, on the Toxiproxy model:
 * per-direction chains of toxics, each applied to a connection with probability `toxicity`,
 * added and removed live. Unlike Toxiproxy, every random choice comes from the run's seed.
 */
export class ChaosProxy {
  private readonly options: ChaosProxyOptions;
  private readonly listener: Listener;
  private readonly links = new Set<Link>();
  private readonly active: ActiveToxic[] = [];
  private readonly counters: LinkCounters = { bytesUpstream: 0, bytesDownstream: 0, resets: 0, closes: 0, toxicsApplied: 0, toxicsSkipped: 0 };
  private opened = 0;
  private added = 0;
  private rejected = 0;
  private isEnabled = true;
  private resetNew = false;
  private closed = false;
  readonly host: string;

  private constructor(options: ChaosProxyOptions) {
    this.options = options;
    this.host = options.listenHost ?? '127.0.0.1';
    this.listener = new Listener(this.host, (socket) => this.accept(socket));
  }

  static async start(options: ChaosProxyOptions): Promise<ChaosProxy> {
    const proxy = new ChaosProxy(options);
    await proxy.listener.start(options.listenPort ?? 0);
    return proxy;
  }

  get port(): number {
    return this.listener.port;
  }

  /** `redis://127.0.0.1:PORT` for url('redis') or url('redis:'). */
  url(scheme: string): string {
    return `${scheme.replace(/:?(\/\/)?$/, '')}://${this.host}:${this.port}`;
  }

  get enabled(): boolean {
    return this.isEnabled;
  }

  get stats(): ChaosProxyStats {
    return {
      ...this.counters,
      connectionsOpened: this.opened,
      connectionsOpen: this.links.size,
      connectionsRejected: this.rejected,
      enabled: this.isEnabled,
      toxics: this.active.length,
    };
  }

  /** The toxics in force, in the order they apply. */
  toxics(): { id: string; type: string; direction: string; toxicity: number; attributes: Record<string, number> }[] {
    return this.active.map(({ id, spec }) => ({ id, type: spec.toxic.type, direction: spec.direction, toxicity: spec.toxicity, attributes: { ...spec.attributes } }));
  }

  /** Applies to open connections now and to every new one; returns the toxic's id. */
  addToxic(spec: ToxicSpec): string {
    const resolved = resolveToxic(spec);
    const id = this.newId(spec, resolved);
    const key = `${this.added++}/${id}`;
    this.active.push({ id, key, spec: resolved });
    for (const link of this.links) link.applyToxic(id, key, resolved);
    return id;
  }

  /** Heals: the toxic's stages hand on what they hold and leave every connection. */
  removeToxic(id: string): boolean {
    const i = this.active.findIndex((t) => t.id === id);
    if (i < 0) return false;
    const [{ spec }] = this.active.splice(i, 1);
    for (const link of this.links) link.removeToxic(id, spec.direction);
    return true;
  }

  removeAll(): void {
    for (const { id } of [...this.active]) this.removeToxic(id);
  }

  /** RST every open connection now, requests in flight; returns how many. */
  resetAll(): number {
    let n = 0;
    for (const link of [...this.links]) {
      if (!link.open) continue;
      link.reset();
      n++;
    }
    return n;
  }

  /**
   * false: a server outage as the client sees it (new connections refused, open ones dropped);
   * true: back. Resolves once the listener is in the new state; rejects only if the port could
   * not be taken back (see SetEnabledOptions.refuse).
   */
  setEnabled(enabled: boolean, options: SetEnabledOptions = {}): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.isEnabled = enabled;
    if (!enabled) {
      this.resetNew = options.refuse === 'reset';
      for (const link of [...this.links]) {
        if (options.drop === 'reset') link.reset();
        else link.close();
      }
    }
    // refuse: 'reset' keeps listening and resets in accept(), so the port cannot be lost
    return enabled || this.resetNew ? this.listener.start() : this.listener.stop();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.removeAll();
    for (const link of [...this.links]) link.destroy();
    await this.listener.stop();
  }

  private accept(socket: net.Socket): void {
    if (this.closed || !this.isEnabled) {
      this.rejected++;
      socket.on('error', () => {});
      resetSocket(socket);
      return;
    }
    // One draw per accepted connection, in accept order: the connection's own seed.
    const seed = this.options.rng.int(0, 0x7fffffff);
    const link = new Link(this.opened++, seed, socket, this.options.upstream, {
      counters: this.counters,
      trace: this.options.trace,
      onDone: (done) => this.links.delete(done),
    });
    this.links.add(link);
    this.options.trace?.({ link: link.id, what: 'open' });
    for (const { id, key, spec } of this.active) link.applyToxic(id, key, spec);
  }

  private newId(spec: ToxicSpec, resolved: ResolvedToxic): string {
    const taken = (id: string) => this.active.some((t) => t.id === id);
    if (spec.name !== undefined) {
      if (taken(spec.name)) throw new Error(`a toxic named "${spec.name}" is already active on this proxy`);
      return spec.name;
    }
    const base = `${resolved.toxic.type}_${resolved.direction}`;
    let id = base;
    for (let n = 2; taken(id); n++) id = `${base}_${n}`;
    return id;
  }
}
