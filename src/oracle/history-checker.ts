import type { FaultWindow } from '../history/fault-window.ts';
import type { CacheOp, HistoryOp } from '../history/history-op.ts';
import type { HistoryListener } from '../history/history-recorder.ts';
import { Registry } from '../registry/registry.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { BlockedLeak, CacheOpRecord, DropReason, OwnerTrace } from '../history/evidence.ts';
import { CacheBlame, cacheOpRecord } from './cache-blame.ts';
import { EventLedger, Flag } from './event-ledger.ts';
import { HostileTracker } from './hostile-tracker.ts';
import { IsolationOracle } from './isolation-oracle.ts';
import type { RunFacts, TransferTest } from './run-checks.ts';
import { ownerKeys, type OwnerKeys } from '../registry/owner-key.ts';
import { shardOf, shardSlice } from '../registry/shard-slice.ts';
import { RunMetrics } from './run-metrics.ts';
import { StormTracker } from './storm-tracker.ts';
import { ViewerDrops } from './viewer-drops.ts';
import type { Blame, BlameClass, Violation, ViolationListener } from './violation.ts';
import { ViolationPairs } from './violation-pairs.ts';
import { blameOfViolation, type BlameInput } from './violation-blame.ts';

const KEEP_BLOCKED = 1000;
const KEEP_TRACES = 200_000;
const KEEP_CACHE_OPS = 200_000;
const KEEP_BREACHES = 100;

/** What blame needs of a violation beyond those kept in memory: the blame tally counts them all. */

export interface CheckerOptions {
  /** Sees every violation as it is found, beyond the ones kept in memory too (without blame: that needs the whole history). */
  onViolation?: ViolationListener;
  /** How many violations to keep in memory with their evidence (default 1000); every one is still counted, blamed and seen. */
  keepViolations?: number;
}

export interface BlockedSummary {
  total: number;
  push: number;
  tap: number;
  byLayer: Record<string, number>;
  examples: BlockedLeak[];
}

/**
 * The checker: a function of the history. The live run feeds it each op as it is recorded;
 * `crosswire check` feeds it the same ops from history.ndjson. Ground truth comes from the
 * scenario's seed plus the transfers in the history; evidence (cache operations, the trace
 * behind a misrouted delivery, the faults active at the time) comes from earlier ops.
 */
export class HistoryChecker implements HistoryListener {
  readonly registry: Registry;
  readonly ledger: EventLedger;
  readonly storm: StormTracker;
  readonly oracle: IsolationOracle;
  /** Who received whose media: the violation set as clock-independent facts. */
  readonly pairs = new ViolationPairs();
  /** The hostile tenants' attempts (`hostile:`): their tally, and what reached them. */
  readonly hostile: HostileTracker;
  /** What the scenario's thresholds are judged on. */
  readonly metrics = new RunMetrics();
  readonly faults: FaultWindow[] = [];
  readonly blocked: BlockedSummary = { total: 0, push: 0, tap: 0, byLayer: {}, examples: [] };
  readonly errors: string[] = [];
  /** Breaches of the adapter contract, as recorded (the first ones; `breachCount` counts all). */
  readonly breaches: { adapter: string; call: string; detail: string; t: number }[] = [];
  breachCount = 0;
  interrupted = false;
  /** Why the run stopped itself early (a limit it reached), if it did. */
  stopped: string | undefined;
  ended = false;
  private readonly inFlightWindow: number;
  private readonly lastEventId: Int32Array;
  private readonly lastEventAt: Float64Array;
  /** When each camera last connected (scenario ms). */
  private readonly connectedAt: Float64Array;
  private readonly viewersOnline: Uint16Array;
  /** Accounts that owned a camera when it published an event to a ready service: they had something to get. */
  private readonly viewerDrops: ViewerDrops;
  private readonly misroutes = new Map<string, OwnerTrace>();
  /** Recent cache ops as recorded (turned into evidence records only when a violation quotes one). */
  private readonly cacheOps = new Map<number, CacheOp>();
  private readonly answeredBySecond: number[] = [];
  private readonly active = new Set<number>();
  /** When the latest outage of the whole fleet began, and of each camera in a partial one (scenario ms). */
  private lastCutAt = -Infinity;
  private readonly cutAt: Float64Array;
  private readonly blame = new CacheBlame((id) => cacheOpRecord(this.cacheOps.get(id)));
  /** The service under test reports how it routed (the reference service does; a user's own does not). */
  private serviceReports = false;
  private tracesDropped = false;
  private blamed = false;
  /** Each transfer step, and for each transferred device the step that last moved it (tested once a lookup answers after it). */
  private readonly transferSteps: TransferTest[] = [];
  /** Violations not kept in memory, reduced to what their blame needs (their last cache read). */
  private readonly unkept: BlameInput[] = [];
  private readonly lastMove = new Map<number, { step: number; t: number; tested: boolean }>();
  private readonly ownerKeys: OwnerKeys;

  constructor(scenario: Scenario, inFlightWindow: number, options: CheckerOptions = {}) {
    // a history recorded before ids had shapes carries no `identities`: its ids were sequential
    const identities = scenario.identities as Scenario['identities'] | undefined;
    this.registry = Registry.generate(scenario.seed, { ...scenario.fleet, identities });
    this.ownerKeys = ownerKeys(identities?.keyTemplate);
    const shard = shardOf(scenario);
    this.ledger = shard === undefined ? new EventLedger() : new EventLedger(shard.index, shard.count);
    this.inFlightWindow = inFlightWindow;
    const devices = this.registry.deviceCount;
    this.storm = new StormTracker(devices, (ms) => this.metrics.reconnectMs.record(ms));
    this.lastEventId = new Int32Array(devices).fill(-1);
    this.lastEventAt = new Float64Array(devices).fill(-Infinity);
    this.connectedAt = new Float64Array(devices).fill(-Infinity);
    this.cutAt = new Float64Array(devices).fill(-Infinity);
    this.viewersOnline = new Uint16Array(this.registry.accountCount);
    this.viewerDrops = new ViewerDrops(this.registry.accountCount, inFlightWindow);
    this.oracle = new IsolationOracle({
      registry: this.registry,
      ledger: this.ledger,
      traceOf: (kind, eventId, account) => this.misroutes.get(`${kind}:${eventId}:${account}`),
      cacheOp: (id) => cacheOpRecord(this.cacheOps.get(id)),
      activeFaults: () => [...this.active].map((w) => this.faults[w].id),
      keepViolations: options.keepViolations,
      onViolation: (v, kept) => {
        this.pairs.add(v);
        if (!kept) this.unkept.push({ kind: v.kind, resolvedFrom: v.resolvedFrom, receivedBy: v.receivedBy, detail: v.detail, cacheOps: lastRead(v), attempt: v.attempt, eventId: v.eventId });
        options.onViolation?.(v);
      },
    });
    this.hostile = new HostileTracker(this.oracle, scenario.broker?.url ?? 'embedded');
  }

  /** Viewers with an active subscription of an account, as of the ops applied so far. */
  viewersOnlineOf(account: number): number {
    return this.viewersOnline[account];
  }

  apply(op: HistoryOp): void {
    switch (op.op) {
      case 'run':
        return;
      case 'connect':
        this.connectedAt[op.dev] = op.t;
        this.storm.onConnect(op.dev, op.t, op.rt ?? op.t);
        return;
      case 'disconnect':
        this.storm.onDisconnect(op.dev);
        // a QoS 0 publish written just before the drop may or may not have left. The drop is
        // recorded when the camera hears of it, which a fault cutting 100k links at once delays
        // by seconds: a cut begun since the camera connected is when its link was lost, and what
        // it wrote after that (before it heard) went into a dead link
        if (this.lostAt(op.dev, op.t) - this.lastEventAt[op.dev] <= this.inFlightWindow) this.ledger.set(this.lastEventId[op.dev], Flag.inFlightAtClose);
        return;
      case 'connect-failed':
        this.storm.onFailedAttempt();
        this.metrics.failedConnects++;
        return;
      case 'publish':
        return this.publish(op.ev, op.dev, op.t, op.sent, op.serviceReady);
      case 'service-received':
        if (op.retained === true) this.retainedReplay(op.ev, op.t);
        return this.ledger.set(op.ev, Flag.serviceReceived);
      case 'service-link-closed':
        if (op.shard === undefined) return this.ledger.serviceLinkClosed();
        return this.ledger.serviceLinkClosedFor(shardSlice(this.registry, op.shard).ownsDevice);
      case 'route':
        this.serviceReports = true;
        this.ledger.routed(op.ev, op.acct, op.t, this.viewersOnline[op.acct]);
        return this.keepIfMisrouted('push', op.ev, op.acct, op.src, op.cacheOps);
      case 'tap-served':
        return this.keepIfMisrouted('tap', op.ev, op.acct, op.src, op.cacheOps);
      case 'drop':
        return this.ledger.drop(op.ev, op.reason as DropReason);
      case 'blocked':
        return this.block(op);
      case 'viewer-up':
        this.viewersOnline[op.acct]++;
        return this.viewerDrops.up(op.acct, op.t);
      case 'viewer-down':
        return this.viewerDown(op.acct, op.t);
      case 'thumbnail':
        if ('ev' in op) this.metrics.thumbnailLatencyMs.record(op.t - op.publishedAt);
        return this.oracle.onThumbnail(op, 'forgedBy' in op ? this.hostile.onForgedMedia(op) : undefined);
      case 'clip':
        return this.oracle.onClip(op);
      case 'attempt':
        return this.hostile.onAttempt(op);
      case 'attack-receipt':
        return this.hostile.onReceipt(op);
      case 'cache':
        return this.cacheOp(op);
      case 'fault-scheduled': {
        const { op: _op, t: _t, window, ...scheduled } = op;
        this.faults[window] = scheduled;
        return;
      }
      case 'fault-injected':
        this.active.add(op.window);
        return this.faultState(op.window, { injectedAt: op.t, effect: op.effect });
      case 'fault-healed':
        this.active.delete(op.window);
        return this.faultState(op.window, { healedAt: op.t, effect: op.effect });
      case 'outage-began':
        // recorded as the fault starts cutting links, before the drops it causes are heard
        if (op.devices === undefined) this.lastCutAt = op.t;
        else for (const dev of op.devices) this.cutAt[dev] = op.t;
        this.viewerDrops.outageBegan(op.fault, op.t);
        return this.storm.outageBegan(op.fault, op.t, op.devices);
      case 'outage-ended':
        return this.storm.outageEnded(op.t, op.rt ?? op.t);
      case 'transfer':
        for (const [device, to] of op.moves) this.registry.transfer(device, to, op.t);
        return this.transferred(op.t, op.moves);
      case 'harness-error':
        this.errors.push(op.message);
        return;
      case 'shard-start':
        return;
      case 'contract-breach':
        this.breachCount++;
        if (this.breaches.length < KEEP_BREACHES) this.breaches.push({ adapter: op.adapter, call: op.call, detail: op.detail, t: op.t });
        return;
      case 'end':
        this.interrupted = op.interrupted;
        this.stopped = op.stopped;
        this.ended = true;
        this.storm.finish();
        return;
    }
  }

  /** The facts the verdict is a function of. Call after the `end` op. */
  facts(): RunFacts {
    this.assignBlame();
    const errors = this.ended ? this.errors : [...this.errors, 'the history ends without its end record'];
    // accounts an honest pipeline owed a thumbnail: the owner, at publishing, of an event that was
    // delivered or lost through the pipeline's own fault (see EventLedger.account)
    const owedTo = new Uint8Array(this.registry.accountCount);
    const { ledger, registry } = this;
    const accounting = ledger.account(
      registry.deviceCount,
      (account, routedAt) => this.viewerDrops.droppedNear(account, routedAt),
      (id) => {
        owedTo[registry.ownerIndexAt(ledger.device[id], ledger.publishedAt[id])] = 1;
      },
    );
    return {
      headline: this.oracle.headline(),
      violationCount: this.oracle.violationCount,
      storms: this.storm.storms,
      faults: this.faults,
      accounting,
      accountsWithoutDeliveries: this.oracle.accountsWithoutDeliveries(owedTo),
      accountsOwedNothing: owedTo.reduce((n, x) => n + (x === 0 ? 1 : 0), 0),
      accountCount: this.registry.accountCount,
      checkerErrors: errors,
      blame: this.tallyBlame(),
      hostile: this.hostile.report(),
      transfersTested: this.transferSteps,
      breaches: { count: this.breachCount, examples: this.breaches },
      interrupted: this.interrupted || !this.ended,
      stopped: this.stopped,
      inFlightWindow: this.inFlightWindow,
      cacheAnsweredBetween: (from, to) => {
        let n = 0;
        for (let s = Math.floor(from / 1000); s <= Math.floor(to / 1000); s++) n += this.answeredBySecond[s] ?? 0;
        return n;
      },
    };
  }

  private publish(ev: number, dev: number, t: number, sent: boolean, serviceReady: boolean): void {
    const id = this.ledger.newEvent(dev, t);
    if (id !== ev) {
      this.errors.push(`history out of order: event ${ev} recorded as the ${id}th`);
      return;
    }
    if (!sent) return;
    this.ledger.set(id, serviceReady ? Flag.published : Flag.published | Flag.serviceUnready);
    this.lastEventId[dev] = id;
    this.lastEventAt[dev] = t;
  }

  /** A retained snapshot replayed to the service: did a transfer come between its publishing and now? */
  private retainedReplay(ev: number, t: number): void {
    const meta = this.ledger.meta(ev);
    if (meta === undefined) return;
    this.hostile.onRetainedReplay(this.registry.ownerIndexAt(meta.device, meta.publishedAt) !== this.registry.ownerIndexAt(meta.device, t));
  }

  private lostAt(dev: number, heardAt: number): number {
    const cutAt = Math.max(this.lastCutAt, this.cutAt[dev]);
    return cutAt > this.connectedAt[dev] ? Math.min(heardAt, cutAt) : heardAt;
  }

  private viewerDown(account: number, t: number): void {
    if (this.viewersOnline[account] > 0) this.viewersOnline[account]--;
    this.viewerDrops.down(account, t);
  }

  /** Traces are kept only for deliveries the ground truth says are misrouted: the evidence a violation will quote. */
  private keepIfMisrouted(kind: 'push' | 'tap', ev: number, account: number, source: string, cacheOps: number[]): void {
    const meta = this.ledger.meta(ev);
    if (meta === undefined) return;
    if (this.misroutes.size >= KEEP_TRACES) {
      this.tracesDropped = true;
      return;
    }
    const truth = this.registry.ownerIndexAt(meta.device, meta.publishedAt);
    if (truth === account) return;
    this.misroutes.set(`${kind}:${ev}:${this.registry.accountIds[account]}`, { cacheOps, source: source as OwnerTrace['source'] });
  }

  private block(op: BlockedLeak & { t: number }): void {
    const b = this.blocked;
    b.total++;
    b[op.path]++;
    b.byLayer[op.layer] = (b.byLayer[op.layer] ?? 0) + 1;
    if (b.examples.length >= KEEP_BLOCKED) return;
    const { t: _t, op: _op, ...leak } = op as BlockedLeak & { t: number; op: string };
    b.examples.push(leak);
  }

  private cacheOp(op: CacheOp): void {
    this.metrics.cacheOps++;
    if (op.outcome === 'error') this.metrics.cacheErrors++;
    this.metrics.cacheLatencyMs.record(op.latencyMs);
    this.cacheOps.set(op.id, op);
    this.blame.record(op);
    if (this.cacheOps.size > KEEP_CACHE_OPS) this.cacheOps.delete(this.cacheOps.keys().next().value!);
    if (op.kind === 'get' && (op.outcome === 'hit' || op.outcome === 'miss')) {
      const second = Math.floor(op.t / 1000);
      this.answeredBySecond[second] = (this.answeredBySecond[second] ?? 0) + 1;
      if (this.lastMove.size > 0) this.lookupAnswered(op);
    }
  }

  private transferred(t: number, moves: [number, number][]): void {
    if (moves.length === 0) return;
    const step = this.transferSteps.push({ at: t, moved: moves.length, tested: 0 }) - 1;
    for (const [device] of moves) this.lastMove.set(device, { step, t, tested: false });
  }

  /** A lookup the cache answered, begun after a device's transfer: the transfer was put to the cache. */
  private lookupAnswered(op: CacheOp): void {
    const deviceId = this.ownerKeys.deviceOf(op.key);
    const device = deviceId === undefined ? undefined : this.registry.indexOfDevice(deviceId);
    const move = device === undefined ? undefined : this.lastMove.get(device);
    if (move === undefined || move.tested || (op.startedAt ?? op.t) < move.t) return;
    move.tested = true;
    this.transferSteps[move.step].tested++;
  }

  private faultState(window: number, change: Partial<FaultWindow>): void {
    const fault = this.faults[window];
    if (fault === undefined) {
      this.errors.push(`history names fault window ${window}, which was never scheduled`);
      return;
    }
    if (change.effect === undefined) delete change.effect;
    Object.assign(fault, change);
  }

  /** Blame for every violation kept, once the whole history is in (a write may complete after the read it explains). */
  private assignBlame(): void {
    if (this.blamed || !this.ended) return;
    this.blamed = true;
    for (const v of this.oracle.violations) v.blame = this.blameOf(v);
  }

  /** Every violation's blame, kept or not (the tally is over all of them). */
  private tallyBlame(): Partial<Record<BlameClass, number>> {
    const out: Partial<Record<BlameClass, number>> = {};
    const add = (c: BlameClass) => (out[c] = (out[c] ?? 0) + 1);
    for (const v of this.oracle.violations) if (v.blame) add(v.blame.class);
    if (this.ended) for (const v of this.unkept) add(this.blameOf(v).class);
    return out;
  }

  /** Whose fault a violation is; meaningful once the whole history is in (after the `end` op). */
  blameOf(v: BlameInput): Blame {
    return blameOfViolation(v, { hostile: this.hostile, cacheBlame: this.blame, serviceReports: this.serviceReports, tracesDropped: this.tracesDropped });
  }
}

/** The one cache read blame looks at (the last hit), so an unkept violation holds no more than that. */
function lastRead(v: Violation): Violation['cacheOps'] {
  const read = v.cacheOps.findLast((op) => op.op === 'get' && op.outcome === 'hit');
  return read === undefined ? [] : [read];
}
