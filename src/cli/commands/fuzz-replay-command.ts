import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { usageError } from '../../errors.ts';
import { ExitCode } from '../../exit-codes.ts';
import { castOf } from '../../fuzz/fuzz-cast.ts';
import { embeddedTarget, externalTarget } from '../../fuzz/fuzz-target.ts';
import { fromRegressionFile, readRegressionDir, readRegressionFile, type RegressionFile } from '../../fuzz/regression-case.ts';
import { runCase } from '../../fuzz/run-case.ts';
import { makeChalk } from '../output.ts';

export interface FuzzReplayOptions {
  broker?: string;
  transport: 'tcp' | 'memory' | 'worker';
  json?: boolean;
  color?: boolean;
}

/** `crosswire fuzz --replay <case.json | dir>`: run saved cases byte for byte; exit 1 if any still finds something. */
export async function fuzzReplayCommand(path: string, options: FuzzReplayOptions): Promise<number> {
  const cases = (await stat(path).catch(() => undefined))?.isDirectory() ? await readRegressionDir(path) : [{ name: basename(path), file: await readRegressionFile(path) }];
  if (cases.length === 0) throw usageError('FUZZ_CASE', `flag --replay: ${path} holds no *.json fuzz case`);
  const first = cases[0].file;
  const sameCast = (f: RegressionFile) => f.seed === first.seed && JSON.stringify(f.fleet) === JSON.stringify(first.fleet);
  const odd = cases.find((c) => !sameCast(c.file));
  if (odd !== undefined) throw usageError('FUZZ_CASE', `${odd.name}: field seed/fleet: differs from ${cases[0].name} (replay cases of one seed and fleet together)`);
  const cast = castOf(first.seed, first.fleet);
  const target = options.broker === undefined ? await embeddedTarget(cast, { transport: options.transport }) : externalTarget(options.broker);
  const out = makeChalk(process.stdout, options.color === false);
  const results: Array<{ name: string; title: string; findings: Awaited<ReturnType<typeof runCase>> }> = [];
  try {
    for (const [i, { name, file }] of cases.entries()) results.push({ name, title: file.title, findings: await runCase(target, cast, fromRegressionFile(file), i) });
  } finally {
    await target.close();
  }
  const failing = results.filter((r) => r.findings.length > 0);
  if (options.json) process.stdout.write(JSON.stringify({ verdict: failing.length === 0 ? 'PASS' : 'FAIL', target: target.name, seed: first.seed, cases: results }, null, 2) + '\n');
  else {
    for (const r of results) {
      process.stdout.write(r.findings.length === 0 ? `${out.green('✓')} ${r.name}  ${out.dim(r.title)}\n` : `${out.red('✗')} ${r.name}  ${r.title}\n${r.findings.map((f) => `    [${f.kind}] ${f.what}\n`).join('')}`);
    }
    process.stdout.write(`${failing.length === 0 ? out.bold.green('PASS') : out.bold.red('FAIL')}  fuzz replay  ${target.name}  ${results.length - failing.length}/${results.length} cases clean\n`);
  }
  return failing.length === 0 ? ExitCode.pass : ExitCode.fail;
}
