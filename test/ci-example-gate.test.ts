import { execFileSync } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flagValue, readGithubJob, readGitlabJob, shellWords } from './support/ci-examples.ts';
import { expectJunitShape } from './support/junit-shape.ts';
import { runCli, type CliResult } from './support/run-cli.ts';
import { skipWithout } from './support/server-skip.ts';
import { parseXml } from './support/xml-parse.ts';

/**
 * The gate command line of examples/ci/, run as the job would run it, with its aliases pointing
 * at the two node_redis versions this repository installs (redis-2.3.0, redis-2.2.5: a real
 * fix and its bug); then each job's collect step, and its artifact paths checked.
 */
let cwd: string;
let gate: CliResult;
let outDir: string;
let stepSummary: string;

beforeAll(async () => {
  if (skipWithout('redis')) return;
  cwd = await mkdtemp(join(tmpdir(), 'crosswire-ci-example-'));
  stepSummary = join(cwd, 'step-summary.md');
  const job = await readGithubJob();
  const env = { ...job.env, CACHE_ADAPTER: 'redis@2.3.0' };
  const words = shellWords(job.gate, env);
  const installed: Record<string, string> = { [flagValue(words, '--baseline-module')!]: 'redis-2.3.0', [flagValue(words, '--candidate-module')!]: 'redis-2.2.5' };
  // the job's words, but one seed, and the aliases this checkout has
  const args = words.slice(2).map((w, i, all) => (all[i - 1] === '--seeds' ? '1' : /-module$/.test(all[i - 1] ?? '') ? installed[w] : w));
  outDir = flagValue(words, '--out-dir')!;
  gate = await runCli(args, { cwd, env: { GITHUB_STEP_SUMMARY: stepSummary }, timeoutMs: 150_000 });
}, 180_000);
afterAll(async () => {
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

const bash = (script: string, dir: string) => execFileSync('bash', ['-e', '-c', script], { cwd: dir, encoding: 'utf8' });

describe.skipIf(skipWithout('redis'))('the CI examples, run here', () => {
  it('the gate command exits 1 (the candidate leaks) and writes its gate directory under --out-dir', async () => {
    expect(gate.code, gate.stdout + gate.stderr).toBe(1);
    expect(gate.stdout).toContain('[exit 1] candidate redis@2.3.0 (redis-2.2.5) FAILs on cache-chaos-storm seed 1');
    const stamps = (await readdir(join(cwd, outDir, 'gate'))).filter((n) => n !== 'latest');
    expect(stamps).toHaveLength(1);
    // the step summary gets the gate's summary.md, as $GITHUB_STEP_SUMMARY does on GitHub
    expect(await readFile(stepSummary, 'utf8')).toContain('## ❌ gate FAIL — candidate redis@2.3.0 (redis-2.2.5) vs baseline redis@2.3.0 (redis-2.3.0)');
  });

  it('GitLab: after_script puts junit.xml and summary.md where artifacts:reports:junit and paths say', async () => {
    const job = await readGitlabJob();
    bash(job.collect.script, join(cwd, job.collect.cwd));
    await expectReports(job.junit, job.artifacts);
  });

  it('GitHub: the collect step does the same and removes the latest link, so the artifact holds each run once', async () => {
    const job = await readGithubJob();
    await rm(join(cwd, job.junit), { force: true }); // what the GitLab step left
    bash(job.collect.script, join(cwd, job.collect.cwd));
    await expectReports(job.junit, job.artifacts);
    await expect(lstat(join(cwd, outDir, 'gate', 'latest'))).rejects.toThrow();
  });
});

/** junit.xml at the publisher's path, with the leak as a failure; summary.md beside it; both inside the artifacts. */
async function expectReports(junitPath: string, artifacts: string[]) {
  const junit = parseXml(await readFile(join(cwd, junitPath), 'utf8'));
  expectJunitShape(junit);
  const isolation = junit.children[0].children.find((c) => c.name === 'testcase' && c.attributes.name === 'candidate isolation, seed 1');
  expect(isolation?.children.map((c) => c.name)).toEqual(['failure']);
  const summary = join(cwd, outDir, 'summary.md');
  expect((await readFile(summary, 'utf8')).startsWith('## ❌ gate FAIL')).toBe(true);
  for (const file of [junitPath, join(outDir, 'summary.md')]) {
    expect(artifacts.some((a) => file.startsWith(a.endsWith('/') ? a : `${a}/`)), `${file} is inside the artifacts ${artifacts.join(', ')}`).toBe(true);
  }
}
