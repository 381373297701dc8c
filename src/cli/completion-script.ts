import type { Command, Option } from 'commander';

/**
 * Shell completion scripts (bash, zsh, fish) derived from the commander program itself: its
 * commands, their flags, the choices a flag allows, and the value lists crosswire knows
 * (adapter ids after `--cache`, `--baseline`, `--candidate`, `--only`; shipped scenarios
 * beside *.yaml files where a command takes scenario files).
 */
export const shells = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof shells)[number];

export interface CompletionValues {
  adapterIds: readonly string[];
  /** Shipped scenario paths as the user will type them (relative to where the script was made, when under it). */
  scenarios: readonly string[];
}

interface FlagModel {
  names: string[];
  description: string;
  /** Words the flag's value completes to; [] for a free value; undefined for a switch. */
  values?: string[];
  files?: boolean;
}

interface CommandModel {
  name: string;
  description: string;
  flags: FlagModel[];
  /** Words the positional argument completes to, and whether files complete too. */
  argWords: string[];
  argFiles: boolean;
}

const ADAPTER_FLAGS = new Set(['--cache', '--baseline', '--candidate', '--only']);

/** Fixed words for a command's first argument, where the program names them. */
const ARGUMENT_WORDS: Record<string, string[]> = { list: ['adapters', 'attempts', 'faults', 'scenarios'], completion: [...shells], init: ['adapter'] };

function flagModel(option: Option, values: CompletionValues): FlagModel {
  const names = [option.short, option.long].filter((n): n is string => n !== undefined);
  const long = option.long ?? '';
  const takesValue = option.required || option.optional;
  const flag: FlagModel = { names, description: option.description };
  if (!takesValue) return flag;
  if (option.argChoices) return { ...flag, values: option.argChoices };
  if (ADAPTER_FLAGS.has(long)) return { ...flag, values: [...values.adapterIds], files: long !== '--only' };
  return { ...flag, values: [], files: /dir|out$|export$/.test(long) };
}

export function completionModel(program: Command, values: CompletionValues): CommandModel[] {
  return program.commands
    .filter((c) => c.name() !== 'help')
    .map((command) => {
      const takesScenarios = command.registeredArguments.some((a) => /scenario/.test(a.name()));
      const takesDirs = command.registeredArguments.some((a) => /dir|file/.test(a.name()));
      return {
        name: command.name(),
        description: command.description().split('\n')[0]!,
        flags: [...command.options.map((o) => flagModel(o, values)), { names: ['-h', '--help'], description: 'display help for command' }],
        argWords: ARGUMENT_WORDS[command.name()] ?? (takesScenarios ? [...values.scenarios] : []),
        argFiles: takesScenarios || takesDirs,
      };
    });
}

export function completionScript(shell: Shell, program: Command, values: CompletionValues): string {
  const model = completionModel(program, values);
  if (shell === 'bash') return bashScript(model);
  if (shell === 'zsh') return zshScript(model);
  return fishScript(model);
}

const words = (list: readonly string[]) => list.join(' ');
const single = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function bashScript(model: CommandModel[]): string {
  const cases = model.map((c) => {
    const valued = c.flags.filter((f) => f.values !== undefined);
    const valueCases = valued.map((f) => {
      const reply = [f.values!.length > 0 ? `$(compgen -W ${single(words(f.values!))} -- "$cur")` : '', f.files ? '$(compgen -f -- "$cur")' : ''].filter(Boolean).join(' ');
      return `        ${f.names.join('|')}) COMPREPLY=(${reply}); return ;;`;
    });
    const args = [c.argWords.length > 0 ? `$(compgen -W ${single(words(c.argWords))} -- "$cur")` : '', c.argFiles ? '$(compgen -f -- "$cur")' : ''].filter(Boolean).join(' ');
    return [
      `    ${c.name})`,
      ...(valueCases.length > 0 ? ['      case "$prev" in', ...valueCases, '      esac'] : []),
      `      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W ${single(words(c.flags.flatMap((f) => f.names)))} -- "$cur"))`,
      `      else COMPREPLY=(${args}); fi ;;`,
    ].join('\n');
  });
  return `# crosswire completion for bash: source <(crosswire completion bash)
_crosswire() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" i
  # adapter ids hold ':' (faulty:stale-owner): complete whole words where bash-completion can
  if declare -F _get_comp_words_by_ref >/dev/null; then _get_comp_words_by_ref -n : cur prev; fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  case "$cmd" in
    "") COMPREPLY=($(compgen -W ${single(words([...model.map((c) => c.name), 'help', '--help', '--version']))} -- "$cur")) ;;
${cases.join('\n')}
  esac
  if declare -F __ltrim_colon_completions >/dev/null; then __ltrim_colon_completions "$cur"; fi
}
complete -o default -F _crosswire crosswire
`;
}

/** zsh `_arguments` text: `[`, `]` and `:` are syntax there. */
const zshText = (text: string) => text.replace(/\\/g, '\\\\').replace(/'/g, `'\\''`).replace(/[[\]]/g, (m) => `\\${m}`).replace(/:/g, '\\:');

function zshScript(model: CommandModel[]): string {
  const functions = model.map((c) => {
    const specs = c.flags.map((f) => {
      const action = f.values === undefined ? '' : f.values.length > 0 ? `:value:(${f.values.map((v) => v.replace(/:/g, '\\:')).join(' ')})` : f.files ? ':file:_files' : ':value: ';
      const names = f.names.length > 1 ? `{${f.names.join(',')}}` : f.names[0];
      const exclusive = f.names.length > 1 ? `'(${f.names.join(' ')})'` : '';
      return `    ${exclusive}${names}'[${zshText(f.description)}]${action}'`;
    });
    const argAction = c.argWords.length > 0 ? `(${c.argWords.map((v) => v.replace(/:/g, '\\:')).join(' ')})` : '';
    const arg = c.argFiles ? `'*:argument:_alternative ${single(`words:word:(${argAction.slice(1, -1)})`).replace(/^'|'$/g, '"')} "files:file:_files"'` : argAction ? `'*:argument:${argAction}'` : '';
    return `_crosswire_${c.name.replace(/-/g, '_')}() {\n  _arguments -s \\\n${[...specs, ...(arg ? [`    ${arg}`] : [])].join(' \\\n')}\n}`;
  });
  const described = model.map((c) => `    ${single(`${c.name}:${c.description.replace(/:/g, '\\:')}`)}`);
  return `#compdef crosswire
# crosswire completion for zsh: crosswire completion zsh > "\${fpath[1]}/_crosswire" (or source <(crosswire completion zsh))
${functions.join('\n\n')}

_crosswire() {
  local -a commands
  commands=(
${described.join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'crosswire command' commands
    _arguments '(-V --version)'{-V,--version}'[output the version number]' '(-h --help)'{-h,--help}'[display help]'
    return
  fi
  local cmd=\${words[2]}
  shift words; (( CURRENT-- ))
  (( \${+functions[_crosswire_\${cmd//-/_}]} )) && _crosswire_\${cmd//-/_}
}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then _crosswire "$@"; else compdef _crosswire crosswire; fi
`;
}

function fishScript(model: CommandModel[]): string {
  const names = words(model.map((c) => c.name));
  const fish = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = [
    '# crosswire completion for fish: crosswire completion fish > ~/.config/fish/completions/crosswire.fish',
    'complete -c crosswire -f',
    `complete -c crosswire -n 'not __fish_seen_subcommand_from ${names}' -s V -l version -d 'output the version number'`,
  ];
  for (const c of model) {
    lines.push(`complete -c crosswire -n 'not __fish_seen_subcommand_from ${names}' -a ${c.name} -d ${fish(c.description)}`);
    const when = `-n '__fish_seen_subcommand_from ${c.name}'`;
    for (const f of c.flags) {
      const short = f.names.find((n) => /^-[^-]/.test(n));
      const long = f.names.find((n) => n.startsWith('--'));
      const parts = [`complete -c crosswire ${when}`];
      if (short) parts.push(`-s ${short.slice(1)}`);
      if (long) parts.push(`-l ${long.slice(2)}`);
      if (f.values !== undefined) parts.push(f.files ? '-r -F' : '-x');
      if (f.values !== undefined && f.values.length > 0) parts.push(`-a ${fish(words(f.values))}`);
      parts.push(`-d ${fish(f.description.split('\n')[0]!.slice(0, 80))}`);
      lines.push(parts.join(' '));
    }
    if (c.argWords.length > 0) lines.push(`complete -c crosswire ${when} -a ${fish(words(c.argWords))}`);
    if (c.argFiles) lines.push(`complete -c crosswire ${when} -F`);
  }
  return `${lines.join('\n')}\n`;
}
