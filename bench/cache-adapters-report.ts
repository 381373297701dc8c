import type { CacheStormPlan, CacheStormResult } from './cache-storm.ts';
import { fixed, heading, int, pct, table } from './format.ts';

/** The printed part of the cache-adapter bench (cache-adapters.bench.ts), and its ratios. */

export interface CacheRow {
  label: string;
  adapter: string;
  path: 'proxy' | 'direct';
  result?: CacheStormResult;
  /** Why there is no result (a child that failed, a server binary that is not installed). */
  failure?: string;
  childWallSeconds?: number;
}

export interface Ratios {
  label: string;
  /** vs the (first) memory row. */
  opsVsMemory?: number;
  p50VsMemory?: number;
  p99VsMemory?: number;
  steadyGetP50VsMemory?: number;
  steadyGetP99VsMemory?: number;
}

export interface ProxyRatios {
  adapter: string;
  ops?: number;
  p50?: number;
  p99?: number;
  steadyGetP50?: number;
  steadyGetP99?: number;
  stormGetP50?: number;
  stormGetP99?: number;
}

const div = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
const x = (n: number | undefined, digits = 2) => (n === undefined ? '–' : `${fixed(n, digits)}×`);
const ms = (n: number | undefined) => (n === undefined ? '–' : n >= 10 ? fixed(n, 0) : n >= 1 ? fixed(n, 1) : fixed(n, 3));

export function ratiosVsMemory(rows: CacheRow[]): Ratios[] {
  const base = rows.find((r) => r.adapter === 'memory' && r.result)?.result;
  return rows.map((r) => {
    const m = r.result;
    return {
      label: r.label,
      opsVsMemory: div(m?.opsPerSecond, base?.opsPerSecond),
      p50VsMemory: div(m?.allOpsLatency.p50, base?.allOpsLatency.p50),
      p99VsMemory: div(m?.allOpsLatency.p99, base?.allOpsLatency.p99),
      steadyGetP50VsMemory: div(m?.steadyGetLatency.p50, base?.steadyGetLatency.p50),
      steadyGetP99VsMemory: div(m?.steadyGetLatency.p99, base?.steadyGetLatency.p99),
    };
  });
}

export function proxyVsDirect(rows: CacheRow[]): ProxyRatios[] {
  const adapters = [...new Set(rows.filter((r) => r.adapter !== 'memory').map((r) => r.adapter))];
  return adapters.map((adapter) => {
    const p = rows.find((r) => r.adapter === adapter && r.path === 'proxy')?.result;
    const d = rows.find((r) => r.adapter === adapter && r.path === 'direct')?.result;
    return {
      adapter,
      ops: div(p?.opsPerSecond, d?.opsPerSecond),
      p50: div(p?.allOpsLatency.p50, d?.allOpsLatency.p50),
      p99: div(p?.allOpsLatency.p99, d?.allOpsLatency.p99),
      steadyGetP50: div(p?.steadyGetLatency.p50, d?.steadyGetLatency.p50),
      steadyGetP99: div(p?.steadyGetLatency.p99, d?.steadyGetLatency.p99),
      stormGetP50: div(p?.stormGetLatency.p50, d?.stormGetLatency.p50),
      stormGetP99: div(p?.stormGetLatency.p99, d?.stormGetLatency.p99),
    };
  });
}

export function planLine(plan: CacheStormPlan): string {
  return (
    `  storm   : ${int(plan.devices)} cameras, memory transport, timeScale 1, events every ${plan.eventInterval / 1000} s per camera (default), ` +
    `cache TTL ${plan.ttl / 1000} s,\n            broker outage at ${plan.outageAt / 1000} s for ${plan.outageFor / 1000} s (fixed 1 s backoff, no jitter), ` +
    `transfer of 5 % at ${plan.transferAt / 1000} s, run ${plan.duration / 1000} s; no cache faults, no toxics`
  );
}

export function cacheSections(rows: CacheRow[], ratios: Ratios[], proxy: ProxyRatios[]): string {
  const outcome = rows.map((row, i) => {
    const r = row.result;
    if (!r) return [row.label, '–', row.failure ? 'NO RESULT' : '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–', '–'];
    const s = r.stats;
    return [
      row.label,
      r.library,
      r.verdict,
      `${int(r.reconnected)}/${int(r.dropped)}`,
      fixed(r.wallSeconds, 1),
      int(s.gets),
      pct(s.gets > 0 ? s.hits / s.gets : undefined),
      int(s.sets),
      int(s.deletes),
      int(s.errors),
      int(r.opsPerSecond),
      x(ratios[i].opsVsMemory, 3),
      int(r.steadyGetsPerSecond),
      int(r.stormGetsPerSecond),
      `${int(r.peakGetsPerSecond)} @${fixed(r.peakAtSeconds, 1)}s`,
    ];
  });
  const latency = rows.map((row, i) => {
    const r = row.result;
    const q = ratios[i];
    if (!r) return [row.label, ...Array<string>(11).fill('–')];
    return [
      row.label,
      ms(r.allOpsLatency.p50),
      ms(r.allOpsLatency.p99),
      ms(r.allOpsLatency.max),
      x(q.p50VsMemory, 0),
      x(q.p99VsMemory, 0),
      ms(r.steadyGetLatency.p50),
      ms(r.steadyGetLatency.p99),
      x(q.steadyGetP99VsMemory, 0),
      ms(r.stormGetLatency.p50),
      ms(r.stormGetLatency.p99),
      ms(r.stormLoopLag.p99),
    ];
  });
  const proxyRows = proxy.map((p) => [p.adapter, x(p.ops, 3), x(p.p50), x(p.p99), x(p.steadyGetP50), x(p.steadyGetP99), x(p.stormGetP50), x(p.stormGetP99)]);
  const window = rows.find((r) => r.result)?.result?.steadyWindowSeconds;
  const steady = window ? `${fixed(window[0], 1)}–${fixed(window[1], 1)}` : '–';
  const notes: string[] = [];
  for (const row of rows) {
    if (row.failure) notes.push(`  ! ${row.label}: no result: ${row.failure}`);
    const r = row.result;
    if (!r) continue;
    if (r.verdict !== 'PASS') notes.push(`  ! ${row.label}: verdict ${r.verdict}: ${r.reasons.join(' | ') || '(no reasons given)'}`);
    if (r.stats.errors > 0 || r.resolverErrors > 0 || r.garbageValues > 0) {
      const when = r.errorsBetweenSeconds ? `, ${fixed(r.errorsBetweenSeconds[0])}–${fixed(r.errorsBetweenSeconds[1])} s after the restore` : '';
      notes.push(`  ! ${row.label}: ${int(r.stats.errors)} cache errors${when}, ${int(r.resolverErrors)} resolver errors, ${int(r.garbageValues)} garbage values`);
      for (const [kind, n] of Object.entries(r.errorKinds)) notes.push(`      ${int(n)} × ${kind}`);
    }
    if ((row.path === 'proxy') !== r.proxy && r.adapter !== 'memory') notes.push(`  ! ${row.label}: asked for ${row.path} but the run ${r.proxy ? 'had' : 'had no'} proxy`);
    if (r.proxy) notes.push(`  · ${row.label}: the proxy opened ${int(r.proxyConnections)} connection(s) and carried ${fixed((r.proxyBytes ?? 0) / 2 ** 20, 1)} MB`);
  }
  return [
    heading('1. Cache traffic: each adapter under the same 10,000-camera storm, each in its own process, one after another'),
    table(
      ['run', 'library', 'verdict', 'back/dropped', 'wall s', 'gets', 'hit %', 'sets', 'deletes', 'errors', 'ops/s', 'ops/s vs mem', 'steady gets/s', 'storm gets/s', 'busiest 1 s gets'],
      outcome,
    ),
    '  ops/s = (gets + sets + deletes) / the run\'s wall time (summary.realSeconds, incl. start-up and teardown).',
    `  steady = ${steady} s after the restore: normal traffic once the storm and the transfer have settled. storm = from the`,
    '  restore to the last camera CONNACK + 1 s (each camera\'s snapshot follows its connect within 1 s). busiest 1 s = the',
    '  most gets finished in any second, @ when it ended, in s from the restore (negative: during the first connect).',
    '  The traffic is offered by the fleet (events, snapshots): equal ops/s means the adapter kept up, not that it is its ceiling.',
    heading('2. Latency around each adapter call, ms (in the service\'s process, so it includes waiting for the event loop)'),
    table(
      ['run', 'all p50', 'all p99', 'all max', 'p50 vs mem', 'p99 vs mem', 'get p50 steady', 'get p99 steady', 'p99 steady vs mem', 'get p50 storm', 'get p99 storm', 'loop lag p99 storm'],
      latency,
    ),
    '  all = summary.cache.stats.latency (gets, sets and deletes; HDR histogram at 1 µs resolution, so memory\'s few µs are coarse);',
    '  get = gets only (bench probe on ObservedCache, exact). loop lag = how late a 10 ms timer fired (bench probe): during the',
    '  storm a network reply waits about this long to be read, while the in-process memory adapter resolves without the loop.',
    heading('3. Through the chaos proxy (no toxics) vs direct to the same server, same library: proxy / direct'),
    table(['library', 'ops/s', 'all p50', 'all p99', 'get p50 steady', 'get p99 steady', 'get p50 storm', 'get p99 storm'], proxyRows),
    ...notes,
  ].join('\n');
}
