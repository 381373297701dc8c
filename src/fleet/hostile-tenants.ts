import { createHash } from 'node:crypto';
import type { Clock } from '../clock/clock.ts';
import type { HistoryRecorder } from '../history/history-recorder.ts';
import type { Credentials } from '../registry/credentials.ts';
import type { Registry } from '../registry/registry.ts';
import { createWatermarker, type Watermarker } from '../registry/watermark.ts';
import { createRng } from '../rng/seeded-rng.ts';
import type { HostileSpec } from '../scenario/hostile-schema.ts';
import type { ClientTransport } from '../transport/link.ts';
import { AttackerConnection } from './attacker-connection.ts';
import { encodeEventPayload, readEventHeader, thumbnailOf } from './event-payload.ts';
import { persistentClientId, planAttempt, type AttemptPlan } from './hostile-attempts.ts';
import { FORGED_EVENT_BASE } from '../history/history-op.ts';

/** Attempts of one round start this far apart (scenario ms), so a round is not a burst of its own. */
const STAGGER_MS = 20;
/** How long the closing clean=true connection that discards a persistent session stays (scenario ms). */
const CLEANUP_MS = 100;

export interface HostileContext {
  clock: Clock;
  transport: ClientTransport;
  credentials: Credentials;
  /** The run's watermarker: verifies what an attacker received (it cannot forge with it). */
  watermarker: Watermarker;
  registry: Registry;
  history: Pick<HistoryRecorder, 'record'>;
  seed: number;
}

/**
 * The hostile tenants of a run: accounts from the seed whose viewer credentials are used, at each
 * round, for every attempt kind of the scenario. Nothing here judges: it records each attempt's
 * answer and every message received, and the oracle decides from the history what leaked.
 */
export class HostileTenants {
  /** Attacker account indexes, and for each a victim account (another account that owns a camera). */
  readonly attackers: number[];
  private readonly victims: number[];
  private readonly spec: HostileSpec;
  private readonly ctx: HostileContext;
  /** Forged media is watermarked with a key the run never uses: it can never verify. */
  private readonly forger: Watermarker;
  private nextId = 0;
  private readonly open = new Set<AttackerConnection>();
  private stopped = false;
  /** Each attacker's cameras at time zero, to find one a transfer took away. */
  private readonly ownedAtStart: number[][];

  constructor(ctx: HostileContext, spec: HostileSpec) {
    this.ctx = ctx;
    this.spec = spec;
    const { registry } = ctx;
    const owners = [...new Set(registry.deviceIds.map((_, d) => registry.initialOwnerIndex(d)))].sort((a, b) => a - b);
    if (owners.length < 2) throw new Error('hostile tenants need at least two accounts that own a camera');
    const rng = createRng(ctx.seed, 'hostile');
    const pool = [...owners];
    this.attackers = [];
    while (this.attackers.length < Math.min(spec.attackers, owners.length - 1)) {
      this.attackers.push(pool.splice(Math.floor(rng.next() * pool.length), 1)[0]);
    }
    this.victims = this.attackers.map((_, i) => pool[i % pool.length]);
    this.ownedAtStart = this.attackers.map((a) => registry.deviceIds.map((_, d) => d).filter((d) => registry.initialOwnerIndex(d) === a));
    this.forger = createWatermarker(createHash('sha256').update(`crosswire-hostile-forger\0${ctx.seed}`).digest());
  }

  /** Schedules every round: each attacker tries each kind, a few ms apart. */
  start(): void {
    this.spec.rounds.forEach((at, round) => {
      let slot = 0;
      for (let a = 0; a < this.attackers.length; a++) {
        for (const kind of this.spec.kinds) {
          this.ctx.clock.at(at + STAGGER_MS * slot++, { onTimer: () => this.attempt(a, kind, round) }, 0);
        }
      }
    });
    // after the last round, each tenant discards its persistent session (clean=true [MQTT-3.1.2-6]):
    // a broker that outlives the run keeps none of them for the next
    const end = Math.max(...this.spec.rounds) + this.spec.listen + STAGGER_MS * this.attackers.length * this.spec.kinds.length;
    this.ctx.clock.at(end, { onTimer: () => this.discardSessions() }, 0);
  }

  private discardSessions(): void {
    if (this.stopped) return;
    const { ctx } = this;
    for (const a of this.attackers) {
      const me = ctx.registry.accountIds[a];
      const plan: AttemptPlan = { kind: 'persistent-after-transfer', clientId: persistentClientId(me), username: me, clean: true, target: persistentClientId(me), abrupt: false };
      const connection = new AttackerConnection(ctx.transport, plan, ctx.credentials.password(me), ctx.clock, CLEANUP_MS, {
        onEnd: () => this.open.delete(connection),
        onMessage: () => {},
      });
      this.open.add(connection);
      connection.start();
    }
  }

  stop(): void {
    this.stopped = true;
    for (const connection of this.open) connection.onTimer();
  }

  private attempt(a: number, kind: HostileSpec['kinds'][number], round: number): void {
    if (this.stopped) return;
    const { registry, clock } = this.ctx;
    const id = this.nextId++;
    const me = registry.accountIds[this.attackers[a]];
    const victim = this.victims[a];
    const now = Math.floor(clock.now());
    const victimDevice = registry.deviceIds.find((_, d) => registry.ownerIndexAt(d, now) === victim) ?? registry.deviceIds[0];
    const lost = this.ownedAtStart[a].find((d) => registry.ownerIndexAt(d, now) !== this.attackers[a]);
    const plan = planAttempt(kind, {
      me,
      seq: id,
      victim: registry.accountIds[victim],
      victimDevice,
      // another tenant's persistent session: the next attacker's (or, alone, the victim's, which has none)
      otherTenant: registry.accountIds[this.attackers.length > 1 ? this.attackers[(a + 1) % this.attackers.length] : victim],
      lostDevice: lost === undefined ? undefined : registry.deviceIds[lost],
      forged: () => this.forge(id, victimDevice, now),
      round,
    });
    this.connect(id, a, plan, now);
  }

  private connect(id: number, a: number, plan: AttemptPlan, startedAt: number): void {
    const { ctx } = this;
    const acct = this.attackers[a];
    const base = { attempt: id, kind: plan.kind, target: plan.target, clientId: plan.clientId, acct };
    const connection = new AttackerConnection(ctx.transport, plan, ctx.credentials.password(ctx.registry.accountIds[acct]), ctx.clock, this.spec.listen, {
      onEnd: (answer) => {
        this.open.delete(connection);
        if (this.stopped) return; // cut short by the end of the run: not an answer
        ctx.history.record({ op: 'attempt', t: Math.round(ctx.clock.now()), startedAt, id, kind: plan.kind, acct, clientId: plan.clientId, target: plan.target, answer });
      },
      onMessage: (topic, payload) => {
        const t = Math.round(ctx.clock.now());
        if (readEventHeader(payload) === undefined) return ctx.history.record({ op: 'attack-receipt', t, ...base, topic, notMedia: true });
        const check = ctx.watermarker.decode(thumbnailOf(payload));
        if (check.ok) {
          const w = check.watermark;
          ctx.history.record({ op: 'attack-receipt', t, ...base, topic, ev: w.eventId, dev: w.deviceId, publishedAt: w.publishedAt });
        } else ctx.history.record({ op: 'attack-receipt', t, ...base, topic, bad: check.reason });
      },
    });
    this.open.add(connection);
    connection.start();
  }

  /** A forged event "from" a camera the attacker does not own: a real header, a watermark that cannot verify. */
  private forge(id: number, deviceId: string, now: number): Buffer {
    const eventId = FORGED_EVENT_BASE + id;
    return encodeEventPayload(eventId, now, this.forger.encode({ kind: 'thumb', deviceId, eventId, publishedAt: now }));
  }
}
