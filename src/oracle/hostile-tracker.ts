import type { AttackReceiptOp, AttemptOp, MediaOp } from '../history/history-op.ts';
import type { IsolationOracle } from './isolation-oracle.ts';
import type { Blame, Violation, ViolationAttempt } from './violation.ts';

/** One kind's (or every kind's) tally: what the broker answered, and what got through. */
export interface AttemptTally {
  tried: number;
  /** Refused at CONNECT, SUBACK 0x80, or the link dropped after the PUBLISH or will. */
  refused: number;
  /** Accepted, and nothing of another account's reached it (nor its forged media a viewer). */
  acceptedHarmless: number;
  /** Another account's media reached it, or its forged media reached a viewer. */
  leaked: number;
  /** Never reached the broker (no CONNACK: an outage, a partition): proves nothing either way. */
  unreachable: number;
}

export interface HostileReport extends AttemptTally {
  /** `embedded`, or the external broker's URL. */
  broker: string;
  byKind: Record<string, AttemptTally>;
  /** The attempts that leaked (the first ones): id, kind, target, client id and how many messages. */
  leakedAttempts: { id: number; kind: string; target: string; clientId: string; leaks: number }[];
  /** Messages the attempts received that were not camera media ($SYS and the like). */
  notMedia: number;
  /**
   * Retained snapshots (`fleet.retainSnapshots`) the broker replayed to the service on a
   * (re)subscribe, and how many of them came after a transfer of their camera: the isolation
   * check judges where those went by the owner at publishing. Absent when none were replayed.
   */
  retained?: { replayed: number; acrossTransfer: number };
}

const KEEP_LEAKED = 50;

type AttemptRecord = Pick<AttemptOp, 'kind' | 'target' | 'clientId' | 'answer'>;
const emptyTally = (): AttemptTally => ({ tried: 0, refused: 0, acceptedHarmless: 0, leaked: 0, unreachable: 0 });

/**
 * The hostile tenants' attempts, judged from the history alone: every media message an attempt
 * received of a camera its account did not own when the event was published is a violation (the
 * oracle records it), and every forged event a viewer received names the attempt that forged it.
 * An attempt's own op comes when it is over, after what it received: the tally is made then.
 */
export class HostileTracker {
  private readonly oracle: IsolationOracle;
  private readonly broker: string;
  private readonly leaksOf = new Map<number, number>();
  private readonly attempts = new Map<number, AttemptRecord>();
  private readonly total = emptyTally();
  private readonly byKind: Record<string, AttemptTally> = {};
  private readonly leakedAttempts: HostileReport['leakedAttempts'] = [];
  private notMedia = 0;
  private seen = false;
  private readonly retained = { replayed: 0, acrossTransfer: 0 };

  constructor(oracle: IsolationOracle, broker: string) {
    this.oracle = oracle;
    this.broker = broker;
  }

  onReceipt(op: AttackReceiptOp): void {
    this.seen = true;
    if (!('ev' in op)) {
      this.notMedia++;
      return;
    }
    const attempt: ViolationAttempt = { id: op.attempt, kind: op.kind, target: op.target, clientId: op.clientId, topic: op.topic, broker: this.broker };
    if (this.oracle.onHostileMedia({ t: op.t, acct: op.acct, viewer: op.clientId, ev: op.ev, dev: op.dev, publishedAt: op.publishedAt }, attempt)) {
      this.leaksOf.set(op.attempt, (this.leaksOf.get(op.attempt) ?? 0) + 1);
    }
  }

  /** A viewer received media that does not verify, forged by an attempt: that attempt leaked. Returns the attempt for the violation. */
  onForgedMedia(m: MediaOp): ViolationAttempt | undefined {
    if (!('forgedBy' in m) || m.forgedBy === undefined) return undefined;
    const id = m.forgedBy;
    this.leaksOf.set(id, (this.leaksOf.get(id) ?? 0) + 1);
    const known = this.attempts.get(id);
    // the attempt's own op may come later (a will published as its link closed): it is re-tallied then
    if (known !== undefined && this.leaksOf.get(id) === 1) this.retally(id, known);
    return { id, kind: known?.kind ?? 'forged', target: known?.target ?? '?', clientId: known?.clientId ?? '?', broker: this.broker };
  }

  onAttempt(op: AttemptOp): void {
    this.seen = true;
    const record = { kind: op.kind, target: op.target, clientId: op.clientId, answer: op.answer };
    this.attempts.set(op.id, record);
    this.add(op.id, record, 1, (this.leaksOf.get(op.id) ?? 0) > 0);
  }

  /** An attempt as the violations quote it, once its op is in (a forged event may reach a viewer before). */
  describe(id: number): ViolationAttempt | undefined {
    const a = this.attempts.get(id);
    return a === undefined ? undefined : { id, kind: a.kind, target: a.target, clientId: a.clientId, broker: this.broker };
  }

  onRetainedReplay(acrossTransfer: boolean): void {
    this.retained.replayed++;
    if (acrossTransfer) this.retained.acrossTransfer++;
  }

  /** Forged media can reach a viewer before its attempt is over and recorded: name the attempt once the history is in. */
  nameForger(v: Pick<Violation, 'kind' | 'attempt'>): void {
    if (v.kind === 'corrupt-media' && v.attempt !== undefined) v.attempt = this.describe(v.attempt.id) ?? v.attempt;
  }

  /** The broker's blame for what a hostile attempt got through it; undefined for any other violation. */
  blameOf(v: Pick<Violation, 'kind' | 'attempt' | 'resolvedFrom' | 'eventId' | 'receivedBy'>): Blame | undefined {
    const a = v.attempt;
    if (a === undefined) return undefined;
    if (v.kind === 'corrupt-media') {
      const known = this.describe(a.id) ?? a;
      return { class: 'broker', reason: `forged media: hostile attempt ${a.id} (${known.kind} ${known.target}, client id ${known.clientId}) got it past ${a.broker}, and a viewer received it` };
    }
    // routed to the attacker's own account by the service: the cache's or the service's blame, as for any delivery
    if (v.kind !== 'hostile-leak' || v.resolvedFrom !== undefined) return undefined;
    return { class: 'broker', reason: `the service never routed event ${v.eventId} to ${v.receivedBy}: ${a.broker} delivered it on ${a.topic ?? '?'} to hostile attempt ${a.id} (${a.kind} ${a.target}, client id ${a.clientId})` };
  }

  report(): HostileReport | undefined {
    if (!this.seen && this.retained.replayed === 0) return undefined;
    const retained = this.retained.replayed > 0 ? { retained: { ...this.retained } } : {};
    // by name: the order attempts end in says nothing
    const byKind = Object.fromEntries(Object.entries(this.byKind).sort(([x], [y]) => x.localeCompare(y)));
    return { broker: this.broker, ...this.total, byKind, leakedAttempts: this.leakedAttempts.map((a) => ({ ...a, leaks: this.leaksOf.get(a.id) ?? 0 })), notMedia: this.notMedia, ...retained };
  }

  /** A forged event reached a viewer after its attempt was tallied: it moves to leaked. */
  private retally(id: number, a: AttemptRecord): void {
    this.add(id, a, -1, false);
    this.add(id, a, 1, true);
  }

  /** Adds (sign 1) or removes (sign -1) an attempt from the tallies, by what it got. */
  private add(id: number, a: AttemptRecord, sign: 1 | -1, leaked: boolean): void {
    const kind = (this.byKind[a.kind] ??= emptyTally());
    const field: keyof AttemptTally = leaked ? 'leaked' : a.answer === 'unreachable' ? 'unreachable' : a.answer === 'accepted' ? 'acceptedHarmless' : 'refused';
    for (const t of [this.total, kind]) {
      t.tried += sign;
      t[field] += sign;
    }
    if (leaked && sign === 1 && this.leakedAttempts.length < KEEP_LEAKED) {
      // `leaks` is read when reported: media keeps arriving after the attempt is recorded (a will falls due later)
      this.leakedAttempts.push({ id, kind: a.kind, target: a.target, clientId: a.clientId, leaks: 0 });
    }
  }
}

/** `attempts: tried N, refused R, accepted-harmless A, leaked L` (and unreachable, when some were). */
export function tallyLine(t: AttemptTally): string {
  return `tried ${t.tried}, refused ${t.refused}, accepted-harmless ${t.acceptedHarmless}, leaked ${t.leaked}${t.unreachable > 0 ? `, unreachable ${t.unreachable}` : ''}`;
}
