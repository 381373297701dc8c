import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { Viewer } from '../src/fleet/viewer.ts';
import { HistoryRecorder } from '../src/history/history-recorder.ts';
import { HistoryChecker } from '../src/oracle/history-checker.ts';
import { StormTracker } from '../src/oracle/storm-tracker.ts';
import { MemoryServerTransport } from '../src/transport/memory-transport.ts';
import { FrameKind } from '../src/transport/frame-batch.ts';
import { FramedClientTransport } from '../src/transport/framed-client-transport.ts';

/**
 * Measurement probes installed by the bench on src prototypes (bench-only, nothing in src/
 * changes): they let the bench see inside a run that `runScenario` builds and tears down itself.
 *
 * - storm: the real time of the restore, of the first connection the broker accepts after it
 *   (the moment connects start), of the last accept, and how many connections were accepted.
 * - oracle: time spent recording and judging the history (HistoryRecorder.record: serialising,
 *   hashing, the checker) and in a viewer's receipt (decoding the watermark), only while
 *   `oracle.enabled`; synchronous and without I/O, so wall time inside is CPU time of this thread.
 */
export interface StormProbe {
  restoredReal: number | undefined;
  firstAcceptReal: number | undefined;
  lastAcceptReal: number | undefined;
  acceptsAfterRestore: number;
  /** process.cpuUsage() (µs, user+system, all threads) at the restore. */
  cpuAtRestore: number;
  /** [real ms, cpu µs] pairs sampled on camera reconnects after the restore. */
  cpuSamples: number[];
  /** Camera connects after the restore (a camera dropped again and back counts twice). */
  reconnects: number;
}

export interface OracleProbe {
  enabled: boolean;
  /** Outermost calls: receipts (decode, op, record) and every other op recorded. */
  ms: number;
  /** Of which: the checker judging ops (HistoryChecker.apply), and recording them (serialise, hash, write). */
  checkerMs: number;
  recordMs: number;
  thumbnails: number;
  clips: number;
  /** [start, end] of every timed call (performance.now()), to find GC pauses inside calls. */
  intervals: Float64Array;
  calls: number;
}

export const stormProbe: StormProbe = {
  restoredReal: undefined,
  firstAcceptReal: undefined,
  lastAcceptReal: undefined,
  acceptsAfterRestore: 0,
  cpuAtRestore: 0,
  cpuSamples: [],
  reconnects: 0,
};

/** CPU is sampled every this many camera reconnects (a getrusage call each), and at each of the last ones. */
const CPU_SAMPLE_EVERY = 256;
const CPU_SAMPLE_TAIL = 512;

/** CPU µs at the latest sample taken at or before `real` (ms), or undefined. */
export function cpuAt(real: number): number | undefined {
  const s = stormProbe.cpuSamples;
  let found: number | undefined;
  // the storm report rounds its real time to the millisecond: allow that much
  for (let i = 0; i < s.length && s[i] <= real + 1; i += 2) found = s[i + 1];
  return found;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
export const oracleProbe: OracleProbe = { enabled: false, ms: 0, checkerMs: 0, recordMs: 0, thumbnails: 0, clips: 0, intervals: new Float64Array(0), calls: 0 };

function recordCall(t0: number, t1: number): void {
  const p = oracleProbe;
  p.ms += t1 - t0;
  if (2 * p.calls + 2 > p.intervals.length) {
    const grown = new Float64Array(Math.max(1 << 16, p.intervals.length * 2));
    grown.set(p.intervals);
    p.intervals = grown;
  }
  p.intervals[2 * p.calls] = t0;
  p.intervals[2 * p.calls + 1] = t1;
  p.calls++;
}

export function resetStormProbe(): void {
  stormProbe.restoredReal = undefined;
  stormProbe.firstAcceptReal = undefined;
  stormProbe.lastAcceptReal = undefined;
  stormProbe.acceptsAfterRestore = 0;
  stormProbe.cpuAtRestore = 0;
  stormProbe.cpuSamples = [];
  stormProbe.reconnects = 0;
}

export function resetOracleProbe(enabled: boolean): void {
  oracleProbe.enabled = enabled;
  oracleProbe.ms = 0;
  oracleProbe.checkerMs = 0;
  oracleProbe.recordMs = 0;
  oracleProbe.thumbnails = 0;
  oracleProbe.clips = 0;
  oracleProbe.intervals = new Float64Array(0);
  oracleProbe.calls = 0;
}

let installed = false;

function countAccept(): void {
  if (stormProbe.restoredReal === undefined) return;
  const now = performance.now();
  stormProbe.firstAcceptReal ??= now;
  stormProbe.lastAcceptReal = now;
  stormProbe.acceptsAfterRestore++;
}

export function installProbes(): void {
  if (installed) return;
  installed = true;

  const outageEnded = StormTracker.prototype.outageEnded;
  StormTracker.prototype.outageEnded = function (this: StormTracker, now: number, real: number): void {
    outageEnded.call(this, now, real);
    stormProbe.restoredReal = performance.now();
    stormProbe.cpuAtRestore = cpuMicros();
  };

  // the storm's CPU: sampled on camera reconnects after the restore, so that CPU / wall over
  // the storm window says whether the storm was machine-bound (≈ one core busy) or waiting
  const onConnect = StormTracker.prototype.onConnect;
  StormTracker.prototype.onConnect = function (this: StormTracker, device: number, now: number, real: number): void {
    onConnect.call(this, device, now, real);
    if (stormProbe.restoredReal === undefined) return;
    const n = ++stormProbe.reconnects;
    if (n % CPU_SAMPLE_EVERY === 0 || n >= this.connected.length - CPU_SAMPLE_TAIL) {
      stormProbe.cpuSamples.push(performance.now(), cpuMicros());
    }
  };

  const listen = MemoryServerTransport.prototype.listen;
  MemoryServerTransport.prototype.listen = function (this: MemoryServerTransport, accept: (stream: Duplex) => void) {
    return listen.call(this, (stream: Duplex) => {
      countAccept();
      accept(stream);
    });
  };

  // the broker in its own thread: a connection starts when the run thread opens it
  const enqueue = FramedClientTransport.prototype.enqueue;
  FramedClientTransport.prototype.enqueue = function (this: FramedClientTransport, connection: number, kind: FrameKind, payload?: Uint8Array) {
    if (kind === FrameKind.open) countAccept();
    enqueue.call(this, connection, kind, payload);
  };

  // nested calls (a receipt records its op) are timed once, by the outermost
  let depth = 0;
  const timed = <A extends unknown[], R>(fn: (...args: A) => R, count: (...args: A) => void) =>
    function (this: unknown, ...args: A): R {
      if (!oracleProbe.enabled || depth > 0) return fn.apply(this, args);
      depth++;
      const t0 = performance.now();
      try {
        return fn.apply(this, args);
      } finally {
        depth--;
        recordCall(t0, performance.now());
        count(...args);
      }
    };
  // inner split, at any depth: what recording costs, and what judging costs within it
  const inner = <A extends unknown[], R>(fn: (...args: A) => R, add: (ms: number) => void) =>
    function (this: unknown, ...args: A): R {
      if (!oracleProbe.enabled) return fn.apply(this, args);
      const t0 = performance.now();
      try {
        return fn.apply(this, args);
      } finally {
        add(performance.now() - t0);
      }
    };
  const apply = HistoryChecker.prototype.apply;
  HistoryChecker.prototype.apply = inner(apply, (ms) => (oracleProbe.checkerMs += ms));
  const record = inner(HistoryRecorder.prototype.record, (ms) => (oracleProbe.recordMs += ms));
  HistoryRecorder.prototype.record = timed(record, () => {});
  // a receipt: decoding the watermark, building its op, recording and judging it
  const viewer = Viewer.prototype as unknown as { received(op: string, bytes: Uint8Array): unknown };
  viewer.received = timed(viewer.received, (op) => {
    if (op === 'thumbnail') oracleProbe.thumbnails++;
    else oracleProbe.clips++;
  });
}

/** Cost of one probe (two performance.now() calls and the bookkeeping), to state the bias. */
export function probeOverheadNs(samples = 1_000_000): number {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < samples; i++) {
    const a = performance.now();
    sink += performance.now() - a;
  }
  const ns = ((performance.now() - t0) * 1e6) / samples;
  return sink < 0 ? -1 : ns;
}
