import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheAdapters } from '../src/cache/builtin-adapters.ts';
import { faultKindLines } from '../src/cli/commands/list-command.ts';
import { completionModel, completionScript, shells } from '../src/cli/completion-script.ts';
import { buildProgram } from '../src/cli/main.ts';
import { faultKinds } from '../src/faults/fault-kinds.ts';
import { keyLibraries, libraryVersions, versionText } from '../src/report/versions.ts';

const program = buildProgram();
const commands = program.commands.filter((c) => c.name() !== 'help');
const values = { adapterIds: [...cacheAdapters.keys()], scenarios: ['scenarios/reconnect-storm.yaml', 'scenarios/controls/cache-chaos-storm.yaml'] };
const dir = mkdtempSync(join(tmpdir(), 'crosswire-habits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `crosswire <command> --help` prints, without a process. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s) });
  command.outputHelp();
  return text;
}

describe('--help of every command', () => {
  it.each(commands.map((c) => [c.name(), c] as const))('%s shows examples that name the command', (name, command) => {
    const help = helpOf(command);
    expect(help).toMatch(/\nExamples:\n/);
    const examples = help.slice(help.indexOf('Examples:')).split('\n').slice(1).filter((l) => l.trim() !== '');
    expect(examples.length).toBeGreaterThan(0);
    expect(examples.some((l) => l.includes(`crosswire ${name}`))).toBe(true);
  });
});

describe('--version', () => {
  it('names crosswire, Node and the key libraries with the versions installed', () => {
    const lines = versionText().split('\n');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(lines[0]).toBe(`crosswire ${pkg.version}`);
    expect(lines[1]).toBe(`node ${process.version}`);
    for (const name of keyLibraries) {
      const installed = JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string };
      expect(lines).toContain(`${name} ${installed.version}`);
    }
    expect(program.version()).toBe(versionText());
  });
  it('says missing for a library that does not resolve', () => {
    expect(libraryVersions(['no-such-library-at-all'])).toEqual({ 'no-such-library-at-all': 'missing' });
  });
});

describe('list faults', () => {
  it('gives every fault kind one line with a description', () => {
    const lines = faultKindLines();
    expect(lines).toHaveLength(faultKinds.size);
    for (const [id, kind] of faultKinds) {
      const line = lines.find((l) => l.startsWith(`${id} `));
      expect(line, id).toBeDefined();
      expect(kind.description.trim().length).toBeGreaterThan(10);
      expect(line).toContain(kind.description);
      expect(line).not.toContain('\n');
    }
  });
});

describe('crosswire completion', () => {
  it('covers every command and every flag of the program', () => {
    const model = completionModel(program, values);
    expect(model.map((c) => c.name).sort()).toEqual(commands.map((c) => c.name()).sort());
    for (const shell of shells) {
      const script = completionScript(shell, program, values);
      for (const command of commands) {
        expect(script, `${shell}: ${command.name()}`).toContain(command.name());
        for (const option of command.options) expect(script, `${shell}: ${command.name()} ${option.long}`).toContain(option.long!.replace(/^--/, ''));
      }
      for (const id of values.adapterIds) expect(script).toContain(id.replace(/:/g, shell === 'zsh' ? '\\:' : ':'));
    }
  });

  const bash = spawnSync('bash', ['--version']).status === 0;
  it.runIf(bash)('bash completes commands, adapter ids, choices and scenario files', () => {
    const file = join(dir, 'crosswire.bash');
    writeFileSync(file, completionScript('bash', program, values));
    const complete = (...words: string[]): string[] => {
      const script = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _crosswire; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync('bash', ['--norc', '-c', script], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.split('\n').filter(Boolean);
    };
    expect(complete('crosswire', 'ru')).toEqual(['run']);
    expect(complete('crosswire', 'run', '--cache', 'iore')).toEqual(['ioredis', 'ioredis@4.16.1', 'ioredis@4.16.0']);
    expect(complete('crosswire', 'run', '--cache', 'faulty:st')).toEqual(['faulty:stale-owner']);
    expect(complete('crosswire', 'run', '--clo')).toEqual(['--clock']);
    expect(complete('crosswire', 'run', '--clock', '')).toEqual(['auto', 'real', 'virtual']);
    expect(complete('crosswire', 'gate', '--candidate', 'redis@2.2')).toEqual(['redis@2.2.5']);
    expect(complete('crosswire', 'list', '')).toEqual(['adapters', 'attempts', 'faults', 'scenarios']);
    expect(complete('crosswire', 'completion', 'z')).toEqual(['zsh']);
    expect(complete('crosswire', 'explore', '--b')).toEqual(['--budget']);
    expect(complete('crosswire', 'explore', '--ex')).toEqual(['--export']);
    expect(complete('crosswire', 'exp')).toEqual(['explore', 'export']);
    expect(complete('crosswire', 'run', 'scenarios/controls/')).toContain('scenarios/controls/cache-chaos-storm.yaml');
  });

  it('refuses a shell it does not know, naming the ones it does', async () => {
    const { completionCommand } = await import('../src/cli/commands/completion-command.ts');
    expect(() => completionCommand('tcsh', program)).toThrow('completion tcsh: expected one of: bash, zsh, fish');
  });
});
