import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cacheAdapters } from '../src/cache/builtin-adapters.ts';
import { serverBinaryAvailable } from '../src/servers/private-server.ts';
import { cacheSections, planLine, proxyVsDirect, ratiosVsMemory, type CacheRow } from './cache-adapters-report.ts';
import { CACHE_PLAN, type CacheStormResult } from './cache-storm.ts';
import { runChild, summarizeFailure } from './child-task.ts';
import { heading } from './format.ts';
import { machineInfo } from './machine.ts';

const CACHE_ENTRY = fileURLToPath(new URL('./cache-task-entry.ts', import.meta.url));

/**
 * The real cache adapters under a 10,000-camera reconnect storm, against the in-memory adapter:
 * cache operations per second, latency percentiles, and the chaos proxy (no toxics) against a
 * direct connection to the same private server. Every run is the same scenario (cache-storm.ts)
 * in its own child process, one after another; memory runs first (the baseline of every ratio)
 * and again last (how much the figures move between two identical runs). Prints tables
 * (progress goes to stderr) and writes reports/bench-cache-adapters.json. About 5 minutes.
 *
 *   npm exec -- node --expose-gc --max-old-space-size=16384 bench/cache-adapters.bench.ts
 *
 * Env: BENCH_CACHE_ADAPTERS=ioredis,node-redis,memjs (which network adapters; memory always runs)
 */
const NETWORK = (process.env.BENCH_CACHE_ADAPTERS ?? 'ioredis,node-redis,memjs').split(',').filter(Boolean);
const OUT = fileURLToPath(new URL('../reports/bench-cache-adapters.json', import.meta.url));
const COMMAND = ['node', ...process.execArgv, 'bench/cache-adapters.bench.ts'].join(' ');
/** A run lasts CACHE_PLAN.duration plus start-up and teardown; a child past this is killed and reported. */
const CHILD_TIMEOUT_MS = CACHE_PLAN.duration + 90_000;

// proxy first for one library, direct first for the next: drift over the bench does not favour one path
const plannedRows: Omit<CacheRow, 'result'>[] = [
  { label: 'memory', adapter: 'memory', path: 'direct' },
  ...NETWORK.flatMap((adapter, i) => {
    const proxied = { label: `${adapter} via proxy`, adapter, path: 'proxy' as const };
    const direct = { label: `${adapter} direct`, adapter, path: 'direct' as const };
    return i % 2 === 0 ? [proxied, direct] : [direct, proxied];
  }),
  { label: 'memory (again, last)', adapter: 'memory', path: 'direct' },
];

const started = performance.now();
const machine = machineInfo();
const log = (line: string) => process.stderr.write(`${line}\n`);
const header = () =>
  [
    heading('crosswire bench: cache adapters under a reconnect storm, real servers (private) vs the in-memory adapter'),
    `  command : ${COMMAND}`,
    `  machine : ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGB} GB RAM (${machine.freeMemoryGB} GB free), ${machine.os}`,
    `  load    : 1-min load average ${machine.loadAverage1m} at start` +
      (machine.loadAverage1mAtEnd === undefined ? '' : `, ${machine.loadAverage1mAtEnd} at end (the bench itself keeps ≈1 core busy)`),
    `  runtime : node ${machine.node} (V8 ${machine.v8}), git ${machine.gitCommit ?? '?'} (+ uncommitted changes, if any)`,
    planLine(CACHE_PLAN),
  ].join('\n');
log(header());

const rows: CacheRow[] = [];
for (const [i, planned] of plannedRows.entries()) {
  const row: CacheRow = { ...planned };
  rows.push(row);
  const definition = cacheAdapters.get(row.adapter);
  if (definition === undefined) {
    row.failure = `unknown adapter ${row.adapter}`;
    continue;
  }
  if (definition.server !== undefined && !serverBinaryAvailable(definition.server)) {
    row.failure = `${definition.server} is not installed (the runner starts a private one)`;
    continue;
  }
  log(`\n▶ ${i + 1}/${plannedRows.length} ${row.label}: ${CACHE_PLAN.duration / 1000} s storm run (load average ${loadavg()[0].toFixed(2)})`);
  const outcome = await runChild([row.label, row.adapter, row.path], CHILD_TIMEOUT_MS, CACHE_ENTRY);
  row.childWallSeconds = outcome.wallSeconds;
  row.result = outcome.results.find((r) => r.part === 'cache') as CacheStormResult | undefined;
  if (outcome.exitCode !== 0 || !row.result) row.failure = summarizeFailure(outcome);
}

machine.loadAverage1mAtEnd = Math.round(loadavg()[0] * 100) / 100;
const ratios = ratiosVsMemory(rows);
const proxy = proxyVsDirect(rows);
const totalSeconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${[header(), cacheSections(rows, ratios, proxy), `\n  total bench time ${totalSeconds.toFixed(0)} s; results (with per-second rows) in ${OUT}\n`].join('\n')}\n`,
);

mkdirSync(fileURLToPath(new URL('../reports/', import.meta.url)), { recursive: true });
writeFileSync(
  OUT,
  `${JSON.stringify(
    { schema: 'crosswire-bench-cache/1', at: new Date().toISOString(), command: COMMAND, machine, totalSeconds, plan: CACHE_PLAN, rows, ratiosVsMemory: ratios, proxyVsDirect: proxy },
    null,
    2,
  )}\n`,
);
// the bench reports what it measured, it asserts nothing: exit 0 once the results are written
