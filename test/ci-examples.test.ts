import { describe, expect, it } from 'vitest';
import { gateSide } from '../src/gate/gate-side.ts';
import { flagValue, npmAliases, readGithubJob, readGitlabJob, shellWords, type CiJob } from './support/ci-examples.ts';

/** The shipped CI jobs (examples/ci/): parsed as YAML, their structure checked. */
const jobs: [string, () => Promise<CiJob>][] = [
  ['GitHub Actions', readGithubJob],
  ['GitLab CI', readGitlabJob],
];

describe.each(jobs)('the %s example', (_, read) => {
  it('installs redis-server and starts nothing: crosswire starts its own private servers', async () => {
    const job = await read();
    expect(job.setup.some((l) => /apt-get install .*\bredis-server\b/.test(l))).toBe(true);
    // no server started by the job, no cache URL given to crosswire
    expect([...job.setup, job.gate].some((l) => /redis-server --|service redis|systemctl|--cache-url|docker run/.test(l))).toBe(false);
  });

  it('runs on Node 24', async () => {
    expect((await read()).node).toMatch(/^(24|node:24\b)/);
  });

  it('installs two versions of one library under npm aliases, and the gate loads one on each side', async () => {
    const job = await read();
    const install = job.setup.find((l) => l.startsWith('npm install') && l.includes('@npm:'));
    expect(install, 'an npm install of the aliases').toBeDefined();
    const aliases = npmAliases(install!, job.env);
    const words = shellWords(job.gate, job.env);
    expect(words.slice(0, 3)).toEqual(['npx', 'crosswire', 'gate']);
    const baseline = { adapter: flagValue(words, '--baseline'), module: flagValue(words, '--baseline-module') };
    const candidate = { adapter: flagValue(words, '--candidate'), module: flagValue(words, '--candidate-module') };
    expect(baseline.adapter).toBe(job.env.CACHE_ADAPTER);
    expect(candidate.adapter).toBe(job.env.CACHE_ADAPTER);
    // each side's module is one of the installed aliases, of the same library, at the two versions
    expect(aliases.get(baseline.module!)).toBe(job.env.BASELINE);
    expect(aliases.get(candidate.module!)).toBe(job.env.CANDIDATE);
    expect(job.env.BASELINE.split('@')[0]).toBe(job.env.CANDIDATE.split('@')[0]);
    expect(job.env.BASELINE).not.toBe(job.env.CANDIDATE);
    // the gate accepts both sides as written (an unknown adapter or a bad package name is exit 2)
    expect((await gateSide('baseline', baseline.adapter, baseline.module)).label).toBe(`${job.env.CACHE_ADAPTER} (${baseline.module})`);
    expect((await gateSide('candidate', candidate.adapter, candidate.module)).label).toBe(`${job.env.CACHE_ADAPTER} (${candidate.module})`);
    // medians over seeds, not one run
    expect(Number(flagValue(words, '--seeds'))).toBeGreaterThanOrEqual(3);
  });

  it('wires junit.xml from where the gate writes it, and keeps summary.md and the gate directory', async () => {
    const job = await read();
    const outDir = flagValue(shellWords(job.gate, job.env), '--out-dir')!;
    expect(outDir).toBeDefined();
    expect(job.junit).toBe(`${outDir}/junit.xml`);
    // the collect step copies the newest gate directory's reports next to it
    expect(job.collect.script).toMatch(/readlink gate\/latest/);
    expect(job.collect.script).toMatch(/cp "\$gate\/junit\.xml" "\$gate\/summary\.md" \./);
    const where = job.collect.cwd === '.' ? /^cd (\S+) &&/.exec(job.collect.script)?.[1] : job.collect.cwd;
    expect(where).toBe(outDir);
    expect(job.artifacts.map((p) => p.replace(/\/$/, ''))).toContain(outDir);
  });
});

describe('what each CI system adds', () => {
  it('GitHub: the junit publisher and the artifact upload run whatever the gate exited with; the step summary comes from the gate', async () => {
    const job = await readGithubJob();
    const after = job.steps.slice(job.steps.findIndex((s) => s.run === job.gate) + 1);
    expect(after.length).toBeGreaterThanOrEqual(3);
    for (const step of after) expect(step.if).toBe('always()');
    expect(job.workflow.permissions).toMatchObject({ checks: 'write' });
    // the gate appends summary.md to $GITHUB_STEP_SUMMARY itself: nothing may redirect it away
    expect(JSON.stringify(job.workflow)).not.toMatch(/GITHUB_STEP_SUMMARY\s*[:=]/);
    // upload-artifact follows links: the collect step removes `latest` so the runs are kept once
    expect(job.collect.script).toMatch(/^rm gate\/latest$/m);
  });

  it('GitLab: junit.xml as the merge request test report, summary.md in artifacts kept on failure', async () => {
    const { job } = await readGitlabJob();
    expect(job.artifacts.when).toBe('always');
    expect(job.artifacts.expose_as).toBeDefined();
    expect(job.after_script.join('\n')).toContain('merge_requests/$CI_MERGE_REQUEST_IID/notes');
  });

  it('both run the same gate command line', async () => {
    const [github, gitlab] = await Promise.all([readGithubJob(), readGitlabJob()]);
    expect(shellWords(gitlab.gate, gitlab.env)).toEqual(shellWords(github.gate, github.env));
    expect(gitlab.env).toEqual(github.env);
  });
});

describe('reading a command line as a shell does', () => {
  it('splits words, honours quotes and expands the job variables', () => {
    expect(shellWords(`npx x --a "$A b" --c \${C} 'it''s' ""`, { A: 'one', C: 'two' })).toEqual(['npx', 'x', '--a', 'one b', '--c', 'two', 'its', '']);
    expect(() => shellWords('a && b', {})).toThrow('unsupported shell syntax');
    expect(() => shellWords('a $NOPE', {})).toThrow('$NOPE is not set');
    expect(npmAliases('npm install --no-save "x-next@npm:$V" plain', { V: 'x@2' })).toEqual(new Map([['x-next', 'x@2']]));
  });
});
