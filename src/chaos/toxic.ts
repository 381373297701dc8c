import type { Rng } from '../rng/seeded-rng.ts';

/**
 * A toxic, on the Toxiproxy model: one stage in the pipeline of one direction of one proxied
 * connection. `upstream` is client → server, `downstream` is server → client. Stages receive
 * chunks in order and pass zero or more on, now or later, to the next stage (the last one
 * writes to the socket). All times here are real milliseconds; the caller converts scenario time.
 */
export type Direction = 'upstream' | 'downstream';

export interface ToxicSpec {
  /** A toxic's type name (see toxic-kinds.ts): latency, timeout, reset_peer, slow_close, bandwidth, slicer, limit_data. */
  type: string;
  /** Defaults to downstream, as in Toxiproxy. */
  direction?: Direction;
  /** 0..1: the probability that the toxic applies to a given connection, drawn once per connection. Default 1. */
  toxicity?: number;
  /** Toxic-specific numbers (Toxiproxy's attribute names); missing ones default to 0. */
  attributes?: Record<string, number>;
  /** The id to give it; default `<type>_<direction>` (with `_2`, `_3`… if taken). */
  name?: string;
}

/** Where a stage hands data on: the next stage, or the destination socket. */
export interface Outlet {
  push(chunk: Buffer): void;
  /** The source sent FIN: nothing follows. Passed on after the data before it. */
  end(): void;
}

export interface ToxicStage extends Outlet {
  /** The toxic was removed (healed): hand on everything held, in order, now, and stop timers. */
  flush(): void;
  /** The connection is gone: stop timers and drop everything held. */
  dispose(): void;
}

/** What a stage may do to the whole connection. */
export interface LinkControl {
  /** Connection number in accept order (0-based). */
  readonly id: number;
  /** Bytes that entered this direction from its source socket so far. */
  readonly bytesIn: number;
  /** Bytes this direction has written to its destination socket so far. */
  readonly bytesOut: number;
  /**
   * RST both sides now: whatever is in flight is lost, peers see ECONNRESET. A side already
   * sending its FIN (its source closed first) is closed instead, as RST cannot follow a queued FIN.
   */
  reset(): void;
  /** FIN both sides now; data still held by stages is dropped. */
  close(): void;
}

export interface StageContext {
  next: Outlet;
  link: LinkControl;
  direction: Direction;
  /** This toxic's own stream on this connection: draws never depend on other connections' traffic. */
  rng: Rng;
  /** Validated attributes, defaults filled in. */
  attributes: Readonly<Record<string, number>>;
  /** End this direction after what later stages hold, then close the whole connection. */
  finish(): void;
  /** Records a decision or a draw (for determinism checks and evidence); cheap when nobody listens. */
  trace(what: string, value?: number): void;
}

export interface Toxic {
  readonly type: string;
  /** Known attribute names with their defaults; any other name is refused. */
  readonly attributes: Readonly<Record<string, number>>;
  stage(ctx: StageContext): ToxicStage;
}

/** One observable decision of the proxy, in the order it was made. */
export interface ChaosTraceEvent {
  link: number;
  toxic?: string;
  direction?: Direction;
  what: string;
  value?: number;
}

/** Monotonic wall-clock milliseconds, fractional. */
export function realNow(): number {
  return performance.now();
}
