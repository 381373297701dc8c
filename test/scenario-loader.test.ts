import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrosswireError } from '../src/errors.ts';
import { loadScenarioFile, parseScenarioText, validateScenarioObject } from '../src/scenario/load-scenario.ts';
import { malformedScenarios } from './support/malformed-scenarios.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswire-scenario-'));
});
afterAll(async () => {
  await chmod(join(dir, 'locked.yaml'), 0o644).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** The CrosswireError a call throws; fails the test if it returns or throws anything else. */
async function failure(run: () => unknown): Promise<CrosswireError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(CrosswireError);
    expect((error as CrosswireError).exitCode).toBe(2);
    return error as CrosswireError;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('loadScenarioFile: valid input', () => {
  it('loads a file and fills in every default', async () => {
    const text = [
      'name: small-storm',
      'fleet:',
      '  devices: 50',
      '  eventInterval: 2s',
      'timeline:',
      "  - { at: '+00:00:10', fault: broker-outage, duration: 5s }",
      '  - at: 20s',
      '    transfer: { share: 0.1 }',
      '',
    ].join('\n');
    const file = await fixture('good.yaml', text);
    const loaded = await loadScenarioFile(file);
    expect(loaded.file).toBe(file);
    expect(loaded.source).toBe(text);
    const s = loaded.scenario;
    expect(s.name).toBe('small-storm');
    expect(s.fleet.devices).toBe(50);
    expect(s.fleet.eventInterval).toBe(2000);
    // Everything not written comes from the schema defaults.
    expect(s.fleet.transport).toBe('memory');
    expect(s.fleet.tapShare).toBe(0.2);
    expect(s.fleet.backoff).toEqual({ kind: 'exponential', jitter: 'full', base: 500, cap: 10_000, maxAttempts: 0 });
    expect(s.service.verify).toBe('none');
    expect(s.duration).toBe(70_000);
    expect(s.timeline).toEqual([
      { at: 10_000, fault: 'broker-outage', duration: 5_000 },
      { at: 20_000, transfer: { share: 0.1 } },
    ]);
  });

  it('treats {} as the built-in storm', () => {
    expect(parseScenarioText('{}\n', 'inline.yaml').scenario.fleet.devices).toBe(2000);
    expect(validateScenarioObject({}, 'built-in default').name).toBe('reconnect-storm');
  });
});

describe('timeline: stages and heals compile to one time-ordered list', () => {
  it("runs stages in order: each starts after the previous one's last heal, plus its gap", () => {
    const text = [
      'timeline:',
      '  stages:',
      '    - name: outage',
      '      gap: 10s                # the first stage starts 10 s into the run',
      '      steps:',
      '        - { fault: broker-outage, duration: 8s }',
      '        - { at: 2s, fault: cache-flush }',
      '    - name: churn',
      '      gap: 3s                 # 10 + 8 (the outage heals) + 3',
      '      steps:',
      '        - { at: 1s, transfer: { share: 0.1 } }',
      '        - { fault: partition, share: 0.2, heal: 4s }   # heal counts from the stage start',
      '        - { at: 500ms, fault: wave, devices: 3, duration: 1s }',
      '',
    ].join('\n');
    expect(parseScenarioText(text, 'x.yaml').scenario.timeline).toEqual([
      { at: 10_000, fault: 'broker-outage', duration: 8_000 },
      { at: 12_000, fault: 'cache-flush' },
      { at: 21_000, fault: 'partition', share: 0.2, viewers: false, duration: 4_000 },
      { at: 21_500, fault: 'wave', devices: 3, duration: 1_000 },
      { at: 22_000, transfer: { share: 0.1 } },
    ]);
  });

  it("resolves a flat step's heal to a duration, keeps same-time steps in written order", () => {
    const text = "timeline:\n  - { at: 5s, fault: service-restart, heal: '+00:00:09' }\n  - { at: 5s, transfer: { share: 0.1, to: [acct-000001] } }\n";
    expect(parseScenarioText(text, 'x.yaml').scenario.timeline).toEqual([
      { at: 5_000, fault: 'service-restart', coldCache: true, duration: 4_000 },
      { at: 5_000, transfer: { share: 0.1, to: ['acct-000001'] } },
    ]);
  });

  it('the compiled list is itself a valid flat timeline (a resolved scenario re-validates)', () => {
    const text = 'timeline:\n  stages:\n    - steps:\n        - { at: 10s, fault: wave, devices: 5, duration: 2s }\n        - { at: 20s, fault: storm, heal: 25s }\n        - { at: 26s, fault: cache-flush }\n        - { at: 27s, fault: service-restart, duration: 1s, coldCache: false }\n';
    const { scenario } = parseScenarioText(text, 'x.yaml');
    expect(validateScenarioObject(structuredClone(scenario), 'resolved').timeline).toEqual(scenario.timeline);
  });
});

describe('loadScenarioFile: unreadable files', () => {
  it('names a missing file', async () => {
    const file = join(dir, 'nope.yaml');
    const error = await failure(() => loadScenarioFile(file));
    expect(error.code).toBe('SCENARIO_NOT_FOUND');
    expect(error.message).toContain(file);
    expect(error.message).toContain('does not exist');
  });

  it('rejects a directory', async () => {
    const sub = join(dir, 'a-directory.yaml');
    await mkdir(sub, { recursive: true });
    const error = await failure(() => loadScenarioFile(sub));
    expect(error.code).toBe('SCENARIO_UNREADABLE');
    expect(error.message).toContain(sub);
    expect(error.message).toContain('directory');
  });

  // root reads anything: as root, the check runs in a child process dropped to `nobody`
  it('rejects a file it may not read', async () => {
    const file = await fixture('locked.yaml', 'seed: 1\n');
    await chmod(file, 0o000);
    if (process.getuid?.() !== 0) {
      const error = await failure(() => loadScenarioFile(file));
      expect(error.code).toBe('SCENARIO_UNREADABLE');
      expect(error.message).toContain('permission denied');
      return;
    }
    await chmod(dirname(file), 0o755);
    const loader = fileURLToPath(new URL('../src/scenario/load-scenario.ts', import.meta.url));
    const script = `import(${JSON.stringify(loader)}).then((m) => m.loadScenarioFile(${JSON.stringify(file)})).catch((e) => console.log(e.code + ' ' + e.message))`;
    const child = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-e', script], { encoding: 'utf8' });
    expect(child.stdout).toContain('SCENARIO_UNREADABLE');
    expect(child.stdout).toContain('permission denied');
  });
});


describe('loadScenarioFile: malformed scenarios', () => {
  it.each(malformedScenarios)('$name', async ({ name, yaml, code, at, says }) => {
    const file = await fixture(`${name.replace(/\W+/g, '-')}.yaml`, yaml);
    const error = await failure(() => loadScenarioFile(file));
    expect(error.code).toBe(code);
    const [header, ...lines] = error.message.split('\n');
    expect(header).toBe(`invalid scenario ${file} (${lines.length} problem${lines.length === 1 ? '' : 's'}):`);
    // Several problems may share a position (e.g. a bound and the transport capacity).
    const here = lines.filter((l) => l.startsWith(`${file}:${at}: `));
    const match = here.some((l) => says.every((text) => l.includes(text)));
    expect(match, `no line at ${at} saying ${JSON.stringify(says)} in:\n${error.message}`).toBe(true);
  });
});

describe('parseScenarioText', () => {
  it('lists every problem, in file order, one per line', async () => {
    const text = 'bogus: 1\nfleet:\n  devices: -3\n  colour: red\nservice: { verify: all }\n';
    const error = await failure(() => parseScenarioText(text, 'scenarios/bad.yaml'));
    expect(error.code).toBe('SCENARIO_INVALID');
    expect(error.message.split('\n')).toEqual([
      'invalid scenario scenarios/bad.yaml (4 problems):',
      expect.stringMatching(/^scenarios\/bad\.yaml:1:1: bogus: unknown field/),
      'scenarios/bad.yaml:3:12: fleet.devices: expected an integer >= 1, found -3',
      expect.stringMatching(/^scenarios\/bad\.yaml:4:3: fleet\.colour: unknown field \(expected one of: devices, accounts/),
      'scenarios/bad.yaml:5:20: service.verify: expected one of: none, envelope, source-of-truth, found "all"',
    ]);
  });

  it('does not dump the other union branch for a transfer step', async () => {
    const error = await failure(() => parseScenarioText('timeline:\n  - at: 1s\n    transfer: { share: 2 }\n', 'x.yaml'));
    expect(error.message).toContain('x.yaml:3:24: timeline[0].transfer.share: expected a number <= 1');
    expect(error.message).not.toContain('fault');
  });
});

describe('validateScenarioObject', () => {
  it('names the origin and the field path', async () => {
    const error = await failure(() => validateScenarioObject({ fleet: { devices: 0, transport: 'ipx' } }, 'flag --devices'));
    expect(error.code).toBe('SCENARIO_INVALID');
    expect(error.message).toContain('invalid scenario from flag --devices (2 problems):');
    expect(error.message).toContain('flag --devices: fleet.devices: expected an integer >= 1, found 0');
    expect(error.message).toContain('flag --devices: fleet.transport: expected one of: memory, tcp, found "ipx"');
  });

  it('rejects something that is not a mapping', async () => {
    const error = await failure(() => validateScenarioObject([1], '--set'));
    expect(error.code).toBe('SCENARIO_INVALID');
    expect(error.message).toContain('--set: expected a mapping of scenario fields, found list');
  });
});

describe('overrides that index into a list', () => {
  const text = 'timeline:\n  - { at: 10s, fault: storm }\n  - { at: 20s, transfer: { share: 0.1 } }\n';
  const set = (path: string, value: unknown) => ({ path: path.split('.'), value, origin: `flag --set ${path}` });

  it('refuses an index past the end once, naming the flag and the index (not one problem per empty slot)', async () => {
    const error = await failure(() => parseScenarioText(text, 'x.yaml', [set('timeline.999.at', '30s')]));
    expect(error.message.split('\n')).toEqual([
      'invalid scenario x.yaml (1 problem):',
      'flag --set timeline.999.at: timeline[999]: index past the end: timeline has 2 entries (timeline[0] … timeline[1]); an index may be at most 2, which adds one at the end',
    ]);
  });

  it('appends at the next index, and makes a missing list for it', () => {
    const appended = parseScenarioText(text, 'x.yaml', [set('timeline.2.at', '30s'), set('timeline.2.fault', 'cache-flush')]).scenario;
    expect(appended.timeline.map((s) => s.at)).toEqual([10_000, 20_000, 30_000]);
    const made = parseScenarioText('seed: 1\n', 'x.yaml', [set('timeline.0.at', '30s'), set('timeline.0.fault', 'cache-flush')]).scenario;
    expect(made.timeline).toEqual([{ at: 30_000, fault: 'cache-flush' }]);
  });

  it('refuses a field name where a list wants an index', async () => {
    const error = await failure(() => parseScenarioText(text, 'x.yaml', [set('timeline.stages.0.gap', '1s')]));
    expect(error.message).toContain('flag --set timeline.stages.0.gap: timeline.stages: timeline is a list: expected an index from 0 to 2, found "stages"');
  });

  it('reports the gaps of a sparse list given as an object once', async () => {
    const timeline: unknown[] = [{ at: 1000, fault: 'storm' }];
    timeline[999] = { at: 30_000, transfer: { share: 0.1 } };
    const error = await failure(() => validateScenarioObject({ timeline }, 'test'));
    expect(error.message.split('\n')).toEqual([
      'invalid scenario from test (1 problem):',
      'test: timeline[1]: a list cannot have gaps: 998 entries from timeline[1] to timeline[998] are empty',
    ]);
  });
});
