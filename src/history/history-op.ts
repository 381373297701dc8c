import type { BlockedLeak, CacheOpRecord } from './evidence.ts';

/**
 * One line of history.ndjson. The history is the product: the verdict is a function of these
 * ops and of the scenario in the first line, nothing else, so `crosswire check` can re-judge a
 * stored run. `t` is scenario milliseconds; device and account fields are registry indexes
 * (ids are a pure function of the seed), except where a value is quoted as evidence.
 */
export const HISTORY_FORMAT = 1;

export type HistoryOp =
  | RunHeader
  | { op: 'connect'; t: number; dev: number; rt?: number }
  | { op: 'disconnect'; t: number; dev: number }
  | { op: 'connect-failed'; t: number; dev: number }
  /** A motion event; `sent: false` when the camera was offline (the id is still used). */
  | { op: 'publish'; t: number; ev: number; dev: number; sent: boolean; serviceReady: boolean }
  /** `retained`: a retained message the broker replayed to the service on (re)subscribing. */
  | { op: 'service-received'; t: number; ev: number; retained?: boolean }
  /** `shard` ("i/N"): in a merged history, the instance of that shard lost its link (only its cameras' events were on their way to it). */
  | { op: 'service-link-closed'; t: number; shard?: string }
  | { op: 'route'; t: number; ev: number; acct: number; src: string; cacheOps: number[] }
  | { op: 'drop'; t: number; ev: number; reason: string }
  | { op: 'tap-served'; t: number; ev: number; acct: number; src: string; cacheOps: number[] }
  | ({ op: 'blocked'; t: number } & BlockedLeak)
  | { op: 'viewer-up'; t: number; acct: number }
  | { op: 'viewer-down'; t: number; acct: number }
  | MediaOp
  | AttemptOp
  | AttackReceiptOp
  | CacheOp
  | { op: 'fault-scheduled'; t: number; window: number; id: string; description: string; scheduledAt: number; scheduledHealAt: number }
  | { op: 'fault-injected' | 'fault-healed'; t: number; window: number; effect?: string }
  /** `devices`: only these registry indexes were cut off (a partition); the whole fleet when absent. */
  | { op: 'outage-began'; t: number; fault: string; devices?: number[] }
  | { op: 'outage-ended'; t: number; rt?: number }
  /** Devices that changed hands, as [device index, new owner index] pairs. */
  | { op: 'transfer'; t: number; moves: [number, number][] }
  | { op: 'harness-error'; t: number; message: string }
  /** A shard agreed on time zero with the others (`zeroAt`, epoch ms; `rtZero`: the same instant on this process's real-time clock, the origin of its `rt` stamps): `crosswire merge` lines the shards' histories up on it. */
  | { op: 'shard-start'; t: number; shard: string; zeroAt: number; via: 'barrier' | 'start-at'; readyAt?: number[]; skewMs?: number; waitedMs: number; rtZero?: number }
  /** Adapter code broke its contract (a value that is not a string, a throw outside any operation…). */
  | { op: 'contract-breach'; t: number; adapter: string; call: string; detail: string }
  /** `stopped`: why the run was stopped early by one of its own limits (the history cap), if it was. */
  | { op: 'end'; t: number; interrupted: boolean; stopped?: string };

/** What a viewer received: the watermark as decoded, or why it did not verify. */
export type MediaOp = {
  op: 'thumbnail' | 'clip';
  t: number;
  acct: number;
  viewer: string;
} & ({ ev: number; dev: string; publishedAt: number } | { bad: string; forgedBy?: number });

/**
 * A forged event's id (`hostile:`): FORGED_EVENT_BASE + the attempt's id, far beyond any event the
 * run numbers, so it never touches a real event's accounting. A viewer that receives media whose
 * watermark fails and whose header claims such an id records the attempt as `forgedBy`.
 */
export const FORGED_EVENT_BASE = 0x7f00_0000;

/**
 * What the broker answered a hostile tenant's attempt (`hostile:`): `unreachable` (no CONNACK:
 * the link was refused or closed first, as in an outage), `refused-connect` (a CONNACK
 * refusing it), `suback-refused` (0x80 for every filter), `dropped`
 * (the broker closed the link after the PUBLISH or will), `accepted`.
 */
export type AttemptAnswer = 'unreachable' | 'refused-connect' | 'suback-refused' | 'dropped' | 'accepted';

/** One hostile attempt, recorded when it is over (`t`); `startedAt` is when it began. `acct` is the attacker's account. */
export interface AttemptOp {
  op: 'attempt';
  t: number;
  startedAt: number;
  id: number;
  kind: string;
  acct: number;
  clientId: string;
  /** The filter, topic, client id or username it tried. */
  target: string;
  answer: AttemptAnswer;
}

/** A message a hostile tenant's connection received: the media's watermark as decoded, or why it is not media. */
export type AttackReceiptOp = {
  op: 'attack-receipt';
  t: number;
  attempt: number;
  kind: string;
  target: string;
  clientId: string;
  acct: number;
  topic: string;
} & ({ ev: number; dev: string; publishedAt: number } | { bad: string } | { notMedia: true });

/** A cache operation as evidence (ObservedCache's record; `kind` is its get/set/delete). */
export type CacheOp = { op: 'cache'; t: number; kind: CacheOpRecord['op'] } & Omit<CacheOpRecord, 'at' | 'op'>;

export interface RunHeader {
  op: 'run';
  format: number;
  /** The resolved scenario, as run: with it and the seed, the ground truth is reproducible. */
  scenario: unknown;
  clock: 'real' | 'virtual';
  /** Scenario ms around a link drop within which a lost message counts as in flight. */
  inFlightWindow: number;
}

export type HistoryOpName = HistoryOp['op'];
