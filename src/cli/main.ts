import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isCrosswireError } from '../errors.ts';
import { versions } from '../report/versions.ts';
import { ExitCode, describeExitCodes } from './exit-codes.ts';
import { listCommand } from './list-command.ts';
import { reportCommand } from './report-command.ts';
import { runCommand } from './run-command.ts';
import { schemaCommand } from './schema-command.ts';
import { selftestCommand } from './selftest-command.ts';
import { validateCommand } from './validate-command.ts';

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, found ${JSON.stringify(value)}`);
    }
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, found ${JSON.stringify(value)}`);
  return n;
}

export function buildProgram(): Command {
  const program = new Command('crosswire')
    .description('Device-fleet simulator and chaos harness: reconnect storms against an MQTT broker and a cache,\nand proof that no camera\'s media reaches an account that does not own it.')
    .version(versions().crosswire)
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
    .option('--time-scale <x>', 'compress scenario time by this factor', positiveNumber)
    .option('--out-dir <dir>', 'where run directories go', 'reports')
    .option('--json', 'print the summary document as JSON on stdout')
    .option('--quiet', 'print only the final verdict line')
    .option('--no-color', 'no colour (NO_COLOR and FORCE_COLOR are honoured too)')
    .addHelpText('after', `\nExit codes:\n${describeExitCodes()}`)
    .action(async (file: string | undefined, options) => {
      process.exitCode = await runCommand(file, options);
    });
  program
    .command('selftest')
    .description('run every positive control (must FAIL) and every correct adapter (must PASS) on the control scenarios')
    .option('--only <adapter>', 'run only this adapter\'s row(s)')
    .option('--seed <n>', 'seed for every control scenario', integer(0, 2 ** 32 - 1))
    .option('--json', 'print the result table as JSON')
    .option('--no-color', 'no colour')
    .action(async (options) => {
      process.exitCode = await selftestCommand(options);
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
    .command('schema')
    .description('print the JSON Schema of the scenario format')
    .option('--out <file>', 'write it to a file instead')
    .action(async (options) => {
      process.exitCode = await schemaCommand(options);
    });

  program
    .command('report')
    .description('re-render junit.xml, summary.md and report.html of a run directory from its summary.json')
    .argument('<run-dir>', 'a run directory, e.g. reports/latest')
    .option('--quiet', 'print nothing on success')
    .action(async (dir: string, options) => {
      process.exitCode = await reportCommand(dir, options);
    });

  program
    .command('list')
    .description('list what can be named in a scenario')
    .argument('<what>', 'adapters | faults')
    .action((what: string) => {
      process.exitCode = listCommand(what);
    });
  return program;
}

/** Runs the CLI; never throws: every failure becomes a message and an exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
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
      return error.exitCode;
    }
    process.stderr.write(`crosswire: internal error: ${(error as Error)?.message ?? String(error)}\n`);
    if (process.env.CROSSWIRE_DEBUG) process.stderr.write(`${(error as Error)?.stack}\n`);
    return ExitCode.internal;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv);
}
