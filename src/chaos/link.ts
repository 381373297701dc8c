import net from 'node:net';
import { createRng } from '../rng/seeded-rng.ts';
import { Pipeline } from './pipeline.ts';
import type { ResolvedToxic } from './toxic-kinds.ts';
import { resetSocket } from './socket-reset.ts';
import { socketSink } from './socket-sink.ts';
import type { ChaosTraceEvent, Direction, LinkControl } from './toxic.ts';

/** How long a closed link waits for its FINs to go out before it destroys its sockets. */
const CLOSE_GRACE_MS = 2_000;

/** Counters shared by every link of a proxy. */
export interface LinkCounters {
  bytesUpstream: number;
  bytesDownstream: number;
  resets: number;
  closes: number;
  toxicsApplied: number;
  toxicsSkipped: number;
}

export interface LinkHooks {
  counters: LinkCounters;
  trace?: (event: ChaosTraceEvent) => void;
  /** Both sockets are gone. */
  onDone(link: Link): void;
}

interface Side {
  pipeline: Pipeline;
  bytesIn: number;
  bytesOut: number;
  /** finish() was called: close the link when this direction's FIN reaches the sink. */
  closeOnEnd: boolean;
}

/**
 * One proxied connection: the accepted client socket, its own upstream socket, and a pipeline
 * per direction. Errors on either socket tear the pair down quietly; a reset seen on one side is
 * passed on as a reset to the other, so a server RST still reaches the client as ECONNRESET.
 */
export class Link {
  readonly id: number;
  private readonly seed: number;
  private readonly client: net.Socket;
  private readonly server: net.Socket;
  private readonly hooks: LinkHooks;
  private readonly sides: Record<Direction, Side>;
  private state: 'open' | 'closing' | 'done' = 'open';
  private socketsClosed = 0;
  private forceTimer: NodeJS.Timeout | undefined;

  constructor(id: number, seed: number, client: net.Socket, upstream: { host: string; port: number }, hooks: LinkHooks) {
    this.id = id;
    this.seed = seed;
    this.client = client;
    this.hooks = hooks;
    this.server = net.connect({ host: upstream.host, port: upstream.port, allowHalfOpen: true, noDelay: true });
    client.setNoDelay(true);
    this.sides = {
      upstream: this.side(client, this.server, 'upstream'),
      downstream: this.side(this.server, client, 'downstream'),
    };
    this.watch(client, this.server);
    this.watch(this.server, client);
  }

  get open(): boolean {
    return this.state === 'open';
  }

  /**
   * Adds the toxic's stage if this connection's own draw says so (decided once, per toxic).
   * `key` names the toxic's streams: unique per addToxic call, so a toxic removed and added
   * again draws afresh rather than hitting the same connections every time.
   */
  applyToxic(id: string, key: string, resolved: ResolvedToxic): boolean {
    if (this.state !== 'open') return false;
    const { toxic, direction, toxicity, attributes } = resolved;
    // A stream per (connection, toxic): the decision does not depend on whether the toxic
    // came before or after the connection, nor on any other connection's traffic.
    const applies = createRng(this.seed, `toxicity:${key}`).next() < toxicity;
    this.emit({ link: this.id, toxic: id, direction, what: applies ? 'applied' : 'skipped' });
    if (!applies) {
      this.hooks.counters.toxicsSkipped++;
      return false;
    }
    this.hooks.counters.toxicsApplied++;
    const side = this.sides[direction];
    const rng = createRng(this.seed, `toxic:${key}`);
    side.pipeline.add(id, (next) =>
      toxic.stage({
        next,
        link: this.control(side),
        direction,
        rng,
        attributes,
        finish: () => {
          side.closeOnEnd = true;
          next.end();
        },
        trace: this.hooks.trace ? (what, value) => this.emit({ link: this.id, toxic: id, direction, what, value }) : () => {},
      }),
    );
    return true;
  }

  removeToxic(id: string, direction: Direction): void {
    this.sides[direction].pipeline.remove(id);
  }

  /** RST both sides now (a side already sending its FIN is closed instead: see resetSocket). */
  reset(): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.hooks.counters.resets++;
    this.emit({ link: this.id, what: 'reset' });
    this.dispose();
    resetSocket(this.client);
    resetSocket(this.server);
  }

  /** FIN both sides now (after what is already written to the sockets). */
  close(): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.hooks.counters.closes++;
    this.emit({ link: this.id, what: 'close' });
    this.dispose();
    this.finSoon(this.client);
    this.finSoon(this.server);
  }

  /** Drop both sockets at once (the proxy is shutting down). */
  destroy(): void {
    this.state = this.state === 'done' ? 'done' : 'closing';
    this.stopForceTimer();
    this.dispose();
    this.client.destroy();
    this.server.destroy();
  }

  private side(source: net.Socket, dest: net.Socket, direction: Direction): Side {
    const counters = this.hooks.counters;
    const sink = socketSink(
      source,
      dest,
      (n) => {
        side.bytesOut += n;
        if (direction === 'upstream') counters.bytesUpstream += n;
        else counters.bytesDownstream += n;
      },
      () => {
        if (side.closeOnEnd) this.close();
      },
    );
    const side: Side = { pipeline: new Pipeline(sink), bytesIn: 0, bytesOut: 0, closeOnEnd: false };
    source.on('data', (chunk: Buffer) => {
      side.bytesIn += chunk.length;
      side.pipeline.push(chunk);
    });
    source.on('end', () => side.pipeline.end());
    return side;
  }

  private watch(socket: net.Socket, other: net.Socket): void {
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.state === 'done') return;
      this.state = 'closing';
      this.dispose();
      if (error.code === 'ECONNRESET') resetSocket(other);
      else this.finSoon(other);
    });
    socket.on('close', () => {
      if (++this.socketsClosed < 2) return;
      this.state = 'done';
      this.stopForceTimer();
      this.dispose();
      this.hooks.onDone(this);
    });
  }

  /** FIN after what is written; a peer that never reads must not keep the socket (and the listener) forever. */
  private finSoon(socket: net.Socket): void {
    if (!socket.destroyed) socket.destroySoon();
    if (this.forceTimer !== undefined || this.state === 'done') return;
    this.forceTimer = setTimeout(() => this.destroy(), CLOSE_GRACE_MS);
    this.forceTimer.unref();
  }

  private stopForceTimer(): void {
    clearTimeout(this.forceTimer);
    this.forceTimer = undefined;
  }

  private control(side: Side): LinkControl {
    return {
      id: this.id,
      get bytesIn() {
        return side.bytesIn;
      },
      get bytesOut() {
        return side.bytesOut;
      },
      reset: () => this.reset(),
      close: () => this.close(),
    };
  }

  private dispose(): void {
    this.sides.upstream.pipeline.dispose();
    this.sides.downstream.pipeline.dispose();
  }

  private emit(event: ChaosTraceEvent): void {
    this.hooks.trace?.(event);
  }
}
