import type { CacheOp, HistoryOp } from '../history/history-op.ts';

/**
 * A moment the client's connection to the cache went away, as the script can stage it: an RST
 * from the chaos proxy (`cache-reset`), or a close with the server unreachable until `downUntil`
 * — `cache-outage`: the proxy off, connections refused; `cache-restart`: the server stopped (and
 * started `empty`) behind a proxy that still accepts connections and closes them at once.
 */
export interface ConnectionDrop {
  at: number;
  fault: 'cache-reset' | 'cache-outage' | 'cache-restart';
  kind: 'reset' | 'close';
  downUntil?: number;
  whileDown?: 'refuse' | 'accept-and-close';
  empty?: boolean;
}

/** The cache-path faults of a run, scenario ms. */
export interface WireFaults {
  drops: ConnectionDrop[];
  latency: { from: number; to: number; latencyMs: number }[];
  /** Every fault window, for naming what was active when a read went wrong. */
  windows: { kind: string; from: number; to: number }[];
}

interface FaultStep {
  at: number;
  fault: string;
  every?: number;
  latency?: number;
}

/**
 * Where the history says the cache-path faults acted. A reset step resets once when injected and
 * then every `every` until healed (the history records the window, not each reset, so the
 * instants come from the step); an outage or a restart drops the connections when injected and
 * lets none through until healed; latency is the step's mean. Pure: the run header's scenario
 * and the fault ops.
 */
export function wireFaults(scenario: { timeline?: unknown[] }, ops: readonly HistoryOp[]): WireFaults {
  const steps = (scenario.timeline ?? []).filter((s): s is FaultStep => typeof (s as FaultStep).fault === 'string');
  const scheduled = new Map<number, { id: string; scheduledAt: number; scheduledHealAt: number; injectedAt?: number; healedAt?: number }>();
  for (const op of ops) {
    if (op.op === 'fault-scheduled') scheduled.set(op.window, { id: op.id, scheduledAt: op.scheduledAt, scheduledHealAt: op.scheduledHealAt });
    else if (op.op === 'fault-injected') scheduled.get(op.window)!.injectedAt = op.t;
    else if (op.op === 'fault-healed') scheduled.get(op.window)!.healedAt = op.t;
  }
  const faults: WireFaults = { drops: [], latency: [], windows: [] };
  const used = new Set<FaultStep>();
  for (const window of scheduled.values()) {
    if (window.injectedAt === undefined) continue;
    const from = window.injectedAt;
    const to = window.healedAt ?? window.scheduledHealAt;
    faults.windows.push({ kind: window.id, from, to });
    if (window.id === 'cache-outage' || window.id === 'cache-restart') {
      const restart = window.id === 'cache-restart';
      faults.drops.push({ at: from, fault: window.id, kind: 'close', downUntil: to, whileDown: restart ? 'accept-and-close' : 'refuse', ...(restart ? { empty: true } : {}) });
      continue;
    }
    const step = steps.find((s) => !used.has(s) && s.fault === window.id && s.at === window.scheduledAt);
    if (step === undefined) continue;
    used.add(step);
    if (window.id === 'cache-reset') {
      faults.drops.push({ at: from, fault: 'cache-reset', kind: 'reset' });
      if (step.every !== undefined && step.every > 0) for (let at = from + step.every; at < to; at += step.every) faults.drops.push({ at, fault: 'cache-reset', kind: 'reset' });
    } else if (window.id === 'cache-latency' && step.latency !== undefined) {
      faults.latency.push({ from, to, latencyMs: step.latency });
    }
  }
  faults.drops.sort((a, b) => a.at - b.at);
  return faults;
}

/**
 * A reset's instant as the history shows it: on a real clock the step's timer drifts (a second's
 * `every` fires a little late each time), so a scheduled instant is moved past the operations that
 * still completed on the connection it was about to reset — the last of them, before the first on
 * a new connection. Pure: `ops` are the history's cache operations in completion order.
 */
export function snapToConnection(drop: ConnectionDrop, ops: readonly CacheOp[]): ConnectionDrop {
  if (drop.kind !== 'reset') return drop;
  const before = ops.filter((op) => op.t <= drop.at && op.connectionId !== undefined).at(-1)?.connectionId;
  if (before === undefined) return drop;
  let at = drop.at;
  for (const op of ops) {
    if (op.t <= drop.at || op.connectionId === undefined) continue;
    if (op.connectionId !== before) break;
    at = op.t;
  }
  return at === drop.at ? drop : { ...drop, at };
}
