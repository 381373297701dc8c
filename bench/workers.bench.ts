import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunSummary } from '../src/report/summary.ts';
import { resolvedScenarioYaml } from '../src/scenario/resolved-scenario.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { fixed, heading, int, table } from './format.ts';
import { childrenOf, cpuOf, fdCount } from './proc-stats.ts';
import { planFor, stormScenario } from './storm-scenario.ts';

/**
 * `crosswire run --workers N` on this machine: the cameras' storm (every camera cut off, let
 * back at once, fixed 1 s backoff) over loopback TCP in one process (no workers: broker and
 * fleet together), with 1 worker and with 2, same scenario and seed, in turn; then the capacity run: BENCH_CAPACITY_DEVICES (default 19,000) cameras in ONE
 * worker process, with few viewers (1 per account, 60–90 cameras per account) so every socket
 * fits the 20,000-descriptor limit of the worker and of the broker's process. Each run is the
 * CLI as a user runs it; descriptors are sampled from /proc every 250 ms.
 * Knobs: BENCH_WORKER_DEVICES (default 6000, which one process holds over TCP), BENCH_REPEATS (1), BENCH_CAPACITY_DEVICES (19000; 0 skips).
 */
const devices = Number(process.env.BENCH_WORKER_DEVICES ?? 6000);
const repeats = Number(process.env.BENCH_REPEATS ?? 1);
const capacityDevices = Number(process.env.BENCH_CAPACITY_DEVICES ?? 19_000);
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'crosswire-workers-bench-'));

interface Measured {
  label: string;
  workers: number;
  devices: number;
  summary: RunSummary | undefined;
  stderr: string;
  wallSeconds: number;
  /** The most descriptors the parent (broker) and any one worker held at once. */
  parentFds: number;
  workerFds: number;
  /** CPU seconds (user + system) of the parent (the broker) and of all workers together. */
  parentCpu: number;
  workersCpu: number;
}

async function run(label: string, scenario: Scenario, workers: number): Promise<Measured> {
  const file = join(dir, `${scenario.name}-${workers}.yaml`);
  writeFileSync(file, resolvedScenarioYaml(scenario, undefined));
  const started = performance.now();
  // workers 0: one process, the embedded broker and the fleet together (the layout without --workers)
  const layout = workers === 0 ? [] : ['--workers', String(workers)];
  const child = spawn(process.execPath, ['--max-old-space-size=8192', CLI, 'run', file, ...layout, '--json', '--out-dir', join(dir, 'runs'), '--keep-runs', 'off'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  let parentFds = 0;
  let workerFds = 0;
  let parentCpu = 0;
  const workerCpu = new Map<number, number>();
  const sampler = setInterval(() => {
    parentFds = Math.max(parentFds, fdCount(child.pid!));
    parentCpu = cpuOf(child.pid!) ?? parentCpu;
    for (const pid of childrenOf(child.pid!)) {
      workerFds = Math.max(workerFds, fdCount(pid));
      workerCpu.set(pid, cpuOf(pid) ?? workerCpu.get(pid) ?? 0);
    }
  }, 250);
  await new Promise<void>((resolve) => child.once('close', () => resolve()));
  clearInterval(sampler);
  let summary: RunSummary | undefined;
  try {
    summary = JSON.parse(stdout) as RunSummary;
  } catch {
    summary = undefined;
  }
  // CPU up to the last sample (≤ 250 ms before each process ended)
  const workersCpu = [...workerCpu.values()].reduce((a, b) => a + b, 0);
  return { label, workers, devices: scenario.fleet.devices, summary, stderr, wallSeconds: (performance.now() - started) / 1000, parentFds, workerFds, parentCpu, workersCpu };
}

function row(m: Measured): string[] {
  const s = m.summary;
  const storm = s?.storms[0];
  const rate = storm && storm.realSeconds > 0 ? storm.reconnected / storm.realSeconds : undefined;
  return [
    m.label,
    m.workers === 0 ? 'none' : String(m.workers),
    int(m.devices),
    s ? int(s.fleet.viewers) : '–',
    s ? `${s.verdict}${s.verdict === 'PASS' ? '' : ` (${s.reasons.slice(0, 2).join('; ')})`}` : `no summary: ${m.stderr.trim().split('\n').slice(-2).join(' ')}`,
    storm ? `${int(storm.dropped)} → ${int(storm.reconnected)}` : '–',
    rate === undefined ? '–' : int(rate),
    storm ? `${fixed(storm.timeToReconnect.p50 / 1000)} / ${fixed(storm.timeToReconnect.max / 1000)} s` : '–',
    int(m.parentFds),
    int(m.workerFds),
    `${fixed(m.parentCpu, 1)} / ${fixed(m.workersCpu, 1)}`,
    fixed(m.wallSeconds, 1),
  ];
}

const rows: Measured[] = [];
const before = loadavg();
const plan = planFor(devices, 1500);
const stormCase = await stormScenario(plan, 'cameras');
stormCase.name = `bench-workers-${devices}`;
stormCase.fleet.transport = 'tcp';
const layouts = [0, 1, 2];
for (let r = 0; r < repeats; r++) {
  for (const workers of layouts) rows.push(await run(`cameras' storm #${r + 1}`, stormCase, workers));
}
if (capacityDevices > 0) {
  const capacity = structuredClone(await stormScenario(planFor(capacityDevices, 1500), 'cameras'));
  capacity.name = `bench-workers-capacity-${capacityDevices}`;
  capacity.fleet.transport = 'tcp';
  capacity.fleet.devicesPerAccount = { min: 60, max: 90 };
  capacity.fleet.viewersPerAccount = { min: 1, max: 1 };
  rows.push(await run('one worker at capacity', capacity, 1));
}
const after = loadavg();

console.log(heading(`crosswire run --workers: ${cpus().length} cores, load average ${before.map((l) => l.toFixed(2)).join(' ')} before, ${after.map((l) => l.toFixed(2)).join(' ')} after`));
console.log(`command: node bench/workers.bench.ts (BENCH_WORKER_DEVICES=${devices} BENCH_REPEATS=${repeats} BENCH_CAPACITY_DEVICES=${capacityDevices})`);
console.log(table(['run', 'workers', 'cameras', 'viewers', 'verdict', 'cut → back', 'cameras/s', 'reconnect p50 / max', 'broker fds', 'worker fds (max)', 'CPU s broker / workers', 'wall s'], rows.map(row)));
for (let r = 0; r < repeats; r++) {
  const [none, one, two] = rows.slice(layouts.length * r, layouts.length * (r + 1));
  const rate = (m: Measured) => {
    const storm = m.summary?.storms[0];
    return storm && storm.realSeconds > 0 ? storm.reconnected / storm.realSeconds : NaN;
  };
  console.log(`repeat ${r + 1}: cameras/s, 1 worker / one process ${fixed(rate(one) / rate(none))}×, 2 workers / one process ${fixed(rate(two) / rate(none))}×, 2 workers / 1 worker ${fixed(rate(two) / rate(one))}×`);
}
rmSync(dir, { recursive: true, force: true });
