import type { HistoryOp } from '../history/history-op.ts';

/** The cache-path faults of a run as the script can stage them: resets (instants) and reply latency (windows), scenario ms. */
export interface WireFaults {
  /** Every instant the chaos proxy reset the cache connections. */
  resets: number[];
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
 * instants come from the step); latency is the step's mean (the script keeps replies in order,
 * so jitter changes nothing it shows). Pure: the run header's scenario and the fault ops.
 */
export function wireFaults(scenario: { timeline?: unknown[] }, ops: readonly HistoryOp[]): WireFaults {
  const steps = (scenario.timeline ?? []).filter((s): s is FaultStep => typeof (s as FaultStep).fault === 'string');
  const scheduled = new Map<number, { id: string; scheduledAt: number; scheduledHealAt: number; injectedAt?: number; healedAt?: number }>();
  for (const op of ops) {
    if (op.op === 'fault-scheduled') scheduled.set(op.window, { id: op.id, scheduledAt: op.scheduledAt, scheduledHealAt: op.scheduledHealAt });
    else if (op.op === 'fault-injected') scheduled.get(op.window)!.injectedAt = op.t;
    else if (op.op === 'fault-healed') scheduled.get(op.window)!.healedAt = op.t;
  }
  const faults: WireFaults = { resets: [], latency: [], windows: [] };
  const used = new Set<FaultStep>();
  for (const window of scheduled.values()) {
    if (window.injectedAt === undefined) continue;
    const from = window.injectedAt;
    const to = window.healedAt ?? window.scheduledHealAt;
    faults.windows.push({ kind: window.id, from, to });
    const step = steps.find((s) => !used.has(s) && s.fault === window.id && s.at === window.scheduledAt);
    if (step === undefined) continue;
    used.add(step);
    if (window.id === 'cache-reset') {
      faults.resets.push(from);
      if (step.every !== undefined && step.every > 0) for (let at = from + step.every; at < to; at += step.every) faults.resets.push(at);
    } else if (window.id === 'cache-latency' && step.latency !== undefined) {
      faults.latency.push({ from, to, latencyMs: step.latency });
    }
  }
  faults.resets.sort((a, b) => a - b);
  return faults;
}
