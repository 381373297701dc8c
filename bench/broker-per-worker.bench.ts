import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { RunSummary } from '../src/report/summary.ts';
import { mergeRun } from '../src/runner/merge-run.ts';
import { resolvedScenarioYaml } from '../src/scenario/resolved-scenario.ts';
import { startPrivateServer } from '../src/servers/private-server.ts';
import { findHistory, readRunSummary } from '../src/store/run-store.ts';
import { fixed, heading, int, table } from './format.ts';
import { childrenOf, cpuOf } from './proc-stats.ts';
import { planFor, stormScenario } from './storm-scenario.ts';

/**
 * Today's `crosswire run --workers N` (one aedes in the parent, every worker's clients on it over
 * TCP) against a clustered layout (each worker process serves its OWN aedes for its own shard,
 * the brokers sharing one message bus: mqemitter-redis on a private redis-server), 1 and 2
 * workers each, the cameras' storm (every camera cut off and let back at once, fixed 1 s
 * backoff), same scenario and seed, in alternating order so every layout shares the machine's
 * load alike; then one process without workers (broker and fleet together, aedes' in-process
 * bus), which a clustered worker is plus the redis bus. The clustered runs are merged and judged
 * with the same checker as `--workers`.
 * Knobs: BENCH_WORKER_DEVICES (default 6000), BENCH_REPEATS (1).
 */
const devices = Number(process.env.BENCH_WORKER_DEVICES ?? 6000);
const repeats = Number(process.env.BENCH_REPEATS ?? 1);
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const WORKER = fileURLToPath(new URL('./clustered-worker.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'crosswire-broker-per-worker-bench-'));

interface Measured {
  label: string;
  summary: RunSummary | undefined;
  problem: string;
  wallSeconds: number;
  /** CPU seconds (user + system): the process started (today's parent: the broker), its workers, redis. */
  cpu: { parent: number; workers: number; bus: number };
}

/** Samples the CPU of `root` and of its children until `done` settles. */
async function sampled(root: number, done: Promise<unknown>): Promise<Measured['cpu']> {
  const seen = new Map<number, number>();
  let parent = 0;
  const sampler = setInterval(() => {
    parent = cpuOf(root) ?? parent;
    for (const pid of childrenOf(root)) seen.set(pid, cpuOf(pid) ?? seen.get(pid) ?? 0);
  }, 250);
  await done;
  clearInterval(sampler);
  return { parent, workers: [...seen.values()].reduce((a, b) => a + b, 0), bus: 0 };
}

function collect(child: ReturnType<typeof spawn>): Promise<{ stdout: string; stderr: string; code: number | null }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ stdout, stderr, code })));
}

/** Today's layout: the CLI as a user runs it. */
async function today(file: string, workers: number): Promise<Measured> {
  const started = performance.now();
  // workers 0: one process, the embedded broker (aedes' in-process mq) and the fleet together
  const layout = workers === 0 ? [] : ['--workers', String(workers)];
  const child = spawn(process.execPath, ['--max-old-space-size=8192', CLI, 'run', file, ...layout, '--json', '--out-dir', join(dir, 'runs'), '--keep-runs', 'off'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const out = collect(child);
  const cpu = await sampled(child.pid!, out);
  const { stdout, stderr } = await out;
  let summary: RunSummary | undefined;
  try {
    summary = JSON.parse(stdout) as RunSummary;
  } catch {
    summary = undefined;
  }
  return { label: workers === 0 ? 'one process, no workers' : `today, --workers ${workers}`, summary, problem: stderr.trim().split('\n').slice(-2).join(' '), wallSeconds: (performance.now() - started) / 1000, cpu };
}

/** The prototype: N clustered-worker processes, one private redis-server as their bus, then the merge. */
async function clustered(file: string, workers: number): Promise<Measured> {
  const started = performance.now();
  const redis = await startPrivateServer('redis');
  const runId = `bench-${randomBytes(4).toString('hex')}`;
  const shardsDir = join(dir, `shards-${runId}`);
  mkdirSync(shardsDir);
  const env = { ...process.env, NO_COLOR: '1', CROSSWIRE_BROKER_SECRET: randomBytes(16).toString('hex') };
  const children = Array.from({ length: workers }, (_, i) =>
    spawn(process.execPath, ['--max-old-space-size=8192', WORKER, file, String(i), String(workers), redis.url, '--run-id', runId, '--out-dir', shardsDir, '--keep-runs', 'off', '--json', '--quiet', '--no-color'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    }),
  );
  const outs = Promise.all(children.map(collect));
  // the workers are this process's children; so is redis-server (its CPU is the bus's)
  const seen = new Map<number, number>();
  const workerPids = new Set(children.map((c) => c.pid!));
  const sampler = setInterval(() => {
    for (const pid of childrenOf(process.pid)) seen.set(pid, cpuOf(pid) ?? seen.get(pid) ?? 0);
  }, 250);
  const results = await outs;
  clearInterval(sampler);
  await redis.stop();
  const cpu = { parent: 0, workers: 0, bus: 0 };
  for (const [pid, s] of seen) {
    if (workerPids.has(pid)) cpu.workers += s;
    else cpu.bus += s; // redis-server (ps, sampled between, adds nothing measurable)
  }
  const label = `clustered, ${workers} worker${workers === 1 ? '' : 's'}`;
  const failed = results.find((r) => r.code !== 0);
  if (failed !== undefined) return { label, summary: undefined, problem: `worker exit ${failed.code}: ${failed.stderr.trim().split('\n').slice(-3).join(' ')}`, wallSeconds: (performance.now() - started) / 1000, cpu };
  const shards = [];
  for (const r of results) {
    const runDirectory = (JSON.parse(r.stdout) as { runDirectory: string }).runDirectory;
    shards.push({ dir: runDirectory, historyFile: await oneBrokerUrl(await findHistory(runDirectory)), summary: await readRunSummary(runDirectory).catch(() => undefined) });
  }
  const { summary } = await mergeRun(shards, join(shardsDir, 'merged-history.ndjson'));
  return { label, summary, problem: '', wallSeconds: (performance.now() - started) / 1000, cpu };
}

/**
 * The history with its header's broker URL (each worker's own aedes) replaced by one name for
 * the cluster: the merge takes shards that ran against different URLs for different runs.
 */
async function oneBrokerUrl(historyFile: string): Promise<string> {
  const text = (historyFile.endsWith('.gz') ? gunzipSync(readFileSync(historyFile)) : readFileSync(historyFile)).toString();
  const newline = text.indexOf('\n');
  const out = `${historyFile.replace(/(\.ndjson)?(\.gz)?$/, '')}-cluster.ndjson`;
  writeFileSync(out, text.slice(0, newline).replace(/mqtt:\/\/127\.0\.0\.1:\d+/g, 'mqtt://cluster') + text.slice(newline));
  return out;
}

const rate = (m: Measured | undefined) => {
  const storm = m?.summary?.storms[0];
  return storm && storm.realSeconds > 0 ? storm.reconnected / storm.realSeconds : NaN;
};

function row(m: Measured): string[] {
  const s = m.summary;
  const storm = s?.storms[0];
  return [
    m.label,
    s ? `${s.verdict}${s.verdict === 'PASS' ? '' : ` (${s.reasons.slice(0, 2).join('; ')})`}` : `no summary: ${m.problem}`,
    storm ? `${int(storm.dropped)} → ${int(storm.reconnected)}` : '–',
    Number.isNaN(rate(m)) ? '–' : int(rate(m)),
    storm ? `${fixed(storm.timeToReconnect.p50 / 1000)} / ${fixed(storm.timeToReconnect.max / 1000)} s` : '–',
    `${fixed(m.cpu.parent, 1)} / ${fixed(m.cpu.workers, 1)} / ${fixed(m.cpu.bus, 1)}`,
    fixed(m.wallSeconds, 1),
  ];
}

const scenario = await stormScenario(planFor(devices, 1500), 'cameras');
scenario.name = `bench-broker-per-worker-${devices}`;
scenario.fleet.transport = 'tcp';
const file = join(dir, `${scenario.name}.yaml`);
writeFileSync(file, resolvedScenarioYaml(scenario, undefined));
const before = loadavg();
const rounds: Measured[][] = [];
for (let r = 0; r < repeats; r++) {
  rounds.push([await today(file, 1), await today(file, 2), await clustered(file, 1), await clustered(file, 2), await today(file, 0)]);
}
const after = loadavg();
console.log(heading(`--workers, today's layout against one clustered broker per worker: ${cpus().length} cores, load average ${before.map((l) => l.toFixed(2)).join(' ')} before, ${after.map((l) => l.toFixed(2)).join(' ')} after`));
console.log(`command: node bench/broker-per-worker.bench.ts (BENCH_WORKER_DEVICES=${devices} BENCH_REPEATS=${repeats}); ${int(devices)} cameras, ${rounds[0][0].summary ? int(rounds[0][0].summary.fleet.viewers) : '?'} viewers`);
console.log(table(['run', 'verdict', 'cut → back', 'cameras/s', 'reconnect p50 / max', 'CPU s parent / workers / redis', 'wall s'], rounds.flat().map(row)));
rounds.forEach(([t1, t2, c1, c2, one], r) => {
  console.log(
    `repeat ${r + 1}: 2 workers / 1 worker — today ${fixed(rate(t2) / rate(t1))}×, clustered ${fixed(rate(c2) / rate(c1))}×; ` +
      `clustered / today — 1 worker ${fixed(rate(c1) / rate(t1))}×, 2 workers ${fixed(rate(c2) / rate(t2))}×; ` +
      `clustered 2 workers / today's best ${fixed(rate(c2) / Math.max(rate(t1), rate(t2)))}×; clustered 1 worker / one process (the bus's cost) ${fixed(rate(c1) / rate(one))}×`,
  );
});
rmSync(dir, { recursive: true, force: true });
