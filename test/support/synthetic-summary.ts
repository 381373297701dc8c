import type { Violation } from '../../src/oracle/violation.ts';
import type { RunSummary } from '../../src/report/summary.ts';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * A summary document as the runner writes it, made up: `violations` leaks spread over
 * `accounts` receiving accounts and `devices` cameras, with values chosen to be awkward to
 * render (quotes, angle brackets, pipes, control characters) when `hostile` is set.
 */
export function syntheticSummary(options: { violations?: number; accounts?: number; devices?: number; hostile?: boolean } = {}): RunSummary {
  const count = options.violations ?? 0;
  const accounts = options.accounts ?? 10;
  const devices = options.devices ?? 50;
  const weird = options.hostile ? `<script>alert("x")</script> | ]]> & \u0001\u0007 '` : '';
  const violations: Violation[] = Array.from({ length: count }, (_, i) => {
    const device = i % devices;
    return {
      kind: i % 7 === 0 ? 'foreign-video' : 'foreign-thumbnail',
      eventId: 1000 + i,
      deviceId: `cam-${pad(device, 7)}`,
      trueOwner: `acct-${pad(device % 97, 6)}`,
      receivedBy: `acct-${pad(100 + (i % accounts), 6)}`,
      viewer: `acct-${pad(100 + (i % accounts), 6)}~v1`,
      publishedAt: 20_000 + i,
      receivedAt: 20_050 + i,
      cacheOps: [
        {
          id: 5000 + i,
          op: 'get',
          key: `owner:cam-${pad(device, 7)}`,
          value: `{"deviceId":"cam-${pad(device + 1, 7)}","owner":"acct-${pad(100 + (i % accounts), 6)}"}${weird}`,
          outcome: 'hit',
          startedAt: 20_009 + i,
          at: 20_010 + i,
          doneAfter: 5000 + i,
          latencyMs: 0.25,
          adapter: 'faulty:crossed-replies',
          connectionId: `conn-${i % 3}`,
        },
      ],
      resolvedFrom: 'cache',
      activeFaults: i % 2 === 0 ? ['broker-outage'] : [],
      blame: { class: 'wrong-key' as const, reason: `the value read under owner:cam-${pad(device, 7)} was only ever written under owner:cam-${pad(device + 1, 7)}` },
    };
  });
  const latency = { count: 10, p50: 0.1, p90: 0.2, p99: 0.3, max: 1, mean: 0.12 };
  const n = 60;
  const t = Array.from({ length: n }, (_, i) => (i + 1) * 1000);
  const wave = (f: (i: number) => number) => t.map((_, i) => f(i));
  const doc = {
    schemaVersion: 1,
    verdict: count > 0 ? 'FAIL' : 'PASS',
    exitCode: count > 0 ? 1 : 0,
    reasons: count > 0 ? [`isolation: ${count} foreign deliveries${weird}`] : [],
    scenario: { name: 'synthetic', seed: 7, timeScale: 10, durationMs: n * 1000 },
    repro: `npx crosswire run synthetic.yaml --seed 7${weird ? " --set 'x=<y>'" : ''}`,
    versions: { crosswire: '0.1.0', node: 'v24.0.0', cacheLibrary: { name: 'ioredis', version: '6.0.0' } },
    startedAt: '2026-01-02T03:04:05.678Z',
    realSeconds: 6.5,
    fleet: { devices, accounts: 200, viewers: 300, transport: 'memory' },
    cache: { adapter: 'faulty:crossed-replies', verify: 'none', stats: { gets: 100, hits: 80, misses: 20, sets: 20, deletes: 1, errors: 0, latency }, resolverErrors: 0, garbageValues: 0 },
    headline: {
      accountsWithForeignThumbnail: Math.min(count, accounts),
      accountsOpenedForeignVideo: count > 0 ? 1 : 0,
      devicesExposed: Math.min(count, devices),
      foreignDeliveries: count,
      foreignReceipts: count,
      foreignVideos: 0,
      corruptMedia: 0,
    },
    checks: [
      count > 0 ? { name: 'isolation', status: 'fail', detail: `${count} foreign deliveries${weird}` } : { name: 'isolation', status: 'pass', detail: 'no leak' },
      { name: 'storm', status: 'pass', detail: 'the fleet came back' },
      { name: 'deliveries', status: 'inconclusive', detail: '3 accounts got nothing' },
    ],
    violationCount: count,
    violations,
    blocked: { total: 0, push: 0, tap: 0, byLayer: {}, examples: [] },
    accounting: { published: 1000, delivered: 990, dropped: { 'service-offline': 10 }, indeterminate: {}, gap: 0, gapExamples: [], skippedOffline: 0, camerasWithGap: 0 },
    storms: [
      {
        fault: 'broker-outage',
        outageAt: 20_000,
        restoredAt: 35_000,
        dropped: devices,
        reconnected: devices,
        reconnectShare: 1,
        timeToReconnect: { count: devices, p50: 2000, p90: 5000, p99: 8000, max: 9000, mean: 2500 },
        timeToReconnectBins: { binMs: 250, counts: [1, 4, 9, 12, 8, 6, 4, 3, 2, 1] },
        failedAttempts: 99,
        connectsPerSecondPeak: 300,
        connectsPerSecondMean: 200,
        realSeconds: 1,
      },
    ],
    faults: [{ id: 'broker-outage', description: `broker outage${weird}`, scheduledAt: 20_000, scheduledHealAt: 35_000, injectedAt: 20_001, healedAt: 35_002 }],
    transfers: [{ at: 45_001, devices: 3 }],
    stats: {},
    history: { ops: 10, bytes: 1000, sha256: '0'.repeat(64), clock: 'real' },
    broker: { connacksAccepted: 1, authRefused: 0, publishDenied: 0, subscribeDenied: 0 },
    timeSeries: {
      bucketMs: 1000,
      t,
      camerasConnected: wave((i) => (i >= 20 && i < 35 ? 0 : devices)),
      camerasInBackoff: wave((i) => (i >= 20 && i < 35 ? devices : 0)),
      camerasGaveUp: wave(() => 0),
      viewersOnline: wave(() => 30),
      thumbnails: wave((i) => 50 + (i % 5)),
      events: wave(() => 52),
      cacheGets: wave(() => 10),
      cacheHits: wave(() => 8),
      cacheMisses: wave(() => 2),
      cacheErrors: wave(() => 0),
      cacheP50Ms: wave((i) => (i % 10 === 0 ? 0 : 0.05)),
      cacheP99Ms: wave(() => 0.4),
      violations: wave((i) => (i < 40 ? 0 : Math.round((count * (i - 39)) / 20))),
    },
  };
  // made up, so not every counter is there: the tests check it against summarySchema instead
  return doc as unknown as RunSummary;
}
