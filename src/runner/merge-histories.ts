import { usageError } from '../errors.ts';
import type { RunHeader } from '../history/history-op.ts';
import { Registry } from '../registry/registry.ts';
import { parseShard, shardSlice } from '../registry/shard-slice.ts';
import type { Scenario } from '../scenario/schema.ts';
import { ShardCursor, type ShardStartOp, type TimedOp } from './shard-cursor.ts';

export type { TimedOp } from './shard-cursor.ts';

/** One shard's history in memory: its header and its ops in file order. */
export interface ShardHistory {
  /** Where it came from (messages name it). */
  file: string;
  header: RunHeader;
  ops: TimedOp[];
}

export interface MergedHistory {
  header: RunHeader;
  /** The merged ops, in scenario-time order, event and cache-op ids renumbered, after the header. */
  ops: TimedOp[];
  /** Each shard's time-zero record, by shard index. */
  starts: ShardStartOp[];
}

/** N shard histories in memory → one history in memory (see HistoryMerge). */
export async function mergeHistories(shards: ShardHistory[]): Promise<MergedHistory> {
  const merge = await HistoryMerge.open(shards.map((s) => ShardCursor.of(s.file, s.header, s.ops)));
  const ops: TimedOp[] = [];
  await merge.run((op) => ops.push(op));
  return { header: merge.header, ops, starts: merge.starts };
}

/**
 * N shard histories → one history of the whole run, which the ordinary checker judges as if one
 * process had run it:
 *
 * - ops are interleaved by scenario time (every shard counts from the same agreed time zero),
 *   each shard's own order kept; an op that names an event another shard has not yet published
 *   in the merged order waits for it (clocks of different processes differ by milliseconds);
 * - event ids (`slot * N + shard` in the shards) become 0, 1, 2… in publish order, everywhere
 *   they appear, watermarks as decoded included; cache op ids become `id * N + shard` (order
 *   within a shard is kept, which is all the blame compares: each owner key is served by one shard);
 * - what every shard records alike is recorded once: the schedule of each fault, its injection
 *   (the first shard's) and its heal (when the last shard healed it), each outage's start and
 *   end;
 * - each ownership transfer takes effect, camera by camera, when the shard serving the camera
 *   applied it: that shard's camera publishes and its service routes by its own clock, and a
 *   shard whose timeline ran a few ms late must not be judged by another shard's instant;
 * - a service instance's link loss names its shard, so only its cameras' events count as lost with it;
 * - real-time stamps (`rt`) are counted from each shard's time zero, so storm rates compare.
 *
 * It streams: each shard is a cursor read a chunk at a time as the merge reaches it, and each
 * merged op goes to the sink at once; what it keeps is the event-id map and the dedup sets.
 */
export class HistoryMerge {
  /** The merged run's header: the whole scenario (no shard), the widest in-flight window. */
  readonly header: RunHeader;
  /** Each shard's time-zero record, by shard index. */
  readonly starts: ShardStartOp[];
  /** The cursors, by shard index (each counts the ops it gave). */
  readonly cursors: ShardCursor[];
  private readonly count: number;
  private readonly scenario: unknown;

  private constructor(cursors: ShardCursor[], checked: { count: number; starts: ShardStartOp[]; scenario: unknown }) {
    this.cursors = cursors;
    this.count = checked.count;
    this.starts = checked.starts;
    this.scenario = checked.scenario;
    const { shard: _shard, ...whole } = checked.scenario as Record<string, unknown>;
    this.header = { ...cursors[0].header, scenario: whole, inFlightWindow: Math.max(...cursors.map((c) => c.header.inFlightWindow)) };
  }

  /** Checks the cursors are the N shards of one run, each read on to its time-zero record. */
  static async open(shards: ShardCursor[]): Promise<HistoryMerge> {
    for (const s of shards) await s.findStart();
    const checked = checkShards(shards);
    return new HistoryMerge([...shards].sort((a, b) => shardIndexOf(a) - shardIndexOf(b)), checked);
  }

  /** Hands the merged ops to `sink` in order, reading each shard as far as the merge has got. */
  async run(sink: (op: TimedOp) => void): Promise<void> {
    const { count, starts, scenario } = this;
    const ordered = this.cursors.map((s, i) => ({ s, i, start: starts[i] }));
    const zero = Math.min(...starts.map((s) => s.zeroAt));
    const timeScale = (scenario as { timeScale?: number }).timeScale ?? 1;
    // scenario ms to add to a shard's times when its zero was later than the earliest
    const shift = starts.map((s) => (s.zeroAt - zero) * timeScale);

    const eventIds = new Map<number, number>();
    const faultSeen = new Set<number>();
    const faultInjected = new Set<number>();
    const faultHeals = new Map<number, string[]>();
    const outages = new Map<string, number>();
    // which shard serves each camera (the one whose accounts owned it at time zero)
    const fleet = scenario as Pick<Scenario, 'seed' | 'fleet' | 'identities'>;
    const registry = Registry.generate(fleet.seed, { ...fleet.fleet, identities: fleet.identities });
    const slices = Array.from({ length: count }, (_, index) => shardSlice(registry, { index, count }));
    let end: { t: number; interrupted: boolean; stopped?: string } | undefined;
    let endsSeen = 0;

    const eventOf = (ev: number): number | undefined => eventIds.get(ev);
    const needs = (op: TimedOp): number | undefined => {
      if (op.op === 'publish') return undefined;
      const ev = 'ev' in op && typeof op.ev === 'number' ? op.ev : op.op === 'blocked' ? op.eventId : undefined;
      return ev !== undefined && ev >= 0 && !eventIds.has(ev) ? ev : undefined;
    };

    const emit = (shard: number, raw: TimedOp): void => {
      const op = { ...raw, t: raw.t + shift[shard] } as TimedOp;
      switch (op.op) {
        case 'shard-start':
          return;
        case 'publish': {
          eventIds.set(op.ev, eventIds.size);
          sink({ ...op, ev: eventIds.size - 1 });
          return;
        }
        case 'service-received':
        case 'drop':
          sink({ ...op, ev: eventOf(op.ev) ?? -1 });
          return;
        case 'route':
        case 'tap-served':
          sink({ ...op, ev: eventOf(op.ev) ?? -1, cacheOps: op.cacheOps.map((id) => id * count + shard) });
          return;
        case 'thumbnail':
        case 'clip':
          sink('ev' in op ? { ...op, ev: eventOf(op.ev) ?? -1 } : op);
          return;
        case 'blocked':
          sink({ ...op, eventId: eventOf(op.eventId) ?? -1, at: op.at + shift[shard] });
          return;
        case 'cache':
          sink({ ...op, id: op.id * count + shard, doneAfter: op.doneAfter * count + shard, startedAt: op.startedAt + shift[shard] });
          return;
        case 'service-link-closed':
          sink({ ...op, shard: `${shard}/${count}` });
          return;
        case 'connect':
          sink(op.rt === undefined ? op : { ...op, rt: realFromZero(op.rt, ordered[shard].start) });
          return;
        case 'outage-ended': {
          // every shard heals at the same scenario instant: the first heal is the storm's start
          outages.set('open', (outages.get('open') ?? 1) - 1);
          if (outages.get('ended') === 0) {
            outages.set('ended', 1);
            sink(op.rt === undefined ? op : { ...op, rt: realFromZero(op.rt, ordered[shard].start) });
          }
          return;
        }
        case 'outage-began': {
          const open = outages.get('open') ?? 0;
          outages.set('open', open + 1);
          if (open === 0) {
            outages.set('ended', 0);
            sink(op);
          }
          return;
        }
        case 'fault-scheduled':
          if (!faultSeen.has(op.window)) {
            faultSeen.add(op.window);
            sink(op);
          }
          return;
        case 'fault-injected':
          if (!faultInjected.has(op.window)) {
            faultInjected.add(op.window);
            sink(op);
          }
          return;
        case 'fault-healed': {
          const effects = faultHeals.get(op.window) ?? [];
          effects.push(`shard ${shard}: ${op.effect ?? 'healed'}`);
          faultHeals.set(op.window, effects);
          if (effects.length === count) sink({ ...op, effect: effects.join('; ') });
          return;
        }
        case 'transfer': {
          const moves = op.moves.filter(([device]) => slices[shard].ownsDevice(device));
          if (moves.length > 0) sink({ ...op, moves });
          return;
        }
        case 'harness-error':
          sink({ ...op, message: `shard ${shard}/${count}: ${op.message}` });
          return;
        case 'end':
          endsSeen++;
          end = { t: Math.max(end?.t ?? 0, op.t), interrupted: (end?.interrupted ?? false) || op.interrupted, stopped: end?.stopped ?? op.stopped };
          return;
        default:
          sink(op);
      }
    };

    // a k-way merge by scenario time; a shard whose next op names an unpublished event first lets
    // the publishing shard catch up to that publish
    const advance = async (k: number, depth: number): Promise<void> => {
      const cursor = ordered[k].s;
      const op = cursor.head()!;
      const waitFor = needs(op);
      if (waitFor !== undefined && depth < count) {
        const owner = ordered[((waitFor % count) + count) % count];
        while (!eventIds.has(waitFor) && (await owner.s.ready())) await advance(owner.i, depth + 1);
      }
      emit(k, cursor.take());
    };
    for (;;) {
      let next = -1;
      let nextT = Infinity;
      for (const c of ordered) {
        const op = c.s.head() ?? ((await c.s.ready()) ? c.s.head() : undefined);
        if (op === undefined) continue;
        const t = op.t + shift[c.i];
        if (t < nextT) {
          nextT = t;
          next = c.i;
        }
      }
      if (next < 0) break;
      await advance(next, 0);
    }
    if (end !== undefined) {
      // a shard whose history was cut short leaves the merged run without its end record's word
      sink({ op: 'end', t: end.t, interrupted: end.interrupted || endsSeen < count, stopped: end.stopped });
    }
  }
}

/** A real-time stamp (ms on one process's performance clock) counted from that shard's time zero. */
function realFromZero(rt: number, start: ShardStartOp): number {
  return Math.round((rt - (start.rtZero ?? 0)) * 10) / 10;
}

function shardIndexOf(s: ShardCursor): number {
  const spec = parseShard(String((s.header.scenario as { shard?: unknown }).shard ?? ''));
  return typeof spec === 'string' ? -1 : spec.index;
}

/** The histories must be the N shards of one run: same scenario and seed, each index once, each with its time zero. */
function checkShards(shards: ShardCursor[]): { count: number; starts: ShardStartOp[]; scenario: unknown } {
  if (shards.length === 0) throw usageError('MERGE_NOTHING', 'merge: give the run directories of every shard of one run');
  const sameRun = (s: ShardCursor) => {
    const { shard: _s, ...rest } = s.header.scenario as Record<string, unknown>;
    return JSON.stringify(rest);
  };
  const first = shards[0];
  const firstShard = (first.header.scenario as { shard?: unknown }).shard;
  const spec = typeof firstShard === 'string' ? parseShard(firstShard) : 'no shard';
  if (typeof spec === 'string') throw usageError('MERGE_NOT_A_SHARD', `${first.file}:1: this history is not a shard's (its scenario has no shard: i/N); run shards with --shard i/N`);
  const count = spec.count;
  const starts: ShardStartOp[] = [];
  for (const s of shards) {
    const sh = (s.header.scenario as { shard?: unknown }).shard;
    const mine = typeof sh === 'string' ? parseShard(sh) : 'no shard';
    if (typeof mine === 'string') throw usageError('MERGE_NOT_A_SHARD', `${s.file}:1: this history is not a shard's (its scenario has no shard: i/N)`);
    if (mine.count !== count) throw usageError('MERGE_SHARD_COUNT', `${s.file}:1: shard ${sh} is one of ${mine.count}, but ${first.file} is one of ${count}`);
    if (starts[mine.index] !== undefined) throw usageError('MERGE_DUPLICATE_SHARD', `${s.file}:1: shard ${sh} is given twice`);
    if (sameRun(s) !== sameRun(first)) throw usageError('MERGE_OTHER_RUN', `${s.file}:1: not the same run as ${first.file} (the scenarios differ beyond their shard: name, seed, fleet, timeline… must match)`);
    const start = s.start;
    if (start === undefined) throw usageError('MERGE_NO_START', `${s.file}: the shard never started (no shard-start record: it did not meet the others)`);
    starts[mine.index] = start;
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => starts[i] === undefined);
  if (missing.length > 0) throw usageError('MERGE_MISSING_SHARD', `merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing (give the run directory of every shard)`);
  return { count, starts, scenario: first.header.scenario };
}
