import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isCrosswireError } from '../errors.ts';
import { defaultMarginsText, regressionMetricNames } from '../gate/regression-metrics.ts';
import { versionText, versions } from '../report/versions.ts';
import { ExitCode, describeExitCodes } from '../exit-codes.ts';
import { DEFAULT_KEEP_RUNS } from '../store/run-retention.ts';
import { debugEnabled, debugLog, stackTrace } from './debug.ts';
import { addHelpExamples } from './help-examples.ts';
import { listCommand } from './commands/list-command.ts';
import { parseKeepRuns } from './keep-runs.ts';
import { schemaCommand } from './commands/schema-command.ts';
import { validateCommand } from './commands/validate-command.ts';
import { parseDuration } from '../fields/duration.ts';

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, found ${JSON.stringify(value)}`);
    }
    return n;
  };
}

function keepRuns(value: string): number | 'off' {
  const keep = parseKeepRuns(value);
  if (keep === undefined) throw new InvalidArgumentError(`expected a whole number of runs to keep (1 or more) or off, found ${JSON.stringify(value)}`);
  return keep;
}

/** The external broker's other flags, alike on `run` and `gate`. */
const BROKER_OPTIONS = {
  wsUrl: ['--broker-ws-url <url>', "the external broker's WebSocket listener (ws://host:port/path), for fleet.cameraTransport/viewerTransport: ws"],
  ca: ['--broker-ca <file>', "PEM file of the CA that signed the external broker's certificate (mqtts://, wss://)"],
  cert: ['--broker-cert <file>', 'PEM client certificate for the external broker (with --broker-key)'],
  key: ['--broker-key <file>', 'PEM key of --broker-cert'],
} as const;

const KEEP_RUNS_HELP = `after the run, keep only the newest n finished runs (and gate directories) in --out-dir; off: no cap (default: ${DEFAULT_KEEP_RUNS} in the default reports directory, none elsewhere; env CROSSWIRE_KEEP_RUNS)`;

function durationOption(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('expected a duration like 90s or 2m.');
  return ms;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, found ${JSON.stringify(value)}`);
  return n;
}

export function buildProgram(): Command {
  const program = new Command('crosswire')
    .description('Device-fleet simulator and chaos harness: reconnect storms against an MQTT broker and a cache,\nand proof that no camera\'s media reaches an account that does not own it.')
    .version(versionText(), '-V, --version', 'output the version of crosswire, Node and the key libraries')
    .addHelpText('after', `\nExit codes:\n${describeExitCodes()}`)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`crosswire: ${text.replace(/^error: /, '')}`) });

  program
    .command('run')
    .description('run a scenario (default: the built-in reconnect storm) and judge it')
    .argument('[scenario]', 'scenario YAML file')
    .option('--devices <n>', 'number of cameras', integer(1, 500_000))
    .option('--accounts <n>', 'number of accounts (devices then follow devicesPerAccount)', integer(1, 500_000))
    .option('--seed <n>', 'seed for the fleet, ownership, events, faults and jitter', integer(0, 2 ** 32 - 1))
    .addOption(new Option('--transport <id>', 'how devices reach the broker').choices(['memory', 'tcp']))
    .option('--cache <id>', 'cache adapter id (see `crosswire list adapters`) or a module path like ./my-adapter.js')
    .option('--cache-url <url>', 'use this cache server instead of starting a private one (redis://host:port, memcached://host:port)')
    .option('--cache-module <package>', 'load the cache client library from this installed package (an npm alias)')
    .addOption(new Option('--verify <mode>', 'service verification layer').choices(['none', 'envelope', 'source-of-truth']))
    .option('--time-scale <x>', 'compress scenario time by this factor (real clock)', positiveNumber)
    .addOption(new Option('--clock <mode>', 'virtual: deterministic, no real timers (memory transport, in-process cache); auto: virtual where possible').choices(['auto', 'real', 'virtual']))
    .option('--broker <url>', 'use this MQTT broker instead of the embedded one: mqtt://, mqtts://, ws:// or wss://host:port (configure it with `crosswire broker-config`)')
    .option(...BROKER_OPTIONS.wsUrl)
    .option(...BROKER_OPTIONS.ca)
    .option(...BROKER_OPTIONS.cert)
    .option(...BROKER_OPTIONS.key)
    .option('--set <path=value>', 'set any scenario field, e.g. --set fleet.eventInterval=2s (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--out-dir <dir>', 'where run directories go', 'reports')
    .option('--keep-runs <n>', KEEP_RUNS_HELP, keepRuns)
    .option('--json', 'print the summary document as JSON on stdout')
    .option('--quiet', 'print only the verdict line (when the run did not pass, also its run directory and repro line)')
    .option('--no-color', 'no colour (NO_COLOR and FORCE_COLOR are honoured too)')
    .option('--metrics-port <port>', 'serve Prometheus metrics at http://127.0.0.1:<port>/metrics while the run goes on (0: any free port)', integer(0, 65535))
    .option('--workers <n>', 'run as n worker processes on this machine: the embedded broker (and cache server) here, shard i of n in each, one merged verdict (docs/shards.md)', integer(1, 64))
    .option('--shard <i/N>', 'run shard i of N (i from 0): a slice of the accounts with their cameras and viewers, and one service instance; `crosswire merge` judges the shards as one run')
    .option('--run-id <id>', 'a shard: names the run on the broker, where its shards meet (default: <scenario>-seed<N>; env CROSSWIRE_RUN_ID)')
    .option('--start-at <instant>', 'a shard: scenario time zero as an ISO 8601 instant, instead of the one agreed at the barrier (env CROSSWIRE_START_AT)')
    .option('--barrier-timeout <duration>', 'a shard: how long to wait for every shard at the barrier (default 2m; env CROSSWIRE_BARRIER_TIMEOUT)', durationOption)
    .addHelpText('after', `\nExit codes:\n${describeExitCodes()}`)
    .action(async (file: string | undefined, options) => {
      process.exitCode = await (await import('./commands/run-command.ts')).runCommand(file, options);
    });
  program
    .command('merge')
    .description('judge the shards of one run as one: merge their histories (by the agreed scenario time) and re-judge them with the same checker; writes one run directory')
    .argument('<run-dirs...>', "every shard's run directory")
    .option('--out-dir <dir>', 'where the merged run directory goes', 'reports')
    .option('--json', 'print the merged summary document as JSON on stdout')
    .option('--quiet', 'print only the verdict line')
    .option('--no-color', 'no colour')
    .addHelpText('after', `\nExit codes: the merged verdict's (see \`crosswire run --help\`); 2 when the directories are not the shards of one run.`)
    .action(async (dirs: string[], options) => {
      process.exitCode = await (await import('./commands/merge-command.ts')).mergeCommand(dirs, options);
    });
  program
    .command('explore')
    .description('search scenarios within bounds for a FAIL, shrink it to a minimal scenario and record its run')
    .argument('[scenario]', 'template scenario YAML file: its fields and its `explore:` bounds (default: the built-in reconnect storm)')
    .option('--cache <id>', 'cache adapter id (see `crosswire list adapters`) or a module path like ./my-adapter.js')
    .option('--cache-module <package>', 'load the cache client library from this installed package (an npm alias)')
    .option('--budget <duration>', 'stop searching after this long (wall clock): 90s, 10m, 1h', '10m')
    .option('--shrink-budget <duration>', 'the most time the shrink of a FAIL may take (wall clock)', '5m')
    .option('--seed <n>', 'seed of the search (default: a random one, printed)', integer(0, 2 ** 31 - 1))
    .option('--out-dir <dir>', 'where the minimal run\'s directory goes', 'reports')
    .option('--export <dir>', 'on a FAIL, also write a standalone repro for the client library (as `crosswire export` does) into this directory')
    .option('--json', 'print the outcome as JSON on stdout')
    .option('--no-color', 'no colour')
    .addHelpText('after', `\nExit codes: 0 no FAIL found within the budget, 1 a FAIL found (and shrunk), 2 bad usage or bounds, 130 interrupted.`)
    .action(async (file: string | undefined, options) => {
      process.exitCode = await (await import('./commands/explore-command.ts')).exploreCommand(file, options);
    });
  program
    .command('fuzz')
    .description('fuzz the broker with valid, boundary and malformed MQTT 3.1.1 and 5 packets from the principals of a seed; fail on a crash, hang, authorisation bypass or a packet kept that the spec says close (docs/fuzz.md)')
    .option('--budget <duration>', 'stop drawing cases after this long (wall clock): 60s, 5m', '60s')
    .option('--shrink-budget <duration>', 'the most time the shrink of a finding may take', '60s')
    .option('--seed <n>', 'seed of the cases and of the principals and credentials (default: a random one, printed)', integer(0, 2 ** 31 - 1))
    .option('--broker <url>', 'fuzz this broker instead of the embedded one (mqtt://, mqtts://, ws://, wss://), configured by `crosswire broker-config` for the same seed')
    .addOption(new Option('--transport <id>', 'how the embedded broker is reached: loopback TCP, in-memory links, or in a worker thread of its own').choices(['tcp', 'memory', 'worker']).default('tcp'))
    .option('--out-dir <dir>', 'a finding\'s shrunk case goes in <out-dir>/fuzz/<utc-time>-seed<N>/case.json', 'reports')
    .option('--replay <case>', 'replay a saved case file (or every *.json in a directory) byte for byte instead of searching; exit 1 if any still finds something')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--no-color', 'no colour')
    .addHelpText('after', `\nExit codes: 0 nothing found within the budget, 1 a finding (shrunk, its case file written), 2 bad usage, 130 interrupted.`)
    .action(async (options) => {
      process.exitCode = await (await import('./commands/fuzz-command.ts')).fuzzCommand(options);
    });
  program
    .command('selftest')
    .description('run every positive control (must FAIL) and every correct adapter (must PASS) on the control scenarios')
    .option('--only <adapter>', 'run only this adapter\'s row(s)')
    .option('--seed <n>', 'seed for every control scenario', integer(0, 2 ** 32 - 1))
    .option('--json', 'print the result table as JSON')
    .option('--no-color', 'no colour')
    .action(async (options) => {
      process.exitCode = await (await import('./commands/selftest-command.ts')).selftestCommand(options);
    });

  program
    .command('gate')
    .description('run scenarios against a baseline and a candidate cache adapter (or library version) with the same seeds; fail if the candidate leaks or regresses')
    .argument('[scenarios...]', 'scenario YAML files (default: scenarios/controls/cache-chaos-storm.yaml, the storm with cache-path chaos)')
    .option('--baseline <adapter>', 'baseline: a cache adapter id (see `crosswire list adapters`) or a module path like ./my-adapter.js')
    .option('--baseline-module <package>', "load the baseline adapter's client library from this installed package (an npm alias)")
    .option('--candidate <adapter>', 'candidate: a cache adapter id or a module path')
    .option('--candidate-module <package>', "load the candidate adapter's client library from this installed package, e.g. ioredis-next")
    .option('--seeds <n>', 'run seeds 1..n on both sides', integer(1, 1000))
    .option('--seed-list <seeds>', 'run exactly these seeds on both sides, e.g. 1,7,42')
    .option(
      '--max-regression <metric=percent>',
      `how much worse the candidate may be, median over seeds (repeatable; defaults ${defaultMarginsText()}; =off drops one); metrics: ${regressionMetricNames.join(', ')}`,
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--devices <n>', 'number of cameras, both sides', integer(1, 500_000))
    .option('--time-scale <x>', 'compress scenario time by this factor, both sides', positiveNumber)
    .option('--broker <url>', "run both sides against this MQTT broker (your own, configured by `crosswire broker-config` for the gate's scenario and seed): mqtt://, mqtts://, ws:// or wss://host:port; one seed")
    .option(...BROKER_OPTIONS.wsUrl)
    .option(...BROKER_OPTIONS.ca)
    .option(...BROKER_OPTIONS.cert)
    .option(...BROKER_OPTIONS.key)
    .option('--set <path=value>', 'set any scenario field on both sides (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--out-dir <dir>', 'the gate directory goes in <out-dir>/gate/<utc-time>/', 'reports')
    .option('--keep-runs <n>', KEEP_RUNS_HELP.replace('after the run', 'after the gate'), keepRuns)
    .option('--metrics-port <port>', 'serve Prometheus metrics of the current run at http://127.0.0.1:<port>/metrics (0: any free port)', integer(0, 65535))
    .option('--json', 'print gate.json on stdout')
    .option('--quiet', 'print only the outcome line (and the run directory and repro line of each candidate run that leaks, is INCONCLUSIVE or breaches a threshold)')
    .option('--no-color', 'no colour')
    .addHelpText(
      'after',
      `
Exit codes of the gate:
    0  the candidate passed everywhere, within every margin
    1  the candidate FAILs (leaks) on some scenario and seed (named, with its repro command)
    2  bad usage or invalid input
    3  no leak, but a threshold only the candidate breached, or a metric worse beyond its margin
    4  the gate cannot decide: a candidate run INCONCLUSIVE, or no conclusive baseline run to compare with
   69  a required service is unreachable
  130  interrupted (partial gate reports written)
A baseline that leaks does not fail the gate (the candidate may be the fix); it is noted.

Examples:
  crosswire gate --baseline redis@2.3.0 --candidate redis@2.2.5 --seeds 3
  crosswire gate --baseline ioredis --candidate ioredis --candidate-module ioredis-next
  crosswire gate --baseline ioredis --candidate ioredis --candidate-module ioredis-next --broker mqtt://mq.internal:1883 --seed-list 1`,
    )
    .action(async (scenarios: string[], options) => {
      process.exitCode = await (await import('./commands/gate-command.ts')).gateCommand(scenarios, options);
    });

  program
    .command('validate')
    .description('check scenario files without running them (exit 0 all valid, 2 otherwise)')
    .argument('<files...>', 'scenario YAML files')
    .option('--quiet', 'print only problems')
    .action(async (files: string[], options) => {
      process.exitCode = await validateCommand(files, options);
    });

  program
    .command('broker-config')
    .description('print or write the configuration an external broker needs for a scenario and seed: password file, ACL, broker config')
    .argument('<broker>', 'which broker: mosquitto (EMQX and HiveMQ equivalents: docs/external-brokers.md)')
    .argument('[scenario]', 'scenario YAML file (default: the built-in reconnect storm)')
    .option('--seed <n>', 'the seed the runs will use (passwords and the fleet follow from it)', integer(0, 2 ** 32 - 1))
    .option('--devices <n>', 'number of cameras, as given to `run`', integer(1, 500_000))
    .option('--accounts <n>', 'number of accounts, as given to `run`', integer(1, 500_000))
    .option('--set <path=value>', 'set any scenario field, as given to `run` (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--out-dir <dir>', 'write mosquitto.conf, passwd and acl here instead of printing them')
    .option('--host <address>', 'address the listeners bind', '127.0.0.1')
    .option('--port <port>', 'MQTT listener port', integer(1, 65535), 1883)
    .option('--ws-port <port>', 'MQTT over WebSocket listener port (0: none)', integer(0, 65535), 8080)
    .option('--plaintext', 'passwords.txt (username:password lines, for other brokers or mosquitto_passwd -U) instead of the hashed passwd')
    .option('--weaken <rule>', 'a positive control: the ACL with ONE rule too broad (read: every account\'s topic readable; publish: every camera\'s topic writable), which a hostile: scenario must FAIL on')
    .action(async (broker: string, file: string | undefined, options) => {
      process.exitCode = await (await import('./commands/broker-config-command.ts')).brokerConfigCommand(broker, file, options);
    });

  program
    .command('broker-serve')
    .description("serve the embedded broker as a run configures it (aedes with crosswire's auth, client-id rules and ACL) on TCP, for independent MQTT clients; until Ctrl-C")
    .argument('[scenario]', 'scenario YAML file whose fleet it admits (default: the built-in reconnect storm)')
    .option('--seed <n>', 'the seed the passwords and the fleet follow from', integer(0, 2 ** 32 - 1))
    .option('--devices <n>', 'number of cameras, as given to `run`', integer(1, 500_000))
    .option('--accounts <n>', 'number of accounts, as given to `run`', integer(1, 500_000))
    .option('--set <path=value>', 'set any scenario field, as given to `run` (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--host <address>', 'address the listeners bind', '127.0.0.1')
    .option('--port <port>', 'MQTT listener port (0: a free one, printed)', integer(0, 65535), 0)
    .option('--ws-port <port>', 'also serve MQTT over WebSocket on this port (0: a free one, printed)', integer(0, 65535))
    .option('--credentials-file <file>', 'write every principal\'s username:password here (mode 0600)')
    .option('--json', 'print one JSON line: urls, seed, credentials file, a principal of each kind')
    .action(async (file: string | undefined, options) => {
      process.exitCode = await (await import('./commands/broker-serve-command.ts')).brokerServeCommand(file, options);
    });

  program
    .command('schema')
    .description('print the JSON Schema of the scenario format')
    .option('--out <file>', 'write it to a file instead')
    .action(async (options) => {
      process.exitCode = await schemaCommand(options);
    });

  program
    .command('check')
    .description("re-judge a run directory's history (history.ndjson.gz, or an older run's history.ndjson) without re-running; compares with its summary.json")
    .argument('<run-dir>', 'a run directory, e.g. reports/latest')
    .option('--json', 'print the re-judged verdict, checks and violations as JSON')
    .option('--no-color', 'no colour')
    .action(async (dir: string, options) => {
      process.exitCode = await (await import('./commands/check-command.ts')).checkCommand(dir, options);
    });

  program
    .command('replay')
    .description("re-run a run directory's resolved scenario with its seed; exit 0 if the verdict (and a virtual history's hash) reproduced, 1 if not")
    .argument('<run-dir>', 'a run directory, e.g. reports/latest')
    .option('--out-dir <dir>', 'where the replay\'s run directory goes', 'reports')
    .option('--keep-runs <n>', KEEP_RUNS_HELP.replace('after the run', 'after the replay'), keepRuns)
    .option('--json', 'print the comparison as JSON')
    .option('--quiet', 'print only the outcome line')
    .option('--no-color', 'no colour')
    .action(async (dir: string, options) => {
      process.exitCode = await (await import('./commands/replay-command.ts')).replayCommand(dir, options);
    });

  program
    .command('export')
    .description("write a standalone repro of a run's first wrong cache reply for the client library's maintainers: a plain script, package.json and README")
    .argument('<run-dir>', 'a run directory with a wrong-key violation, e.g. reports/latest')
    .option('--out <dir>', 'where the repro goes (default: <run-dir>/repro)')
    .option('--json', 'print what was written, and the command sequence, as JSON')
    .option('--no-color', 'no colour')
    .addHelpText('after', `\nExit codes: 0 written, 2 bad usage or a run that cannot be reproduced at the library level (an in-process adapter, crosswire's own client, a module of your own, no wrong reply in the run).`)
    .action(async (dir: string, options) => {
      process.exitCode = await (await import('./commands/export-command.ts')).exportCommand(dir, options);
    });

  program
    .command('report')
    .description('re-render junit.xml, summary.md and report.html of a run directory from its summary.json')
    .argument('<run-dir>', 'a run directory, e.g. reports/latest')
    .option('--quiet', 'print nothing on success')
    .action(async (dir: string, options) => {
      process.exitCode = await (await import('./commands/report-command.ts')).reportCommand(dir, options);
    });

  program
    .command('prune')
    .description('remove old finished run directories and gate directories; prints what it removed and the space freed')
    .option('--out-dir <dir>', 'the directory of runs to prune', 'reports')
    .option('--keep <n>', 'keep the newest n finished runs, and the newest n gate directories', integer(0, 1_000_000))
    .option('--older-than <age>', 'remove what started longer ago than this: 7d, 12h, 30m, 2w (with --keep: only what both would remove)')
    .option('--dry-run', 'say what would be removed, remove nothing')
    .option('--json', 'print what was removed, kept and left alone as JSON')
    .addHelpText(
      'after',
      `
Only finished crosswire runs (<out-dir>/<scenario>/<utc-time>-seed<N>/ with scenario.resolved.yaml
and summary.json or error.json) and finished gate directories (<out-dir>/gate/<utc-time>/ with
gate.json) are removed. A run or gate in progress, what latest points at and anything else under
<out-dir> are left alone.

Example:
  crosswire prune --keep 20
  crosswire prune --older-than 7d --dry-run`,
    )
    .action(async (options) => {
      process.exitCode = await (await import('./commands/prune-command.ts')).pruneCommand(options);
    });

  program
    .command('list')
    .description('list what can be named in a scenario')
    .argument('<what>', 'adapters | faults | scenarios | attempts (the hostile tenants\' attempt kinds)')
    .action((what: string) => {
      process.exitCode = listCommand(what);
    });

  program
    .command('init')
    .description('write a commented cache adapter module and its contract test (crosswire/testkit) to start from')
    .argument('<what>', 'adapter')
    .argument('<name>', 'the adapter id and file name, e.g. my-cache')
    .option('--ts', 'TypeScript (erasable syntax: Node runs it as it is) instead of JavaScript')
    .addOption(new Option('--server <kind>', 'none: an in-process Map to replace with your client; redis: an ioredis client against the private redis-server crosswire starts').choices(['none', 'redis']).default('none'))
    .option('--dir <dir>', 'where the two files go', '.')
    .action(async (what: string, name: string, options) => {
      process.exitCode = await (await import('./commands/init-command.ts')).initCommand(what, name, options);
    });

  program
    .command('completion')
    .description('print a shell completion script (commands, flags, adapter ids, scenario files)')
    .argument('<shell>', 'bash | zsh | fish')
    .action(async (shell: string, _options, command: Command) => {
      process.exitCode = (await import('./commands/completion-command.ts')).completionCommand(shell, command.parent!);
    });
  addHelpExamples(program);
  return program;
}

/** Runs the CLI; never throws: every failure becomes a message and an exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  debugLog(`crosswire ${versions().crosswire} on Node ${process.version}, cwd ${process.cwd()}, argv ${JSON.stringify(argv.slice(2))}`);
  try {
    await program.parseAsync(argv as string[]);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; bad usage is exit 2 (commander already printed why)
      return error.exitCode === 0 ? 0 : ExitCode.usage;
    }
    if (isCrosswireError(error)) {
      process.stderr.write(`crosswire: ${error.message}\n`);
      if (debugEnabled()) process.stderr.write(`crosswire: debug: error ${error.code} (exit ${error.exitCode})\n${stackTrace(error)}\n`);
      return error.exitCode;
    }
    process.stderr.write(`crosswire: internal error: ${(error as Error)?.message ?? String(error)}\n`);
    if (debugEnabled()) process.stderr.write(`${stackTrace(error)}\n`);
    else process.stderr.write('crosswire: CROSSWIRE_DEBUG=1 prints the stack\n');
    return ExitCode.internal;
  }
}

/**
 * The bin's entry: run the CLI, then exit with its code once stdout and stderr are flushed —
 * whatever timers or sockets adapter code left open, the process ends with its verdict. An
 * error nobody handles outside a run (a late rejection in adapter code while reports are
 * written) is a warning on stderr, not a crash that would replace the verdict's exit code.
 */
export async function runAndExit(argv: readonly string[]): Promise<never> {
  // while a run is on, it catches these itself (and records them); outside one, they are warnings
  const stray = (event: 'unhandledRejection' | 'uncaughtException') => (error: unknown) => {
    if (process.listenerCount(event) > 1) return;
    process.stderr.write(`crosswire: warning: ${event === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception'}: ${(error as Error)?.message ?? String(error)}\n`);
  };
  process.on('unhandledRejection', stray('unhandledRejection'));
  process.on('uncaughtException', stray('uncaughtException'));
  const code = await main(argv);
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableEnded || stream.destroyed) resolve();
    else stream.write('', () => resolve());
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runAndExit(process.argv);
}
