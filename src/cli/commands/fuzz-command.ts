import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { randomInt } from 'node:crypto';
import { usageError } from '../../errors.ts';
import { ExitCode } from '../../exit-codes.ts';
import { parseDuration } from '../../fields/duration.ts';
import { castOf } from '../../fuzz/fuzz-cast.ts';
import { fuzz, type FuzzProgress } from '../../fuzz/fuzz-search.ts';
import { embeddedTarget, externalTarget, type FuzzTarget } from '../../fuzz/fuzz-target.ts';
import { toRegressionFile, writeRegressionFile } from '../../fuzz/regression-case.ts';
import { brokerSchemes } from '../../broker/broker-endpoint.ts';
import { loadScenarioFile } from '../../scenario/load-scenario.ts';
import { overridesFrom } from '../scenario-overrides.ts';
import { makeChalk } from '../output.ts';
import { DEFAULT_SCENARIO } from './run-command.ts';

export interface FuzzCommandOptions {
  budget: string;
  shrinkBudget: string;
  seed?: number;
  broker?: string;
  transport: 'tcp' | 'memory' | 'worker';
  outDir: string;
  /** A saved case file or a directory of them, replayed instead of a search. */
  replay?: string;
  json?: boolean;
  color?: boolean;
}

function budgetMs(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 1000) throw usageError('BAD_FLAG', `flag ${flag}: expected a duration of at least 1s like 60s or 5m, found ${JSON.stringify(text)}`);
  return ms;
}

/** `crosswire fuzz`: malformed and hostile MQTT packets against the broker, judged per case. */
export async function fuzzCommand(options: FuzzCommandOptions): Promise<number> {
  checkBrokerUrl(options.broker);
  if (options.replay !== undefined) return (await import('./fuzz-replay-command.ts')).fuzzReplayCommand(options.replay, options);
  const budget = budgetMs(options.budget, '--budget');
  const shrinkBudget = budgetMs(options.shrinkBudget, '--shrink-budget');
  const seed = options.seed ?? randomInt(1, 2 ** 31 - 1);
  // the principals and credentials of the default scenario for this seed, as `broker-config` writes them
  const { scenario } = await loadScenarioFile(DEFAULT_SCENARIO, overridesFrom({ seed }, {}));
  const cast = castOf(seed, { ...scenario.fleet, identities: scenario.identities });
  const target: FuzzTarget = options.broker === undefined ? await embeddedTarget(cast, { transport: options.transport }) : externalTarget(options.broker);
  const err = makeChalk(process.stderr, options.color === false);
  const out = makeChalk(process.stdout, options.color === false);
  process.stderr.write(err.dim(`crosswire fuzz: ${target.name}, seed ${seed} (--seed ${seed} repeats this run), budget ${options.budget}; victim ${cast.victimAccount}, attacker ${cast.attackerAccount} / ${cast.attackerCamera}\n`));
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on('SIGINT', onSigint);
  let lastShown = 0;
  const show = (p: FuzzProgress) => {
    if (options.json || Date.now() - lastShown < 1000) return;
    lastShown = Date.now();
    process.stderr.write(err.dim(`  ${(p.elapsedMs / 1000).toFixed(0)}s: ${p.cases} cases, ${p.packets} packets${p.shrinkRuns > 0 ? `, shrinking (${p.shrinkRuns} runs)` : ''}\n`));
  };
  let outcome;
  try {
    outcome = await fuzz({ target, cast, seed, budgetMs: budget, shrinkBudgetMs: shrinkBudget, signal: controller.signal, onProgress: show });
  } finally {
    process.off('SIGINT', onSigint);
    await target.close();
  }
  const { counts } = outcome;
  const summary = {
    verdict: outcome.found === undefined ? 'PASS' : 'FAIL',
    seed,
    target: target.name,
    cases: outcome.cases,
    packets: outcome.packets,
    casesPerSecond: Math.round(outcome.casesPerSecond * 10) / 10,
    seconds: outcome.elapsedMs / 1000,
    crashes: counts.crash,
    hangs: counts.hang,
    bypasses: counts.bypass,
    specViolations: counts.spec,
    interrupted: outcome.interrupted,
  };
  let caseFile: string | undefined;
  if (outcome.found !== undefined) {
    const dir = resolve(options.outDir, 'fuzz', `${new Date().toISOString().replace(/[:.]/g, '-')}-seed${seed}`);
    await mkdir(dir, { recursive: true });
    caseFile = join(dir, 'case.json');
    const found = outcome.found;
    await writeRegressionFile(caseFile, toRegressionFile(found.minimal, seed, scenario.fleet, found.minimalFindings[0].what, found.minimalFindings, found.minimalDraft));
  }
  if (options.json) {
    process.stdout.write(JSON.stringify({ ...summary, findings: outcome.found?.minimalFindings ?? [], caseFile }, null, 2) + '\n');
  } else {
    const head = outcome.found === undefined ? out.bold.green('PASS') : out.bold.red('FAIL');
    process.stdout.write(
      `${head}  fuzz  ${target.name}  seed ${seed}${outcome.interrupted ? out.yellow('  (interrupted)') : ''}\n` +
        `${summary.cases} cases, ${summary.packets} packets in ${((outcome.elapsedMs - (outcome.found?.shrinkMs ?? 0)) / 1000).toFixed(1)}s (${summary.casesPerSecond} cases/s): ` +
        `${summary.crashes} crashes, ${summary.hangs} hangs, ${summary.bypasses} bypasses, ${summary.specViolations} spec violations\n`,
    );
    if (outcome.found !== undefined) {
      const found = outcome.found;
      const shown = relative(process.cwd(), caseFile!) || caseFile!;
      process.stdout.write(
        `found at case ${found.firstCase}; shrunk in ${found.shrinkRuns} runs (${(found.shrinkMs / 1000).toFixed(1)}s)${found.shrinkCutShort ? out.yellow(' (shrink budget spent: smaller may exist)') : ''} to ` +
          `${found.minimal.connections.map((c) => c.plan.packets.map((p) => p.label).join(', ')).join(' ‖ ')} (attacker: ${found.minimal.attacker})\n` +
          found.minimalFindings.map((f) => `  ✗ [${f.kind}] ${f.what}\n`).join('') +
          `case file: ${shown}\n`,
      );
    }
  }
  if (outcome.interrupted) return ExitCode.interrupted;
  return outcome.found === undefined ? ExitCode.pass : ExitCode.fail;
}

function checkBrokerUrl(url: string | undefined): void {
  if (url !== undefined && !(new URL(url, 'x:/').protocol in brokerSchemes)) {
    throw usageError('BROKER_URL', `flag --broker: ${url} is not an mqtt://, mqtts://, ws:// or wss:// URL`);
  }
}
