import type { EventEmitter } from 'node:events';
import type { Command, Help } from 'commander';
import { exitCodeTable } from '../exit-codes.ts';

/**
 * docs/cli-reference.md, generated from the commander program itself: every command with its
 * usage, description, arguments, options (with choices and defaults, as `--help` shows them)
 * and the text it adds after its help, then the exit codes. Regenerate with `npm run docs`; a
 * test fails when the committed file differs.
 */

/** Commander's text as Markdown: `<n>` would read as an HTML tag and `|` would split a table cell. */
function escape(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\*/g, '\\*')))
    .join('')
    .replace(/\|/g, '\\|');
}

const code = (text: string) => `\`${text.replace(/\|/g, '\\|')}\``;

/** The text a command adds after its built-in help (`addHelpText('after', …)`). */
function textAfterHelp(command: Command): string {
  let text = '';
  // a Command is an EventEmitter at run time; its typings do not say so
  (command as unknown as EventEmitter).emit('afterHelp', { error: false, command, write: (s: string) => (text += s) });
  return text.replace(/^\n+|\s+$/g, '');
}

function commandSection(command: Command, help: Help, heading: string, programAfter: string): string[] {
  // commander's implicit `help` command has no parent to name the program in its usage
  const usage = help.commandUsage(command);
  const fullUsage = heading.startsWith(usage.split(' ')[0]) ? usage : `${heading.split(' ')[0]} ${usage}`;
  const lines = [`## ${heading}`, '', '```', fullUsage, '```', '', escape(help.commandDescription(command)), ''];
  const args = help.visibleArguments(command);
  if (args.length > 0) {
    lines.push('| argument | what |', '|---|---|', ...args.map((a) => `| ${code(help.argumentTerm(a))} | ${escape(help.argumentDescription(a))} |`), '');
  }
  const options = help.visibleOptions(command);
  if (options.length > 0) {
    lines.push('| option | what |', '|---|---|', ...options.map((o) => `| ${code(help.optionTerm(o))} | ${escape(help.optionDescription(o))} |`), '');
  }
  let after = textAfterHelp(command);
  // the exit codes the program and `run` print are the table at the end; anything else is shown as is
  if (programAfter !== '' && after.includes(programAfter)) {
    lines.push('Exit codes: [below](#exit-codes).', '');
    after = after.replace(programAfter, '').replace(/^\n+|\s+$/g, '');
  }
  if (after !== '') lines.push('```', after, '```', '');
  return lines;
}

export function cliReferenceMarkdown(program: Command, regenerate: string): string {
  const help = program.createHelp();
  const programAfter = textAfterHelp(program);
  const commands = help.visibleCommands(program);
  const lines = [
    `<!-- Generated from the CLI's own definition (src/cli/main.ts) by \`${regenerate}\`; do not edit by hand. -->`,
    '',
    '# CLI reference',
    '',
    `Every \`${program.name()}\` command as \`--help\` describes it. How to use them, with examples: [Running](running.md),`,
    '[The gate](gate.md), [Cache adapters](adapters.md); how `run` flags and `CROSSWIRE_*` variables combine',
    'with a scenario: [Running](running.md#flags-environment-and-precedence).',
    '',
    ...commands.map((c) => `- [\`${program.name()} ${c.name()}\`](#${program.name()}-${c.name()}) — ${escape(help.subcommandDescription(c))}`),
    '',
  ];
  lines.push(...commandSection(program, help, program.name(), programAfter));
  for (const command of commands) lines.push(...commandSection(command, help, `${program.name()} ${command.name()}`, programAfter));
  lines.push('## Exit codes', '', '| code | meaning |', '|---|---|', ...exitCodeTable.map(([n, text]) => `| ${n} | ${escape(text)} |`), '');
  return lines.join('\n');
}
