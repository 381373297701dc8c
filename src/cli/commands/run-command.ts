import { fileURLToPath } from 'node:url';
import { isAdapterModulePath, cacheAdapters, unknownAdapterMessage } from '../../cache/builtin-adapters.ts';
import { loadCacheAdapter } from '../../cache/load-adapter.ts';
import { CrosswireError, isCrosswireError, usageError } from '../../errors.ts';
import { quietSummary, renderConsoleSummary } from '../../report/console-summary.ts';
import { loadScenarioFile, type Override } from '../../scenario/load-scenario.ts';
import { ExitCode } from '../../exit-codes.ts';
import { debugLog } from '../debug.ts';
import { openMetricsEndpoint } from '../metrics-endpoint.ts';
import { checkOutDir } from '../../store/out-dir-check.ts';
import { makeChalk } from '../output.ts';
import { applyKeepRuns, keepRunsFor } from '../keep-runs.ts';
import { recordRun } from '../record-run.ts';
import { overridesFrom, reproCommand, type RunFlags } from '../scenario-overrides.ts';
import type { Scenario } from '../../scenario/schema.ts';
import { DEFAULT_BARRIER_MARGIN_MS, DEFAULT_BARRIER_TIMEOUT_MS, type ShardStartOptions } from '../../runner/shard-start.ts';
import { parseDuration } from '../../fields/duration.ts';
import type { ChalkInstance } from 'chalk';
import { sendSnapshotsToParent, watchParent } from '../../runner/worker-processes.ts';
import type { RunSnapshot } from '../../metrics/run-snapshot.ts';
import { workersRun } from '../workers-run.ts';
import { checkOneProcessLayout } from '../../runner/worker-capacity.ts';
import { Registry } from '../../registry/registry.ts';
import { usesSockets } from '../../scenario/broker-checks.ts';

export interface RunCommandOptions extends RunFlags {
  outDir: string;
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  /** Serve Prometheus metrics on 127.0.0.1 at this port while the run goes on (0: any free port). */
  metricsPort?: number;
  keepRuns?: number | 'off';
  /** A shard: the run's name on the broker's control topic, time zero given outright, the barrier's time limit. */
  runId?: string;
  startAt?: string;
  barrierTimeout?: number;
}

export const DEFAULT_SCENARIO = fileURLToPath(new URL('../../../scenarios/reconnect-storm.yaml', import.meta.url));

/** `crosswire run [scenario]`: load, override, run, report; returns the exit code. */
export async function runCommand(file: string | undefined, options: RunCommandOptions): Promise<number> {
  const scenarioFile = file ?? DEFAULT_SCENARIO;
  if (options.devices !== undefined && options.accounts !== undefined) {
    throw usageError('CONFLICTING_FLAGS', 'flags --devices and --accounts: give one; with --accounts the device count follows from devicesPerAccount');
  }
  const overrides = overridesFrom(options);
  checkAdapterOverride(overrides);
  debugLog(`scenario ${scenarioFile}`);
  for (const o of overrides) debugLog(`override ${o.path.join('.')} = ${JSON.stringify(o.value)} (${o.origin})`);
  const { scenario } = await loadScenarioFile(scenarioFile, overrides);
  if (isAdapterModulePath(scenario.cache.adapter)) {
    // loaded here first so that a module that cannot load is blamed on the input that named it
    const origin = overrides.findLast((o) => o.path.join('.') === 'cache.adapter')?.origin ?? `${file ?? scenarioFile}: cache.adapter`;
    await loadCacheAdapter(scenario.cache.adapter, origin);
  }
  debugLog(`resolved: ${scenario.fleet.devices} devices, cache ${scenario.cache.adapter}${scenario.cache.url ? ` at ${scenario.cache.url}` : ''}, clock ${scenario.clock}, transport ${scenario.fleet.transport}, out-dir ${options.outDir}`);
  await checkOutDir(options.outDir);
  const keep = keepRunsFor(options.keepRuns, options.outDir);

  const err = makeChalk(process.stderr, options.color === false);
  const out = makeChalk(process.stdout, options.color === false);
  const repro = reproCommand(file, options, scenario.seed, undefined, process.env);
  if (!options.quiet) {
    process.stderr.write(err.dim(`crosswire: ${scenario.name} seed ${scenario.seed} (${file ?? 'built-in default'})\n`));
  }

  if (scenario.workers !== undefined && scenario.shard === undefined) {
    return runAsWorkers(scenario, file, options, overrides, repro, err, out, keep);
  }
  if (scenario.shard !== undefined) watchParent();
  else if (scenario.broker.url === undefined && usesSockets(scenario)) {
    checkOneProcessLayout(Registry.generate(scenario.seed, { ...scenario.fleet, identities: scenario.identities }), scenario.fleet, fleetOrigin(overrides, file));
  }
  const shardStart = scenario.shard === undefined ? undefined : shardStartOptions(scenario, options);
  const metrics = await openMetricsEndpoint(options.metricsPort, err);
  const toEndpoint = metrics?.live({ scenario: scenario.name, seed: scenario.seed, cache: scenario.cache.adapter });
  // a worker of `run --workers` also sends its live numbers to the parent, which adds them up
  const toParent = scenario.shard === undefined ? undefined : sendSnapshotsToParent();
  const onLive = toEndpoint || toParent ? (snapshot: () => RunSnapshot) => (toEndpoint?.(snapshot), toParent?.(snapshot)) : undefined;
  const { summary, runDir } = await recordRun(scenario, { outDir: options.outDir, file, repro, progress: !options.quiet && !options.json, err, onLive, shardStart })
    .catch((error: unknown) => {
      throw namingTheUrlOrigin(error, overrides, scenarioFile);
    })
    .finally(() => metrics?.close());
  debugLog(`run directory ${runDir}: ${summary.verdict}, exit ${summary.exitCode}`);
  await applyKeepRuns(options.outDir, keep, runDir, err, options.quiet === true);
  if (options.json) process.stdout.write(JSON.stringify({ ...summary, runDirectory: runDir }, null, 2) + '\n');
  else if (options.quiet) process.stdout.write(quietSummary(out, summary, runDir) + '\n');
  else process.stdout.write(renderConsoleSummary(out, summary, runDir) + '\n');
  // a shard's verdict is its slice's alone: it succeeded once its history is complete, and the
  // run's verdict is the merge's (a failing shard would make a Kubernetes Job retry it)
  if (scenario.shard !== undefined && summary.exitCode !== ExitCode.interrupted) return ExitCode.pass;
  return summary.exitCode;
}

async function runAsWorkers(
  scenario: Scenario, file: string | undefined, options: RunCommandOptions, overrides: readonly Override[], repro: string,
  err: ChalkInstance, out: ChalkInstance, keep: number | undefined,
): Promise<number> {
  const origin = overrides.findLast((o) => o.path[0] === 'workers')?.origin ?? `${file ?? 'scenario'}: workers`;
  const barrierTimeoutMs = shardStartOptions(scenario, options).timeoutMs;
  const { summary, runDir, exitCode } = await workersRun(scenario, { outDir: options.outDir, file, repro, origin, chatty: !options.quiet && !options.json, err, barrierTimeoutMs, metricsPort: options.metricsPort });
  await applyKeepRuns(options.outDir, keep, runDir, err, options.quiet === true);
  if (summary === undefined) return exitCode;
  if (options.json) process.stdout.write(JSON.stringify({ ...summary, runDirectory: runDir }, null, 2) + '\n');
  else if (options.quiet) process.stdout.write(quietSummary(out, summary, runDir) + '\n');
  else process.stdout.write(renderConsoleSummary(out, summary, runDir) + '\n');
  return exitCode;
}

/** Which input set the fleet's size: a flag, the environment, or the scenario file. */
function fleetOrigin(overrides: readonly Override[], file: string | undefined): string {
  return overrides.findLast((o) => ['fleet.devices', 'fleet.accounts'].includes(o.path.join('.')))?.origin ?? file ?? 'the built-in default';
}

function shardStartOptions(scenario: Scenario, options: RunCommandOptions, env: NodeJS.ProcessEnv = process.env): ShardStartOptions {
  const startText = options.startAt ?? env.CROSSWIRE_START_AT;
  let startAt: number | undefined;
  if (startText !== undefined && startText !== '') {
    startAt = Date.parse(startText);
    if (!/^\d{4}-\d\d-\d\dT/.test(startText) || Number.isNaN(startAt)) {
      throw usageError('BAD_START_AT', `${options.startAt !== undefined ? 'flag --start-at' : 'env CROSSWIRE_START_AT'} ${JSON.stringify(startText)}: expected an ISO 8601 instant, e.g. 2026-05-01T12:00:00Z`);
    }
  }
  const timeoutText = env.CROSSWIRE_BARRIER_TIMEOUT;
  let timeoutMs = options.barrierTimeout ?? DEFAULT_BARRIER_TIMEOUT_MS;
  if (options.barrierTimeout === undefined && timeoutText !== undefined && timeoutText !== '') {
    const parsed = parseDuration(timeoutText);
    if (typeof parsed !== 'number' || parsed <= 0) throw usageError('BAD_BARRIER_TIMEOUT', `env CROSSWIRE_BARRIER_TIMEOUT ${JSON.stringify(timeoutText)}: expected a duration like 90s or 2m`);
    timeoutMs = parsed;
  }
  const runId = options.runId ?? env.CROSSWIRE_RUN_ID ?? `${scenario.name}-seed${scenario.seed}`;
  return { runId, startAt, timeoutMs, marginMs: DEFAULT_BARRIER_MARGIN_MS };
}

/** A server at cache.url that cannot be reached: say which input gave the URL (a flag, the environment, the file). */
function namingTheUrlOrigin(error: unknown, overrides: readonly Override[], file: string): unknown {
  if (!isCrosswireError(error) || error.exitCode !== ExitCode.unavailable || !error.message.includes('cache.url ')) return error;
  const origin = overrides.findLast((o) => o.path.join('.') === 'cache.url')?.origin ?? file;
  return new CrosswireError(error.code, `${origin}: ${error.message}`, error.exitCode);
}

/**
 * An adapter id from `--cache`, CROSSWIRE_CACHE or `--set cache.adapter=` that names nothing is
 * that input's mistake, not the scenario file's: say which input, and the nearest ids.
 */
function checkAdapterOverride(overrides: readonly Override[]): void {
  const last = overrides.findLast((o) => o.path.join('.') === 'cache.adapter');
  if (last === undefined || typeof last.value !== 'string' || last.value === '') return;
  if (cacheAdapters.has(last.value) || isAdapterModulePath(last.value)) return;
  throw usageError('UNKNOWN_CACHE_ADAPTER', `${last.origin}: ${unknownAdapterMessage(last.value)} (\`crosswire list adapters\` describes each)`);
}
