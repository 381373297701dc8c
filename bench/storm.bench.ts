import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BareOutageResult } from './bare-outage.ts';
import type { BareStormResult } from './bare-storm.ts';
import { runChild, summarizeFailure, type ChildOutcome } from './child-task.ts';
import type { FullStormResult } from './full-storm.ts';
import type { HeapReport } from './heap-per-client.ts';
import { machineInfo } from './machine.ts';
import type { OracleShareResult } from './oracle-share.ts';
import { heapSection, machineSection, oracleSection, stormSection, targetSection } from './report.ts';
import { DEFAULT_RATE, planFor } from './storm-scenario.ts';
import { judgeTargets, TARGETS, type StormPair } from './targets.ts';

/**
 * `npm run bench`: the reconnect storms through the full pipeline against bare aedes baselines
 * in the same process (one plain connection per camera; for the broker outage also the same herd
 * on bare aedes), client heap per camera against mqtt.js, and the oracle's CPU share.
 * Results are ratios against baselines measured in the same run, never timed assertions.
 * Prints a table (progress goes to stderr) and writes reports/bench-latest.json.
 *
 * Env (defaults shown): BENCH_SIZES=10000,100000  BENCH_HEAP_CLIENTS=20000  BENCH_ORACLE_DEVICES=10000
 * BENCH_BROKER_THREAD=inline (the storm's full pipeline in one thread; `worker` puts aedes in its own thread)
 * BENCH_HISTORY_DIR (unset: no history file; a directory: each full storm's history.ndjson goes there)
 */
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const HEAP_CLIENTS = Number(process.env.BENCH_HEAP_CLIENTS ?? 20_000);
const ORACLE_DEVICES = Number(process.env.BENCH_ORACLE_DEVICES ?? 10_000);
const ORACLE_RUNS = 2;
const OUT = fileURLToPath(new URL('../reports/bench-latest.json', import.meta.url));
const COMMAND = `npm run bench  (= ${['node', ...process.execArgv, 'bench/storm.bench.ts'].join(' ')}, Node 24 from devDependencies)`;

if (typeof globalThis.gc !== 'function') {
  process.stderr.write('bench: run with --expose-gc (npm run bench does)\n');
  process.exit(2);
}

const started = performance.now();
const machine = machineInfo();
const log = (line: string) => process.stderr.write(`${line}\n`);
log(machineSection(machine, COMMAND));

function part<T>(outcome: ChildOutcome, name: string): T | undefined {
  return outcome.results.find((r) => r.part === name) as T | undefined;
}

// storms, small to large: each size's measured rate sizes the next size's timeline
const pairs: StormPair[] = [];
let rate = DEFAULT_RATE;
for (const devices of SIZES) {
  const plan = planFor(devices, rate);
  log(`\n▶ storm ${devices.toLocaleString('en-US')} cameras: bare baseline, the full pipeline's camera storm, the outage's like-for-like bare baseline, the full pipeline's broker outage (runs of ${plan.duration / 1000} s, sized for ${Math.round(rate)} cameras/s)`);
  const outcome = await runChild(['storm', String(devices), String(rate)], 2 * plan.duration + 360_000 + 4 * devices);
  const pair: StormPair = {
    devices,
    bare: part<BareStormResult>(outcome, 'bare'),
    bareOutage: part<BareOutageResult>(outcome, 'bareOutage'),
    full: part<FullStormResult>(outcome, 'full'),
    outage: part<FullStormResult>(outcome, 'outage'),
  };
  if (outcome.exitCode !== 0) pair.failure = summarizeFailure(outcome);
  // the next (larger) size is sized from this one, with room: larger fleets connect a little slower
  if (pair.full && pair.full.reconnectShare >= TARGETS.reconnectShare) rate = 0.75 * pair.full.connectsPerSecond;
  pairs.push(pair);
}

log(`\n▶ client heap: ${HEAP_CLIENTS.toLocaleString('en-US')} clients per variant`);
const heapOutcome = await runChild(['heap', String(HEAP_CLIENTS)], 600_000);
const heap = part<HeapReport>(heapOutcome, 'heap');

// twice, each in its own process: the share sits near the target, so one run is not enough
const oracles: OracleShareResult[] = [];
const oracleFailures: string[] = [];
for (let run = 1; run <= ORACLE_RUNS; run++) {
  log(`\n▶ oracle CPU share, run ${run}/${ORACLE_RUNS}: default scenario at ${ORACLE_DEVICES.toLocaleString('en-US')} cameras`);
  const outcome = await runChild(['oracle', String(ORACLE_DEVICES)], 300_000);
  const result = part<OracleShareResult>(outcome, 'oracle');
  if (result) oracles.push(result);
  else oracleFailures.push(summarizeFailure(outcome));
}

const heapFailure = heap ? undefined : summarizeFailure(heapOutcome);
const oracleFailure = oracleFailures.length > 0 ? oracleFailures.join('; ') : undefined;
const targets = judgeTargets(pairs, heap, oracles, heapFailure, oracleFailure);
machine.loadAverage1mAtEnd = Math.round(loadavg()[0] * 100) / 100;
const totalSeconds = (performance.now() - started) / 1000;

const printed = [
  machineSection(machine, COMMAND),
  stormSection(pairs),
  heapSection(heap, heapFailure),
  oracleSection(oracles, oracleFailure),
  targetSection(targets),
  `\n  total bench time ${totalSeconds.toFixed(0)} s; results in ${OUT}\n`,
].join('\n');
process.stdout.write(`${printed}\n`);

mkdirSync(fileURLToPath(new URL('../reports/', import.meta.url)), { recursive: true });
writeFileSync(
  OUT,
  `${JSON.stringify(
    {
      schema: 'crosswire-bench/1',
      at: new Date().toISOString(),
      command: COMMAND,
      machine,
      totalSeconds,
      storm: pairs,
      heap: heap ?? { failure: heapFailure },
      oracle: { runs: oracles, failure: oracleFailure },
      targets,
    },
    null,
    2,
  )}\n`,
);
// the bench reports targets, it does not assert them: exit 0 once the results are written
