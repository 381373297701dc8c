import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layers run one way (docs/architecture.md): the rules below are checked against every
 * import under src/, so a change that breaks one fails here, naming the file and the import.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** [from folder, to folder, why]: imports that must never exist. */
const NEVER: [string, string, string][] = [
  ['oracle', 'service', 'the judge trusts only the history and the truth, never the system under test'],
  ['oracle', 'cache', 'the judge never sees what the cache says, except as recorded evidence'],
  ['oracle', 'broker', 'the judge never asks the broker'],
  ['registry', 'service', 'ground truth does not depend on the system under test'],
  ['registry', 'cache', 'ground truth does not depend on the cache'],
  ['cache', 'service', 'adapters know nothing of their user'],
  ['cache', 'oracle', 'a faulty adapter confesses; it never calls the judge'],
  ['broker', 'service', 'the broker is infrastructure'],
  ['runner', 'cli', 'the core knows no terminal'],
  ['explore', 'cli', 'the search knows no terminal: progress leaves it as snapshots'],
  ['runner', 'explore', 'the search drives the runner, not the other way round'],
  ['scenario', 'runner', 'a scenario is data'],
  ['report', 'runner', 'reports are a function of the stored run'],
  ['metrics', 'runner', 'reports are a function of the stored run'],
  ['history', 'runner', 'the history is what the runner writes, not the other way round'],
  ['fuzz', 'cli', 'the fuzzer knows no terminal: progress leaves it through a callback'],
  ['fuzz', 'oracle', 'the fuzzer judges packets by the shipped ACL, not runs'],
  ['broker', 'fuzz', 'the broker does not know it is being fuzzed'],
  ['export', 'cli', 'the repro knows no terminal'],
  ['export', 'runner', 'a repro is a function of the stored run, never of a new one'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** file → the files of src/ it imports (static imports and re-exports, types included). */
const imports = new Map<string, string[]>();
for (const file of sourceFiles(join(ROOT, 'src'))) {
  const text = readFileSync(file, 'utf8');
  const targets = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'(\.{1,2}\/[^']+)'/gm)].map((m) => resolve(dirname(file), m[1]));
  imports.set(relative(ROOT, file), targets.map((t) => relative(ROOT, t)));
}
const folderOf = (file: string) => file.split('/')[1]?.replace(/\.ts$/, '') ?? file;

/** Strongly connected groups of more than one node (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('the layers of src/', () => {
  it('keep every never-rule', () => {
    const broken: string[] = [];
    for (const [file, targets] of imports) {
      for (const target of targets) {
        const rule = NEVER.find(([from, to]) => folderOf(file) === from && folderOf(target) === to);
        if (rule) broken.push(`${file} imports ${target}: ${rule[2]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('have no circle of files', () => {
    const graph = new Map([...imports].map(([file, targets]) => [file, new Set(targets)]));
    expect(cycles(graph)).toEqual([]);
  });

  it('have no circle of folders', () => {
    const graph = new Map<string, Set<string>>();
    for (const [file, targets] of imports) {
      const from = folderOf(file);
      for (const target of targets) if (folderOf(target) !== from) graph.set(from, (graph.get(from) ?? new Set()).add(folderOf(target)));
    }
    expect(cycles(graph)).toEqual([]);
  });

  it('reads the imports it checks (the parser sees the runner importing the oracle)', () => {
    expect(imports.get('src/runner/run-scenario.ts')).toContain('src/oracle/judge.ts');
  });
});
