import { usageError } from '../errors.ts';
import type { CacheOp, HistoryOp, RunHeader } from '../history/history-op.ts';
import { firstWrongRead } from './first-wrong-read.ts';
import { snapToConnection, wireFaults, type ConnectionDrop } from './wire-fault-windows.ts';

/** One command the script issues, at `atMs` wall ms after the first, as the run issued it. */
export interface ReproCommand {
  /** The run's cache op id. */
  id: number;
  op: 'get' | 'set' | 'delete';
  key: string;
  /** The value a set writes. */
  value?: string;
  atMs: number;
  /** Issued before the connection dropped (and still waiting for its reply then), or after it. */
  phase: 'in-flight' | 'after-drop';
}

/** What a library must do wrong for the script to show it, and how the run staged it. */
export interface ReproPlan {
  scenario: { name: string; seed: number; timeScale: number };
  /** The keys the commands touch, with the owner record the run wrote under each (absent: never written). */
  seed: { key: string; value: string }[];
  commands: ReproCommand[];
  /** The connection drop the wrong read went wrong across: scenario ms (`at`, `downUntil`) and, for the script, wall ms after the first command (`atMs`) and how long nothing gets through (`downMs`). */
  drop: ConnectionDrop & { atMs: number; downMs: number; insideTransaction?: boolean };
  /** The run's cache TTL (ms), for a client that writes a record and its TTL as a transaction. */
  ttlMs?: number;
  /** The run's first wrong read, as recorded. */
  wrong: { id: number; key: string; received: string; writtenUnder: string[]; startedAt: number; completedAt: number; connection?: string };
  /** The run's cache latency at the drop (scenario ms), and the faults active at the wrong read. */
  latencyMs?: number;
  activeFaults: string[];
}

/** Commands sent after the drop beyond the wrong read's place in the queue. */
const SHIFT_MARGIN = 4;

/**
 * The minimal command sequence around a run's first wrong read, as a pure function of its
 * history. The connection drop (a reset, an outage, a server restart) the read went wrong across
 * is the first one while it was in flight (else the last before it began). A client that keeps
 * its queue across a reconnect answers the i-th command of the queue at the drop (the commands
 * still waiting, then the new ones) with the i-th new reply: so the sequence is the waiting
 * commands up to the wrong read and as many new ones as it takes to reach the read's position —
 * nothing after can change what it received (plus SHIFT_MARGIN). A wrong read sent after the
 * drop (into a queue that went stale while the server was down) takes every command sent from the
 * drop until its reply; a reset with nothing waiting gives way to the last earlier one that cut
 * something.
 */
export function reproPlan(header: RunHeader, ops: readonly HistoryOp[]): ReproPlan {
  const scenario = header.scenario as { name: string; seed: number; timeScale?: number; timeline?: unknown[] };
  const cacheOps = ops.filter((op): op is CacheOp => op.op === 'cache');
  const found = firstWrongRead(cacheOps);
  if (found === undefined) {
    throw usageError('EXPORT_NO_WRONG_READ', 'no cache read in this history returned another key\'s value (blame wrong-key): export reproduces wrong replies from a client library, and this run has none to show');
  }
  const wrong = found.op;
  const scheduled = wireFaults(scenario, ops);
  const faults = { ...scheduled, drops: scheduled.drops.map((d) => snapToConnection(d, cacheOps)) };
  const activeFaults = faults.windows.filter((w) => w.from <= wrong.t && w.to >= wrong.startedAt).map((w) => w.kind);
  const waitingAt = (d: ConnectionDrop) => cacheOps.some((op) => op.startedAt <= d.at && op.t > d.at);
  const nearest = faults.drops.find((d) => d.at >= wrong.startedAt && d.at <= wrong.t) ?? faults.drops.filter((d) => d.at < wrong.startedAt).at(-1);
  // a reset that cut nothing explains nothing: a queue left stale by an earlier cut still answers wrong
  const drop = nearest?.kind === 'reset' && !waitingAt(nearest) ? (faults.drops.filter((d) => d.kind === 'reset' && d.at < nearest.at && waitingAt(d)).at(-1) ?? nearest) : nearest;
  if (drop === undefined) {
    throw usageError(
      'EXPORT_FAULT_UNSUPPORTED',
      `the first wrong read (op ${wrong.id}, GET ${wrong.key} at ${wrong.t} ms) followed no dropped cache connection (faults active: ${activeFaults.join(', ') || 'none'}): export stages a cache-reset, cache-outage or cache-restart with commands in flight, and this run's wrong read came another way`,
    );
  }
  const resetAt = drop.at;
  const byId = (a: CacheOp, b: CacheOp) => a.id - b.id;
  const waiting = cacheOps.filter((op) => op.startedAt <= resetAt && op.t > resetAt).sort(byId);
  const after = cacheOps.filter((op) => op.startedAt > resetAt).sort(byId);
  const position = waiting.findIndex((op) => op.id === wrong.id);
  // waiting at the drop: the queue shift decides, with a few more than it needs (a client may answer one place off);
  // sent after it: whatever was sent before its reply came may have supplied it
  const chosen = position >= 0 ? [...waiting.slice(0, position + 1), ...after.slice(0, position + 1 + SHIFT_MARGIN)] : [...waiting, ...after.filter((op) => op.startedAt <= wrong.t)];
  const timeScale = scenario.timeScale ?? 1;
  const first = Math.min(resetAt, ...chosen.map((op) => op.startedAt));
  const wall = (scenarioMs: number) => Math.round(((scenarioMs - first) / timeScale) * 10) / 10;
  const latency = faults.latency.find((w) => w.from <= resetAt && w.to >= resetAt)?.latencyMs;
  // replies in slices (cache-slice) let a drop land between a transaction's replies
  const insideTransaction = faults.windows.some((w) => w.kind === 'cache-slice' && w.from <= resetAt && w.to >= resetAt);
  const ttlMs = (scenario as { cache?: { ttl?: number } }).cache?.ttl;
  const downMs = drop.downUntil === undefined ? 0 : Math.round(((drop.downUntil - resetAt) / timeScale) * 10) / 10;
  return {
    scenario: { name: scenario.name, seed: scenario.seed, timeScale },
    seed: seedValues(cacheOps, chosen, first),
    commands: chosen.map((op) => ({
      id: op.id,
      op: op.kind,
      key: op.key,
      ...(op.kind === 'set' && op.value !== undefined ? { value: op.value } : {}),
      atMs: wall(op.startedAt),
      phase: op.startedAt <= resetAt ? 'in-flight' : 'after-drop',
    })),
    drop: { ...drop, atMs: wall(resetAt), downMs, ...(insideTransaction ? { insideTransaction } : {}) },
    ...(ttlMs !== undefined ? { ttlMs } : {}),
    wrong: { id: wrong.id, key: wrong.key, received: wrong.value!, writtenUnder: found.writtenUnder, startedAt: wrong.startedAt, completedAt: wrong.t, ...(wrong.connectionId ? { connection: wrong.connectionId } : {}) },
    ...(latency !== undefined ? { latencyMs: latency } : {}),
    activeFaults,
  };
}

/** Each key's owner record: the last written before the sequence began, else the first written after; keys never written stay absent. */
function seedValues(cacheOps: readonly CacheOp[], chosen: readonly CacheOp[], first: number): { key: string; value: string }[] {
  const keys = [...new Set(chosen.map((op) => op.key))];
  return keys.flatMap((key) => {
    const sets = cacheOps.filter((op) => op.kind === 'set' && op.key === key && op.value !== undefined).sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
    const value = (sets.filter((op) => op.startedAt < first).at(-1) ?? sets[0])?.value;
    return value === undefined ? [] : [{ key, value }];
  });
}
