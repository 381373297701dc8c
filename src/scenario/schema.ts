import { z } from 'zod';
import { cacheAdapters, isAdapterModulePath, unknownAdapterMessage } from '../cache/builtin-adapters.ts';
import { compileTimeline, type TimelineInput } from './compile-timeline.ts';
import { formatDuration } from '../fields/duration.ts';
import { parseThreshold, thresholdMetrics, type ThresholdMetric } from './threshold-expression.ts';
import { duration, durationWithin, MAX_DURATION_MS, share } from '../fields/field-schemas.ts';
import { limitsSchema } from './limits-schema.ts';
import { exploreSchema } from './explore-schema.ts';
import type { FaultKinds } from '../faults/fault-kind.ts';
import { faultKinds } from '../faults/fault-kinds.ts';
import { MAX_STAGES, MAX_STEPS, stepSchemasFor } from './step-schemas.ts';
import { checkTimeline } from './timeline-checks.ts';
import { BROKER_URL_PATTERN, checkBrokerFields, usesSockets, WS_URL_PATTERN } from './broker-checks.ts';
import { accountIdShapes, deviceIdShapes } from '../registry/identities.ts';
import { DEFAULT_KEY_TEMPLATE, keyTemplateProblem } from '../registry/owner-key.ts';
import { parseShard } from '../registry/shard-slice.ts';
import { aclModes } from '../broker/acl.ts';
import { hostileSchema } from './hostile-schema.ts';
import { checkBrokerThread, checkVirtualClock, clockModeOf } from './clock-mode.ts';

export { clockModeOf };

const shardField = z.string().superRefine((text, ctx) => {
  const spec = parseShard(text);
  if (typeof spec === 'string') ctx.addIssue({ code: 'custom', message: spec });
});

/**
 * The scenario format. Every object is strict (unknown keys are errors) and every field has a
 * default, so `{}` is the built-in reconnect storm. Durations are strings (`30s`, `+00:02:00`)
 * converted to milliseconds of scenario time; `timeScale` compresses them on a real clock.
 * Every field that drives time or volume has a minimum and a maximum, so no value can make a
 * run spin at one instant or outlast its operator.
 */

export { duration, share };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const range = (max: number, least: number) =>
  z
    .strictObject({ min: z.number().int().min(least).max(max), max: z.number().int().min(least).max(max) })
    .superRefine((r, ctx) => {
      if (r.min > r.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `min (${r.min}) must not exceed max (${r.max})` });
    });

export const backoffSchema = z.strictObject({
  kind: z.enum(['none', 'fixed', 'exponential']).default('exponential'),
  jitter: z.enum(['none', 'full', 'equal', 'decorrelated']).default('full'),
  // at least 1ms: a zero delay retries at the instant it failed, which on a virtual clock never ends
  base: durationWithin(1, DAY).default(500),
  cap: durationWithin(1, DAY).default(10_000),
  /** Give up after this many failed attempts in a row; 0 retries for ever. */
  maxAttempts: z.number().int().min(0).max(1_000_000).default(0),
});

export const transportIds = ['memory', 'tcp'] as const;

/**
 * Devices a transport can hold in one process. Sockets are bounded by the descriptor limit
 * (20,000 per process): with the embedded broker both ends of every connection are in the run's
 * process, so TCP holds at most 8,000 cameras there (with few viewers: the run counts both
 * before it starts, `checkOneProcessLayout`); see `socketCapacity` for the layouts where a
 * process holds one end only.
 */
export const transportCapacity: Record<(typeof transportIds)[number], number> = {
  memory: 500_000,
  tcp: 8_000,
};

/** Fleet sockets one process may hold: the 20,000-descriptor limit less room for files, servers and the runtime. */
export const SOCKETS_PER_PROCESS = 19_500;
/** Cameras one process holds when it holds one end of each connection (the rest of its sockets: viewers, services). */
export const CAMERAS_PER_SOCKET_PROCESS = 19_000;
/** The most worker processes `--workers` starts. */
export const MAX_WORKERS = 64;

/**
 * The most devices the scenario's layout holds over sockets, and the process that bounds it:
 * one process with the embedded broker (both ends), a process talking to an external broker, N
 * shards, or `workers` (the parent's broker holds one end of every connection, whatever N).
 */
export function socketCapacity(s: { broker: { url?: string }; shard?: string; workers?: number }): { devices: number; holder: string } {
  if (s.workers !== undefined && s.shard === undefined && s.broker.url === undefined) {
    return { devices: CAMERAS_PER_SOCKET_PROCESS, holder: 'the workers\' broker process holds one end of every connection' };
  }
  if (s.broker.url !== undefined) {
    const spec = s.shard === undefined ? undefined : parseShard(s.shard);
    const count = spec === undefined || typeof spec === 'string' ? 1 : spec.count;
    return { devices: CAMERAS_PER_SOCKET_PROCESS * count, holder: count === 1 ? 'one process talking to an external broker' : `${count} shards, each a process` };
  }
  return { devices: transportCapacity.tcp, holder: 'one process' };
}

export const fleetSchema = z.strictObject({
  // the transport's capacity bounds it (checked below, with its own message); the schema says the most
  devices: z.number().int().min(1).meta({ maximum: transportCapacity.memory }).default(2000),
  /** When set, exactly this many accounts, each drawing its device count from devicesPerAccount. */
  accounts: z.number().int().min(1).max(500_000).optional(),
  devicesPerAccount: range(1000, 1).default({ min: 1, max: 6 }),
  viewersPerAccount: range(20, 1).default({ min: 1, max: 2 }),
  /** Mean time between motion events of one camera (exponentially distributed). */
  eventInterval: durationWithin(10, DAY).default(5_000),
  /** Share of received thumbnails a viewer taps to open the video. */
  tapShare: share.default(0.2),
  transport: z.enum(transportIds).default('memory'),
  backoff: backoffSchema.default(backoffSchema.parse({})),
  /** Keep-alive announced in CONNECT, seconds (0 disables). */
  keepalive: z.number().int().min(0).max(65535).default(0),
  /** How cameras reach the broker: over the fleet's transport, or MQTT over WebSocket. */
  cameraTransport: z.enum(['fleet', 'ws']).default('fleet'),
  /** How viewers (the phone apps) reach the broker: over the fleet's transport, or MQTT over WebSocket. */
  viewerTransport: z.enum(['fleet', 'ws']).default('fleet'),
  /**
   * Cameras publish their online snapshot retained, as a "last thumbnail" a later subscriber
   * gets at once: the service is replayed every camera's on each (re)subscribe, across transfers.
   */
  retainSnapshots: z.boolean().default(false),
});

/** The shapes of ids and of the owner key (src/registry/identities.ts, owner-key.ts). */
export const identitiesSchema = z.strictObject({
  devices: z.enum(deviceIdShapes).default('sequential'),
  accounts: z.enum(accountIdShapes).default('sequential'),
  keyTemplate: z
    .string()
    .min(1)
    .max(200)
    .default(DEFAULT_KEY_TEMPLATE)
    .superRefine((template, ctx) => {
      const problem = keyTemplateProblem(template);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `the key template ${problem}` });
    }),
});

export const cacheSchema = z.strictObject({
  /** A built-in adapter id, or the path of a module whose default export is an adapter definition. */
  adapter: z
    .string()
    .min(1)
    .superRefine((id, ctx) => {
      if (!cacheAdapters.has(id) && !isAdapterModulePath(id)) {
        ctx.addIssue({
          code: 'custom',
          message: unknownAdapterMessage(id),
        });
      }
    })
    .default('memory'),
  /** A server to use instead of a private one (network adapters only). */
  url: z.string().regex(/^(redis|rediss|memcached):\/\/[^\s]+$/, 'a URL like redis://127.0.0.1:6380 or memcached://127.0.0.1:11212').optional(),
  /** Load the client library from this installed package (an npm alias such as ioredis-next). */
  module: z.string().regex(/^(@[a-z0-9._-]+\/)?[a-z0-9._-]+$/i, 'an installed package name').optional(),
  /** Put the chaos proxy between the service and a network cache (needed by cache faults). */
  proxy: z.boolean().default(true),
  ttl: durationWithin(1, MAX_DURATION_MS).default(300_000),
  /** How long the adapter's create() may take (wall clock); past it the run stops with exit 5. */
  createTimeout: durationWithin(1, HOUR).default(30_000),
  /** How long the adapter's close() may take at the end of the run (wall clock); past it, a warning. */
  closeTimeout: durationWithin(1, HOUR).default(5_000),
  /** How long one get/set/delete may take (wall clock) before it is recorded as failed; 0: unbounded. */
  operationTimeout: durationWithin(0, HOUR).default(10_000),
  /** Options passed to the adapter as they are (e.g. a faulty adapter's knobs). */
  options: z.record(z.string(), z.unknown()).default({}),
});

export const brokerSchema = z.strictObject({
  /**
   * How long a new connection may take to send its CONNECT before the broker closes it: wall
   * clock, not scenario time (it is aedes' own timer). In a herd a slow broker drops what it
   * cannot read in time, and those cameras retry.
   */
  connectTimeout: durationWithin(100, HOUR).default(30_000),
  /**
   * Where aedes runs. `inline`: in the run's own thread. `worker`: a worker thread of its own, so
   * the broker and the rest of the run use both cores (memory transport, real clock only).
   */
  thread: z.enum(['inline', 'worker']).default('inline'),
  /**
   * The embedded broker's topic rules: `strict`, or a positive control with ONE rule too broad
   * (`weakened-read`: a viewer may read any account's topic; `weakened-publish`: a viewer may
   * publish on any camera's topic), which the `hostile:` attempts must catch. An external
   * broker's rules are its own (`crosswire broker-config mosquitto --weaken`).
   */
  acl: z.enum(aclModes).default('strict'),
  /** A broker crosswire does not own, instead of the embedded one. */
  url: z.string().regex(BROKER_URL_PATTERN, 'a URL like mqtt://127.0.0.1:1883, mqtts://…, ws://127.0.0.1:8080/mqtt or wss://… (no credentials in it)').optional(),
  /** Where WebSocket clients of the external broker go when `url` is mqtt:// or mqtts://. */
  wsUrl: z.string().regex(WS_URL_PATTERN, 'a URL like ws://127.0.0.1:8080/mqtt').optional(),
  /** PEM files for mqtts:// and wss://: the CA that signed the broker's certificate, a client certificate and its key. */
  ca: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  /** Run by a `broker-restart` step against an external broker, while the fleet is cut off. */
  restartCommand: z.string().min(1).optional(),
  /** How long the restart command may take (wall clock) before it is killed and the fault fails. */
  restartTimeout: durationWithin(100, HOUR).default(60_000),
});

export const serviceSchema = z.strictObject({
  verify: z.enum(['none', 'envelope', 'source-of-truth']).default('none'),
  sourceOfTruthLatency: durationWithin(0, HOUR).default(20),
});

/**
 * The timeline: a flat list of steps at absolute offsets, or `stages` that run one after another.
 * Either way it compiles to one time-ordered list of steps (compile-timeline.ts).
 */
function timelineSchemaFor(kinds: FaultKinds) {
  const { flatStep, stageSchema } = stepSchemasFor(kinds);
  return z
    .union([z.array(flatStep).max(MAX_STEPS), z.strictObject({ stages: z.array(stageSchema).min(1).max(MAX_STAGES) })])
    .transform((input, ctx) => compileTimeline(input as TimelineInput, ctx, kinds));
}

export const checksSchema = z.strictObject({
  /** The storm happened: at least this share of the fleet reconnected after each outage. */
  minReconnectShare: share.default(0.99),
  /** Every account received at least one thumbnail. */
  everyAccountDelivered: z.boolean().default(true),
  /** Transfers were tested: at least this share of transferred cameras had their owner looked up through the cache after the transfer. */
  minTransfersTested: share.default(0.5),
});

/** k6-style: `reconnect_seconds: ["p(99)<30"]`; judged at the end; breached alone, exit 3. */
export const thresholdsSchema = z.record(z.string(), z.array(z.string())).superRefine((spec, ctx) => {
  const known = Object.keys(thresholdMetrics);
  for (const [metric, expressions] of Object.entries(spec)) {
    if (!known.includes(metric)) {
      ctx.addIssue({ code: 'custom', path: [metric], message: `unknown threshold metric ${JSON.stringify(metric)} (expected one of: ${known.join(', ')})` });
      continue;
    }
    expressions.forEach((text, i) => {
      const parsed = parseThreshold(text, thresholdMetrics[metric as ThresholdMetric]);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', path: [metric, i], message: parsed });
    });
  }
}) as unknown as z.ZodType<Partial<Record<ThresholdMetric, string[]>>, Record<string, string[]>>;

function buildScenarioSchema(kinds: FaultKinds) {
  return z
    .strictObject({
      name: z.string().max(128).regex(/^[a-z0-9][a-z0-9._-]*$/i, 'letters, digits, dot, dash, underscore').default('reconnect-storm'),
      description: z.string().optional(),
      seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
      timeScale: z.number().min(0.01).max(10_000).default(10),
      /**
       * `real`: wall-clock time compressed by timeScale. `virtual`: no real timers or I/O, time
       * jumps when the world is idle, and the same seed gives the same history byte for byte
       * (memory transport and a built-in in-process cache only). `auto`: virtual where it can be.
       */
      clock: z.enum(['auto', 'real', 'virtual']).default('auto'),
      /** Scenario time the run lasts; events stop `drain` before the end. */
      duration: durationWithin(1000, MAX_DURATION_MS).default(70_000),
      drain: duration.default(5_000),
      fleet: fleetSchema.default(fleetSchema.parse({})),
      identities: identitiesSchema.default(identitiesSchema.parse({})),
      broker: brokerSchema.default(brokerSchema.parse({})),
      cache: cacheSchema.default(cacheSchema.parse({})),
      service: serviceSchema.default(serviceSchema.parse({})),
      timeline: timelineSchemaFor(kinds).default([]),
      checks: checksSchema.default(checksSchema.parse({})),
      thresholds: thresholdsSchema.default({}),
      limits: limitsSchema.default(limitsSchema.parse({})),
      /**
       * This process runs shard i of N (`i/N`, i from 0): its slice of accounts with their
       * cameras and viewers, its own service instance; `crosswire merge` judges the N histories
       * as one run. Usually given as `--shard` or CROSSWIRE_SHARD rather than in the file.
       */
      shard: shardField.optional(),
      /** Bounds for `crosswire explore`; a run ignores them. */
      explore: exploreSchema.optional(),
      /**
       * Run as this many worker processes on this machine: the parent serves the embedded broker
       * over loopback TCP (and the private cache server), each worker runs shard i of N against
       * it, and the parent merges their histories into one verdict. Also `--workers N`.
       */
      workers: z.number().int().min(1).max(MAX_WORKERS).optional(),
      /** Hostile tenants: valid credentials for their own account, trying to watch others' cameras. */
      hostile: hostileSchema.optional(),
    })
    .superRefine((s, ctx) => {
      // sockets of any kind are bounded by the descriptor limit as TCP is
      const sockets = usesSockets(s) || (s.workers !== undefined && s.shard === undefined);
      const layout = sockets ? socketCapacity(s) : { devices: transportCapacity[s.fleet.transport], holder: 'one process' };
      const cap = layout.devices;
      // with `accounts`, the device count follows from the draws: judge the most it can be
      const devices = s.fleet.accounts !== undefined ? s.fleet.accounts * s.fleet.devicesPerAccount.max : s.fleet.devices;
      if (devices > cap) {
        const transport = s.fleet.transport === 'memory' && sockets ? 'socket' : s.fleet.transport;
        ctx.addIssue({
          code: 'custom',
          path: s.fleet.accounts !== undefined ? ['fleet', 'accounts'] : ['fleet', 'devices'],
          message:
            layout.holder === 'one process'
              ? `${s.fleet.accounts !== undefined ? 'up to ' : ''}${devices} devices is more than the ${transport} transport holds in one process (${cap})`
              : `${s.fleet.accounts !== undefined ? 'up to ' : ''}${devices} devices is more than the ${transport} transport holds here (${cap}: ${layout.holder}, at most ${SOCKETS_PER_PROCESS} sockets each)`,
        });
      }
      if (s.drain >= s.duration) {
        ctx.addIssue({
          code: 'custom',
          path: ['drain'],
          message: `drain (${formatDuration(s.drain)}) must be shorter than duration (${formatDuration(s.duration)})`,
        });
        return; // every step would be reported against a negative window
      }
      checkTimeline({ ...s, adapter: cacheAdapters.get(s.cache.adapter) }, ctx, kinds);
      checkVirtualClock(s, ctx);
      checkBrokerThread(s, ctx);
      checkBrokerFields(s, ctx);
      checkWorkers(s, ctx);
      checkHostile(s, ctx);
      if (s.shard !== undefined && s.broker.url === undefined) {
        ctx.addIssue({ code: 'custom', path: ['shard'], message: 'a shard needs a broker every shard reaches: set broker.url (--broker mqtt://host:port); `crosswire run --workers N` starts one for shards on this machine' });
      }
    });
}

/** Hostile rounds fall inside the run; one process holds the attackers (their receipts are judged with its history). */
function checkHostile(s: { hostile?: { rounds: number[]; listen: number }; duration: number; shard?: string; workers?: number; broker: { url?: string; acl: string } }, ctx: z.RefinementCtx): void {
  if (s.broker.url !== undefined && s.broker.acl !== 'strict') {
    ctx.addIssue({ code: 'custom', path: ['broker', 'acl'], message: 'acl sets the embedded broker\'s rules; an external broker\'s come from its own ACL (crosswire broker-config mosquitto --weaken)' });
  }
  if (s.hostile === undefined) return;
  s.hostile.rounds.forEach((at, i) => {
    if (at + s.hostile!.listen > s.duration) {
      ctx.addIssue({ code: 'custom', path: ['hostile', 'rounds', i], message: `a round at ${formatDuration(at)} listening ${formatDuration(s.hostile!.listen)} ends after the run (duration ${formatDuration(s.duration)})` });
    }
  });
  if (s.shard !== undefined || s.workers !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['hostile'], message: 'hostile tenants run in one process: not with shard or workers' });
  }
}

/** `workers` start their own broker on a real clock, with the fleet over TCP. */
function checkWorkers(
  s: { workers?: number; shard?: string; clock: string; broker: { url?: string; thread: string } },
  ctx: z.RefinementCtx,
): void {
  if (s.workers === undefined || s.shard !== undefined) return;
  const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['workers'], message });
  if (s.broker.url !== undefined) issue('workers run against the embedded broker the parent serves; with an external broker (broker.url), run shards (--shard i/N) and `crosswire merge`');
  if (s.clock === 'virtual') issue('workers are processes talking over sockets: they need a real clock (clock: real or auto)');
  if (s.broker.thread !== 'inline') issue('workers serve the embedded broker in the parent\'s own thread: leave broker.thread at inline');
}

/** The scenario format with the built-in fault kinds. */
export const scenarioSchema = buildScenarioSchema(faultKinds);

const schemas = new WeakMap<FaultKinds, typeof scenarioSchema>([[faultKinds, scenarioSchema]]);

/**
 * The scenario format whose timeline may name these fault kinds (built once per set of kinds).
 * Typed as the built-in format: a step of another kind is handled by its kind alone.
 */
export function scenarioSchemaFor(kinds: FaultKinds): typeof scenarioSchema {
  let schema = schemas.get(kinds);
  if (schema === undefined) {
    schema = buildScenarioSchema(kinds);
    schemas.set(kinds, schema);
  }
  return schema;
}

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type BackoffSpec = z.output<typeof backoffSchema>;
export type { FaultStep, TimelineStep, TransferStep } from './step-schemas.ts';
export type VerifyMode = Scenario['service']['verify'];
export type TransportId = Scenario['fleet']['transport'];
