import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The shipped CI jobs of examples/ci/, read the way their CI systems would. */
export const CI_EXAMPLES = {
  github: fileURLToPath(new URL('../../examples/ci/github-actions.yml', import.meta.url)),
  gitlab: fileURLToPath(new URL('../../examples/ci/gitlab-ci.yml', import.meta.url)),
} as const;

/** What a test needs of one job, whichever CI system runs it. */
export interface CiJob {
  /** The job's variables (`env:` / `variables:`). */
  env: Record<string, string>;
  /** Every shell line the job runs before the gate, in order. */
  setup: string[];
  /** The gate's command line. */
  gate: string;
  /** The shell that brings junit.xml and summary.md to fixed paths, and where it runs. */
  collect: { cwd: string; script: string };
  junit: string;
  /** What is kept as artifacts. */
  artifacts: string[];
  /** How Node is provided: setup-node's version or the job's image. */
  node: string;
}

type Step = { uses?: string; run?: string; if?: string; with?: Record<string, unknown>; 'working-directory'?: string };

const gateLine = (lines: string[], file: string): string => {
  const found = lines.filter((l) => /\bcrosswire gate\b/.test(l));
  if (found.length !== 1) throw new Error(`${file}: expected one crosswire gate command, found ${found.length}`);
  return found[0];
};

export async function readGithubJob(): Promise<CiJob & { steps: Step[]; workflow: Record<string, unknown> }> {
  const workflow = parse(await readFile(CI_EXAMPLES.github, 'utf8'));
  const steps: Step[] = workflow.jobs.gate.steps;
  const runs = steps.filter((s) => s.run !== undefined);
  const gate = gateLine(runs.map((s) => s.run!), CI_EXAMPLES.github);
  const gateIndex = runs.findIndex((s) => s.run === gate);
  const collect = runs.find((s, i) => i > gateIndex && s.run!.includes('junit.xml'))!;
  const uses = (action: string) => steps.find((s) => s.uses?.startsWith(`${action}@`));
  return {
    workflow,
    steps,
    env: workflow.env,
    setup: runs.slice(0, gateIndex).map((s) => s.run!),
    gate,
    collect: { cwd: collect['working-directory'] ?? '.', script: collect.run! },
    junit: String(uses('mikepenz/action-junit-report')?.with?.report_paths),
    artifacts: String(uses('actions/upload-artifact')?.with?.path ?? '').split('\n').filter(Boolean),
    node: String(uses('actions/setup-node')?.with?.['node-version']),
  };
}

export async function readGitlabJob(): Promise<CiJob & { job: Record<string, any> }> {
  const pipeline = parse(await readFile(CI_EXAMPLES.gitlab, 'utf8'));
  const job = pipeline['cache-library-gate'];
  const after: string[] = job.after_script;
  return {
    job,
    env: job.variables,
    setup: job.before_script,
    gate: gateLine(job.script, CI_EXAMPLES.gitlab),
    collect: { cwd: '.', script: after.find((l) => l.includes('junit.xml'))! },
    junit: job.artifacts.reports.junit,
    artifacts: job.artifacts.paths,
    node: job.image,
  };
}

/**
 * A command line as a POSIX shell splits it: words, double and single quotes, `$NAME` and
 * `${NAME}` from `env` (enough for the examples' lines; anything else is refused).
 */
export function shellWords(line: string, env: Record<string, string>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote === "'" ? ch === "'" : quote === '"' ? ch === '"' : ch === '"' || ch === "'") {
      quote = quote === undefined ? (ch as '"' | "'") : undefined;
      word ??= '';
    } else if (ch === '$' && quote !== "'") {
      const m = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/.exec(line.slice(i));
      if (!m) throw new Error(`unsupported $ at ${i} in ${line}`);
      const name = m[1] ?? m[2];
      if (!(name in env)) throw new Error(`$${name} is not set by the job: ${line}`);
      word = (word ?? '') + env[name];
      i += m[0].length - 1;
    } else if (/\s/.test(ch) && quote === undefined) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (/[|;&<>`\\]/.test(ch) && quote === undefined) {
      throw new Error(`unsupported shell syntax ${JSON.stringify(ch)} in ${line}`);
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (quote !== undefined) throw new Error(`unterminated quote in ${line}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** `--flag value` pairs of a command's words (the value of a repeated flag: its last). */
export function flagValue(words: readonly string[], flag: string): string | undefined {
  const i = words.lastIndexOf(flag);
  return i === -1 ? undefined : words[i + 1];
}

/** The aliases an `npm install … name@npm:spec …` line installs: name → the spec's variable or value. */
export function npmAliases(line: string, env: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const word of shellWords(line, env)) {
    const m = /^([a-z0-9][\w.-]*)@npm:(.+)$/i.exec(word);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}
