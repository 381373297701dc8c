import { isAbsolute, join, relative } from 'node:path';
import type { Command } from 'commander';
import { cacheAdapters } from '../../cache/builtin-adapters.ts';
import { usageError } from '../../errors.ts';
import { completionScript, shells, type Shell } from '../completion-script.ts';
import { SCENARIOS, shippedScenarios } from './list-command.ts';

/**
 * `crosswire completion bash|zsh|fish`: the script on stdout. Shipped scenarios are offered as
 * paths from the directory the script is made in (`scenarios/…` in a checkout,
 * `node_modules/crosswire/scenarios/…` in a project that installed crosswire).
 */
export function completionCommand(shell: string, program: Command, cwd = process.cwd()): number {
  if (!(shells as readonly string[]).includes(shell)) {
    throw usageError('UNKNOWN_SHELL', `completion ${shell}: expected one of: ${shells.join(', ')}`);
  }
  const base = relative(cwd, SCENARIOS);
  const from = base.startsWith('..') || isAbsolute(base) ? SCENARIOS : base;
  const scenarios = shippedScenarios().map(({ file }) => join(from, file));
  process.stdout.write(completionScript(shell as Shell, program, { adapterIds: [...cacheAdapters.keys()], scenarios }));
  return 0;
}
