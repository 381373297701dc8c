import { z } from 'zod';
import { SUMMARY_SCHEMA_VERSION, type RunSummary } from './summary.ts';

/**
 * summary.json as a schema: what `crosswire report` accepts and what a consumer may rely on.
 * Objects are open (the JSON Schema allows unknown fields; zod strips them): fields are added
 * without bumping `schemaVersion`, which changes only when a field changes meaning or goes away.
 */
const n = z.number();
const count = z.number().int().min(0);
const obj = z.object;

const latency = obj({ count, p50: n, p90: n, p99: n, max: n, mean: n });
const bins = obj({ binMs: z.number().positive(), counts: z.array(count) });

const cacheOp = obj({
  id: n,
  op: z.enum(['get', 'set', 'delete']),
  key: z.string(),
  value: z.string().optional(),
  outcome: z.enum(['hit', 'miss', 'ok', 'error']),
  error: z.string().optional(),
  startedAt: n.optional(),
  at: n,
  doneAfter: n.optional(),
  latencyMs: n,
  adapter: z.string(),
  connectionId: z.string().optional(),
});

const tally = { tried: count, refused: count, acceptedHarmless: count, leaked: count, unreachable: count };

const violation = obj({
  kind: z.enum(['foreign-thumbnail', 'foreign-video', 'corrupt-media', 'hostile-leak']),
  eventId: n,
  deviceId: z.string(),
  trueOwner: z.string(),
  receivedBy: z.string(),
  viewer: z.string(),
  publishedAt: n,
  receivedAt: n,
  cacheOps: z.array(cacheOp),
  resolvedFrom: z.string().optional(),
  activeFaults: z.array(z.string()),
  detail: z.string().optional(),
  attempt: obj({ id: n, kind: z.string(), target: z.string(), clientId: z.string(), topic: z.string().optional(), broker: z.string() }).optional(),
  blame: obj({
    class: z.enum(['wrong-key', 'stale', 'service', 'broker', 'undetermined']),
    reason: z.string(),
    read: cacheOp.optional(),
    write: cacheOp.optional(),
    invalidation: cacheOp.optional(),
  }).optional(),
});

const faultWindow = obj({
  id: z.string(),
  description: z.string(),
  scheduledAt: n,
  scheduledHealAt: n,
  injectedAt: n.optional(),
  healedAt: n.optional(),
  effect: z.string().optional(),
});

const storm = obj({
  fault: z.string(),
  outageAt: n,
  restoredAt: n,
  dropped: count,
  reconnected: count,
  reconnectShare: n,
  timeToReconnect: latency,
  timeToReconnectBins: bins.optional(),
  failedAttempts: count,
  connectsPerSecondPeak: n,
  connectsPerSecondMean: n,
  realSeconds: n,
});

const column = z.array(n);
const timeSeries = obj({
  bucketMs: z.number().positive(),
  t: column,
  camerasConnected: column,
  camerasInBackoff: column,
  camerasGaveUp: column,
  viewersOnline: column,
  thumbnails: column,
  events: column,
  connectAttempts: column.optional(),
  cacheGets: column,
  cacheHits: column,
  cacheMisses: column,
  cacheErrors: column,
  cacheP50Ms: column,
  cacheP99Ms: column,
  violations: column,
}).refine((s) => Object.values(s).every((v) => !Array.isArray(v) || v.length === s.t.length), {
  message: 'every column of timeSeries must have one value per bucket',
});

const counts = z.record(z.string(), count);

export const summarySchema = obj({
  schemaVersion: z.number().int().min(1).max(SUMMARY_SCHEMA_VERSION),
  verdict: z.enum(['PASS', 'FAIL', 'INCONCLUSIVE']),
  exitCode: z.number().int(),
  reasons: z.array(z.string()),
  scenario: obj({ name: z.string(), file: z.string().optional(), seed: count, timeScale: z.number().positive(), durationMs: n }),
  repro: z.string().optional(),
  versions: obj({ crosswire: z.string(), node: z.string(), cacheLibrary: obj({ name: z.string(), version: z.string() }).optional() }),
  startedAt: z.iso.datetime(),
  realSeconds: n,
  fleet: obj({
    devices: count,
    accounts: count,
    viewers: count,
    transport: z.string(),
    brokerThread: z.enum(['inline', 'worker', 'external']).optional(),
    brokerUrl: z.string().optional(),
    cameraTransport: z.string().optional(),
    viewerTransport: z.string().optional(),
  }),
  cache: obj({
    adapter: z.string(),
    verify: z.string(),
    stats: obj({ gets: count, hits: count, misses: count, sets: count, deletes: count, errors: count, getErrors: count.optional(), latency }),
    resolverErrors: count,
    garbageValues: count,
    distrustedValues: count.optional(),
    confessedWrongValues: count.optional(),
  }),
  headline: obj({
    accountsWithForeignThumbnail: count,
    accountsExposed: count.optional(),
    accountsTapped: count.optional(),
    accountsOpenedForeignVideo: count,
    devicesExposed: count,
    foreignDeliveries: count,
    foreignReceipts: count,
    foreignVideos: count,
    corruptMedia: count,
    hostileLeaks: count.optional(),
  }),
  checks: z.array(obj({ name: z.string(), status: z.enum(['pass', 'fail', 'inconclusive']), detail: z.string() })),
  thresholds: z.array(obj({ metric: z.string(), expression: z.string(), measured: z.number(), ok: z.boolean() })).optional(),
  violationCount: count,
  violations: z.array(violation),
  violationPairs: obj({ count, sha256: z.string(), pairs: z.array(z.string()) }).optional(),
  blame: counts.optional(),
  contractBreaches: obj({ count, examples: z.array(obj({ adapter: z.string(), call: z.string(), detail: z.string(), t: n })) }).optional(),
  warnings: z.array(z.string()).optional(),
  blocked: obj({ total: count, push: count, tap: count, byLayer: counts, examples: z.array(z.unknown()) }),
  accounting: obj({
    published: count,
    delivered: count,
    dropped: counts,
    indeterminate: counts,
    gap: count,
    gapExamples: z.array(n),
    skippedOffline: count,
    camerasWithGap: count,
  }),
  storms: z.array(storm),
  thumbnailLatency: latency.optional(),
  faults: z.array(faultWindow),
  hostile: obj({
    broker: z.string(),
    ...tally,
    byKind: z.record(z.string(), obj(tally)),
    leakedAttempts: z.array(obj({ id: n, kind: z.string(), target: z.string(), clientId: z.string(), leaks: count })),
    notMedia: count,
    retained: obj({ replayed: count, acrossTransfer: count }).optional(),
  }).optional(),
  transfers: z.array(obj({ at: n, devices: count })),
  stats: counts,
  broker: counts,
  timeSeries: timeSeries.optional(),
  history: obj({ ops: count, bytes: count, sha256: z.string().regex(/^[0-9a-f]{64}$/), clock: z.enum(['real', 'virtual']), file: z.string().optional() }).optional(),
  shards: obj({
    count,
    shard: z.string().optional(),
    zeroAt: z.iso.datetime(),
    via: z.enum(['barrier', 'start-at']),
    skewMs: n.optional(),
    lateMs: z.number().optional(),
    waitedMs: n.optional(),
    merged: z
      .array(obj({ shard: z.string(), runDir: z.string(), ops: count, sha256: z.string(), skewMs: n.optional(), lateMs: z.number().optional() }))
      .optional(),
  }).optional(),
});

export type ParsedSummary = z.output<typeof summarySchema>;

/** The run directory's summary.json as JSON Schema (draft 2020-12), generated from the zod schema. */
export function summaryJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(summarySchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
    $id: 'https://crosswire.dev/summary.schema.json',
    title: 'crosswire run summary (summary.json)',
  };
}

// compile-time: every summary the runner builds satisfies the schema (counter objects are
// interfaces, which TypeScript will not treat as records until copied)
const summaryFitsSchema: (s: RunSummary) => z.input<typeof summarySchema> = (s) => ({ ...s, stats: { ...s.stats }, broker: { ...s.broker } });
void summaryFitsSchema;
