import { randomBytes } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChalkInstance } from 'chalk';
import { EmbeddedBroker } from '../broker/embedded-broker.ts';
import { loadCacheAdapter } from '../cache/load-adapter.ts';
import { CrosswireError, isCrosswireError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { Credentials, externalBrokerSecret } from '../registry/credentials.ts';
import { Registry } from '../registry/registry.ts';
import type { RunSummary } from '../report/summary.ts';
import { appendStepSummary } from '../report/write-reports.ts';
import { mergeRun, type ShardRun } from '../runner/merge-run.ts';
import { checkWorkerLayout, workerLayout } from '../runner/worker-capacity.ts';
import { runWorkers, type WorkerExit } from '../runner/worker-processes.ts';
import { resolvedScenarioYaml } from '../scenario/resolved-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { startPrivateServer, type PrivateServer } from '../servers/private-server.ts';
import { createRunDirectory, findHistory, readRunSummary, RUN_FILES, writeRunDirectory, writeRunError } from '../store/run-store.ts';
import { ViolationSpool, writeViolationFiles } from '../store/violation-files.ts';
import { TcpServerTransport } from '../transport/tcp-transport.ts';
import { WsServerTransport } from '../transport/ws-transport.ts';
import type { RunSnapshot } from '../metrics/run-snapshot.ts';
import { combineSnapshots } from '../runner/combined-snapshot.ts';
import { debugLog } from './debug.ts';
import { openMetricsEndpoint } from './metrics-endpoint.ts';
import { createProgress } from './progress/create-progress.ts';
import { performance } from 'node:perf_hooks';
import { abortOnInterrupt } from './interrupt-signals.ts';

export interface WorkersRunOptions {
  outDir: string;
  file: string | undefined;
  repro: string;
  /** Where `workers` came from, for messages (a flag, the environment, the file). */
  origin: string;
  /** Say what happens on stderr (off for --quiet and --json). */
  chatty: boolean;
  err: ChalkInstance;
  barrierTimeoutMs: number;
  /** `--metrics-port`: one endpoint here, the workers' live numbers added up. */
  metricsPort?: number;
}

/** Past the scenario's own wall-clock length, how long the workers may take to start, meet and report. */
const DEADLINE_MARGIN_MS = 120_000;
/** After Ctrl-C (or the deadline), how long a worker has to heal and write its partial report. */
const STOP_GRACE_MS = 30_000;

/**
 * `crosswire run --workers N`: one run, one verdict, N processes on this machine. The parent
 * serves the embedded broker on loopback TCP and the private cache server the adapter needs;
 * each worker runs shard i of N against them (`--shard i/N --broker … --cache-url …`, its own
 * chaos proxy in front of the one server); the parent then merges their histories with the
 * checker every run uses. The run directory is made first, and the workers' own run
 * directories go inside it under `shards/`, never deleted.
 */
export async function workersRun(scenario: Scenario, options: WorkersRunOptions): Promise<{ summary: RunSummary | undefined; runDir: string; exitCode: number }> {
  const workers = scenario.workers!;
  const { err } = options;
  const registry = Registry.generate(scenario.seed, { ...scenario.fleet, identities: scenario.identities });
  const layout = workerLayout(registry, workers);
  checkWorkerLayout(layout, options.origin);
  // a port in use is exit 2 before anything starts
  const metrics = await openMetricsEndpoint(options.metricsPort, err);
  const startedAt = new Date();
  const runDir = await createRunDirectory(options.outDir, scenario.name, scenario.seed, startedAt, resolvedScenarioYaml(scenario, options.file), `merged${workers}`);
  const shardsDir = join(runDir, 'shards');
  await mkdir(shardsDir); // made once here: the workers would race to make it
  // the workers' live snapshots, latest of each: one progress display and one /metrics for the run
  const latest: RunSnapshot[] = [];
  const startedReal = performance.now();
  // until every worker has reported (each is past building its fleet), the run has not started
  const combined = () => combineSnapshots(latest.filter((s) => s !== undefined).length === workers ? latest : [], {
    durationMs: scenario.duration,
    drainAt: scenario.duration - scenario.drain,
    elapsedRealMs: performance.now() - startedReal,
  });
  const progress = options.chatty ? createProgress(process.stderr, err) : undefined;
  const say = (text: string) => {
    if (!options.chatty) return;
    if (progress) progress.note(err.dim(text));
    else process.stderr.write(err.dim(`${text}\n`));
  };

  const controller = new AbortController();
  // the workers die with the parent ('exit') on a second Ctrl-C
  const stopListening = abortOnInterrupt(controller, () => {
    const note = err.yellow('interrupted: the workers heal their faults and write partial reports…');
    if (progress) progress.note(note);
    else process.stderr.write(`\n${note}\n`);
  });
  let server: PrivateServer | undefined;
  let broker: EmbeddedBroker | undefined;
  try {
    // a per-run passphrase: the workers derive the broker passwords and watermark key from it
    const passphrase = process.env.CROSSWIRE_BROKER_SECRET || randomBytes(16).toString('hex');
    const transport = new TcpServerTransport('127.0.0.1');
    // WebSocket cameras or viewers: the same aedes serves a WebSocket listener beside TCP
    const wantsWs = scenario.fleet.cameraTransport === 'ws' || scenario.fleet.viewerTransport === 'ws';
    const ws = wantsWs ? new WsServerTransport('127.0.0.1') : undefined;
    broker = await EmbeddedBroker.start(transport, new Credentials(externalBrokerSecret(scenario.seed, passphrase)), registry, scenario.broker, ws);
    const brokerUrl = `mqtt://127.0.0.1:${transport.port}`;
    const definition = await loadCacheAdapter(scenario.cache.adapter, 'cache.adapter');
    if (definition.server !== undefined && scenario.cache.url === undefined) server = await startPrivateServer(definition.server);
    const cacheUrl = server?.url ?? scenario.cache.url;
    say(
      `workers: ${workers} processes (${layout.workers.map((w) => `${w.cameras} cameras + ${w.viewers} viewers`).join(', ')}), ` +
        `broker ${brokerUrl}${ws?.url ? ` and ${ws.url}` : ''} here (${layout.parentSockets} connections)${cacheUrl ? `, cache server ${cacheUrl}` : ''}\nrun directory ${runDir}`,
    );
    const runId = `${scenario.name}-seed${scenario.seed}-${randomBytes(4).toString('hex')}`;
    const env: NodeJS.ProcessEnv = { ...process.env, CROSSWIRE_BROKER_SECRET: passphrase };
    delete env.GITHUB_STEP_SUMMARY; // the parent appends the one merged summary
    const scenarioFile = join(runDir, RUN_FILES.resolvedScenario);
    const specs = Array.from({ length: workers }, (_, index) => ({
      index,
      env,
      args: [
        ...process.execArgv, process.argv[1], 'run', scenarioFile,
        '--shard', `${index}/${workers}`, '--broker', brokerUrl, '--run-id', runId, '--barrier-timeout', `${Math.ceil(options.barrierTimeoutMs / 1000)}s`,
        '--out-dir', shardsDir, '--keep-runs', 'off', '--json', '--quiet', '--no-color',
        ...(cacheUrl !== undefined ? ['--cache-url', cacheUrl] : []),
        ...(ws?.url !== undefined ? ['--broker-ws-url', ws.url] : []),
      ],
    }));
    const wallMs = scenario.duration / scenario.timeScale;
    progress?.attach(combined);
    metrics?.live({ scenario: scenario.name, seed: scenario.seed, cache: scenario.cache.adapter })(combined);
    const { exits, timedOut } = await runWorkers(specs, {
      signal: controller.signal,
      deadlineMs: options.barrierTimeoutMs + wallMs * 2 + DEADLINE_MARGIN_MS,
      graceMs: STOP_GRACE_MS,
      onStderrLine: (i, line) => {
        if (!(options.chatty || process.env.CROSSWIRE_DEBUG) || line.trim() === '') return;
        if (progress) progress.note(err.dim(`[worker ${i}] ${line}`));
        else process.stderr.write(err.dim(`[worker ${i}] ${line}\n`));
      },
      onSnapshot: (i, snapshot) => (latest[i] = snapshot),
  });
    progress?.stop();
    for (const e of exits) debugLog(`worker ${e.index}: exit ${e.code ?? e.signal}`);
    const interrupted = controller.signal.aborted || timedOut;
    const failed = exits.find((e) => e.code !== ExitCode.pass && !(interrupted && (e.code === ExitCode.interrupted || e.signal !== null)));
    if (failed !== undefined) throw workerFailure(failed, exits);
    const shards = await shardRuns(shardsDir, exits);
    const merged = await mergeInto(runDir, shards, startedAt, options.repro).catch((error: unknown) => {
      if (!interrupted) throw error;
      throw new CrosswireError('WORKERS_INTERRUPTED', `interrupted before the workers' histories could be merged: ${(error as Error).message}`, ExitCode.interrupted);
  });
    if (timedOut) process.stderr.write(err.yellow(`the workers outlived their deadline and were stopped: the report is partial\n`));
    await writeRunDirectory(options.outDir, merged);
    await appendStepSummary(merged);
    return { summary: merged, runDir, exitCode: merged.exitCode };
  } catch (error) {
    // the run directory keeps why it holds no verdict (the workers' directories stay inside it)
    await writeRunError(runDir, errorRecord(error)).catch(() => undefined);
    throw error;
  } finally {
    progress?.stop();
    await metrics?.close();
    stopListening();
    await broker?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
  }
}

/** Every worker's run directory: from what it printed, else found under shards/ (an interrupted worker). */
async function shardRuns(shardsDir: string, exits: WorkerExit[]): Promise<ShardRun[]> {
  const dirs: string[] = [];
  for (const e of exits) {
    try {
      dirs.push((JSON.parse(e.stdout) as { runDirectory: string }).runDirectory);
    } catch {
      const found = await findShardDir(shardsDir, e.index, exits.length);
      if (found !== undefined) dirs.push(found);
    }
  }
  const runs: ShardRun[] = [];
  for (const dir of dirs) runs.push({ dir, historyFile: await findHistory(dir), summary: await readRunSummary(dir).catch(() => undefined) });
  return runs;
}

async function findShardDir(shardsDir: string, index: number, count: number): Promise<string | undefined> {
  for (const scenario of await readdir(shardsDir).catch(() => [])) {
    const name = (await readdir(join(shardsDir, scenario)).catch(() => [])).find((n) => n.endsWith(`-shard${index}of${count}`));
    if (name !== undefined) return join(shardsDir, scenario, name);
  }
  return undefined;
}

/** The workers' histories merged and judged into the run directory made at the start. */
async function mergeInto(runDir: string, shards: ShardRun[], startedAt: Date, repro: string): Promise<RunSummary> {
  const spool = new ViolationSpool(runDir);
  const { summary, checker } = await mergeRun(shards, join(runDir, RUN_FILES.history), { onViolation: spool.add }).catch(async (error: unknown) => {
    await spool.discard().catch(() => undefined);
    throw error;
  });
  // named and reproduced as the parent's run: the directory made at its start, its command line
  summary.startedAt = startedAt.toISOString();
  summary.repro = repro;
  summary.history = { ...summary.history!, file: join(runDir, RUN_FILES.history) };
  // the workers saw an external broker; it was this process's own aedes, in its own thread
  summary.fleet = { ...summary.fleet, transport: 'tcp', brokerThread: 'inline', brokerUrl: undefined };
  await writeViolationFiles(runDir, spool, (v) => checker.blameOf(v));
  return summary;
}

/** A worker that stopped without a history to merge: its own exit code and words, and the others'. */
function workerFailure(failed: WorkerExit, exits: WorkerExit[]): CrosswireError {
  const how = failed.code === null ? `was killed (${failed.signal ?? 'could not start'})` : `exited ${failed.code}`;
  const said = failed.stderrTail.trim() === '' ? '' : `:\n${failed.stderrTail.trim().split('\n').slice(-5).join('\n')}`;
  const others = exits.filter((e) => e !== failed).map((e) => `worker ${e.index}: ${e.code ?? e.signal}`).join(', ');
  const code = failed.code !== null && failed.code !== ExitCode.pass ? failed.code : ExitCode.internal;
  return new CrosswireError('WORKER_FAILED', `worker ${failed.index} ${how}${others ? ` (${others})` : ''}${said}`, code);
}

function errorRecord(error: unknown): { code: string; exitCode: number; message: string } {
  if (isCrosswireError(error)) return { code: error.code, exitCode: error.exitCode, message: error.message };
  return { code: 'INTERNAL', exitCode: ExitCode.internal, message: (error as Error)?.message ?? String(error) };
}
