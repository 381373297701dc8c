import { appendFile, mkdir } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CrosswireError, isCrosswireError, usageError } from '../../errors.ts';
import { compareGate } from '../../gate/gate-compare.ts';
import { gateDirectoryPath, sideRoot, writeGateDirectory } from '../../gate/gate-directory.ts';
import { gateDocument } from '../../gate/gate-document.ts';
import { renderGateMarkdown } from '../../gate/gate-markdown.ts';
import { gateRunOf, type GateRun } from '../../gate/gate-run.ts';
import { gateSide, type GateSide, type SideRole } from '../../gate/gate-side.ts';
import { renderGateQuiet, renderGateTable } from '../../gate/gate-table.ts';
import { parseMargins } from '../../gate/regression-metrics.ts';
import { loadScenarioFile } from '../../scenario/load-scenario.ts';
import { clockModeOf, type Scenario } from '../../scenario/schema.ts';
import { ExitCode } from '../../exit-codes.ts';
import { openMetricsEndpoint } from '../metrics-endpoint.ts';
import { checkOutDir } from '../../store/out-dir-check.ts';
import { makeChalk } from '../output.ts';
import { applyKeepRuns, keepRunsFor } from '../keep-runs.ts';
import { recordRun } from '../record-run.ts';
import { overridesFrom, reproCommand, type RunFlags } from '../scenario-overrides.ts';

export interface GateCommandOptions {
  baseline?: string;
  baselineModule?: string;
  candidate?: string;
  candidateModule?: string;
  seeds?: number;
  seedList?: string;
  maxRegression?: string[];
  devices?: number;
  timeScale?: number;
  set?: string[];
  /** Both sides against this broker (and its other flags, as `run` takes them). */
  broker?: string;
  brokerWsUrl?: string;
  brokerCa?: string;
  brokerCert?: string;
  brokerKey?: string;
  outDir: string;
  metricsPort?: number;
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  keepRuns?: number | 'off';
}

/**
 * The control scenario for network caches: a storm while the cache path itself suffers latency
 * spikes and connection resets with requests in flight, which is where client-library bugs
 * (A1, the reply shift of redis@2.2.5) show. The default storm never touches cache connections.
 */
export const DEFAULT_GATE_SCENARIO = fileURLToPath(new URL('../../../scenarios/controls/cache-chaos-storm.yaml', import.meta.url));

/** The path as a user would type it: relative to the working directory when it is below it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export function parseSeeds(options: Pick<GateCommandOptions, 'seeds' | 'seedList'>): number[] {
  if (options.seeds !== undefined && options.seedList !== undefined) {
    throw usageError('CONFLICTING_FLAGS', 'flags --seeds and --seed-list: give one (--seeds N runs seeds 1..N)');
  }
  if (options.seedList === undefined) return Array.from({ length: options.seeds ?? 1 }, (_, i) => i + 1);
  const seeds = options.seedList.split(',').map((s) => s.trim());
  const bad = seeds.find((s) => !/^\d+$/.test(s) || Number(s) > 2 ** 32 - 1);
  if (seeds.length === 0 || bad !== undefined) {
    throw usageError('BAD_SEED_LIST', `--seed-list ${JSON.stringify(options.seedList)}: expected seeds separated by commas, e.g. 1,7,42 (whole numbers up to ${2 ** 32 - 1})`);
  }
  return [...new Set(seeds.map(Number))];
}

interface Plan {
  file: string;
  /** Both sides run on the same clock: if one needs the real clock, both get it. */
  clock?: 'real';
}

/** `crosswire gate`: both sides, every scenario, the same seeds; returns the exit code. */
export async function gateCommand(files: string[], options: GateCommandOptions): Promise<number> {
  const sides = { baseline: await gateSide('baseline', options.baseline, options.baselineModule), candidate: await gateSide('candidate', options.candidate, options.candidateModule) };
  const margins = parseMargins(options.maxRegression);
  const seeds = parseSeeds(options);
  if (options.broker !== undefined && seeds.length > 1) {
    // the broker's password file (`crosswire broker-config`) follows from one seed: a second seed's clients would be refused
    throw usageError('GATE_BROKER_SEEDS', `--broker with seeds ${seeds.join(',')}: a broker is configured for one seed (its passwords follow from it); give --seed-list N, the seed \`crosswire broker-config --seed N\` was given`);
  }
  const scenarioFiles = files.length > 0 ? files : [shown(DEFAULT_GATE_SCENARIO)];
  const flagsFor = (side: GateSide, plan: Plan, seed?: number): RunFlags => ({
    cache: side.adapter,
    cacheModule: side.module,
    devices: options.devices,
    timeScale: options.timeScale,
    clock: plan.clock,
    seed,
    set: options.set,
    broker: options.broker,
    brokerWsUrl: options.brokerWsUrl,
    brokerCa: options.brokerCa,
    brokerCert: options.brokerCert,
    brokerKey: options.brokerKey,
  });
  const load = async (side: GateSide, plan: Plan, seed?: number): Promise<Scenario> => (await loadScenarioFile(plan.file, overridesFrom(flagsFor(side, plan, seed)))).scenario;

  // every scenario is loaded for both sides before anything runs: a bad file or override is exit 2 now
  const plans: Plan[] = [];
  for (const file of scenarioFiles) {
    const plan: Plan = { file };
    const modes = new Set([clockModeOf(await load(sides.baseline, plan)), clockModeOf(await load(sides.candidate, plan))]);
    if (modes.size > 1) plan.clock = 'real';
    plans.push(plan);
  }

  const err = makeChalk(process.stderr, options.color === false);
  const out = makeChalk(process.stdout, options.color === false);
  const startedAt = new Date();
  const started = performance.now();
  await checkOutDir(options.outDir);
  const keep = keepRunsFor(options.keepRuns, options.outDir);
  const gateDir = gateDirectoryPath(options.outDir, startedAt);
  await mkdir(gateDir, { recursive: true });
  const talk = !options.quiet && !options.json;
  if (talk) process.stderr.write(err.dim(`crosswire gate: baseline ${sides.baseline.label}, candidate ${sides.candidate.label}; ${plans.length} scenario(s) × seeds ${seeds.join(',')}\n`));
  const metrics = await openMetricsEndpoint(options.metricsPort, err);

  const pairs: { baseline: GateRun; candidate: GateRun }[] = [];
  const total = plans.length * seeds.length * 2;
  let index = 0;
  let stoppedBy: number | undefined;
  let failure: CrosswireError | undefined;
  // Ctrl-C between runs stops the gate too (a run in progress stops on it by itself); a second one exits at once
  let stopRequested = 0;
  const onStop = () => {
    if (++stopRequested > 1) process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  try {
    runs: for (const plan of plans) {
      for (const seed of seeds) {
        const pair: Partial<Record<SideRole, GateRun>> = {};
        for (const role of ['baseline', 'candidate'] as const) {
          const side = sides[role];
          index++;
          const scenario = await load(side, plan, seed);
          const what = `${role} ${side.label} on ${scenario.name} seed ${seed}`;
          if (talk) process.stderr.write(err.dim(`gate: [${index}/${total}] ${what} … `));
          try {
            const { summary, runDir } = await recordRun(scenario, {
              outDir: sideRoot(gateDir, role),
              file: plan.file,
              repro: reproCommand(plan.file, flagsFor(side, plan), seed, undefined, process.env),
              progress: false,
              err,
              stepSummary: false,
              onLive: metrics?.live({ scenario: scenario.name, seed, cache: side.label, side: role }),
            });
            if (talk) process.stderr.write(err.dim(`${summary.verdict}${summary.violationCount > 0 ? ` (${summary.violationCount} violations)` : ''} in ${summary.realSeconds.toFixed(1)}s\n`));
            if (summary.exitCode === ExitCode.interrupted) {
              stoppedBy = ExitCode.interrupted;
              break runs;
            }
            pair[role] = gateRunOf(role, plan.file, summary, runDir);
            if (stopRequested > 0 && role === 'baseline') {
              stoppedBy = ExitCode.interrupted;
              break runs;
            }
          } catch (error) {
            if (talk) process.stderr.write('\n');
            // the gate stops: name the run that could not be made, keep the exit code it stands for
            failure = isCrosswireError(error)
              ? new CrosswireError(error.code, `gate: ${what}: ${error.message}`, error.exitCode)
              : new CrosswireError('GATE_RUN_ERROR', `gate: ${what}: internal error: ${(error as Error)?.message ?? String(error)}`, ExitCode.internal);
            break runs;
          }
        }
        if (pair.baseline && pair.candidate) pairs.push({ baseline: pair.baseline, candidate: pair.candidate });
        if (stopRequested > 0) {
          stoppedBy = ExitCode.interrupted;
          break runs;
        }
      }
    }
  } finally {
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
    await metrics?.close();
  }

  const result = compareGate(pairs, margins, sides);
  const doc = gateDocument({ result, sides, scenarios: scenarioFiles, seeds, margins, startedAt, realSeconds: (performance.now() - started) / 1000, gateDir, interrupted: stoppedBy !== undefined });
  await writeGateDirectory(doc);
  await applyKeepRuns(options.outDir, keep, gateDir, err, options.quiet === true || options.json === true);
  const step = process.env.GITHUB_STEP_SUMMARY;
  if (step) await appendFile(step, renderGateMarkdown(doc) + '\n');
  if (failure) throw new CrosswireError(failure.code, `${failure.message}\n(gate reports of the runs so far: ${gateDir})`, failure.exitCode);
  if (options.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  else if (options.quiet) process.stdout.write(renderGateQuiet({ ...result, outcome: doc.outcome, exitCode: doc.exitCode }, gateDir) + '\n');
  else process.stdout.write(renderGateTable(out, { ...result, outcome: doc.outcome, exitCode: doc.exitCode }, sides, gateDir) + '\n');
  if (stoppedBy !== undefined) process.stderr.write(err.yellow(`gate: interrupted after ${pairs.length} complete pair(s); partial gate reports in ${gateDir}\n`));
  return doc.exitCode;
}
