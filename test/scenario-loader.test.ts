import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrosswireError } from '../src/errors.ts';
import { loadScenarioFile, parseScenarioText, validateScenarioObject } from '../src/scenario/load-scenario.ts';

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

interface Case {
  name: string;
  yaml: string;
  code: string;
  /** `line:col` the problem must point at, 1-based. */
  at: string;
  /** Text one line at that position must contain (field path first). */
  says: string[];
}

const cases: Case[] = [
  { name: 'invalid YAML syntax', yaml: 'fleet:\n  devices: [1, 2\n', code: 'SCENARIO_YAML', at: '3:1', says: ['Flow sequence'] },
  { name: 'duplicate key', yaml: 'fleet:\n  devices: 1\n  devices: 2\n', code: 'SCENARIO_YAML', at: '3:3', says: ['fleet.devices: duplicate key', '2:3'] },
  { name: 'several documents', yaml: 'seed: 1\n---\nseed: 2\n', code: 'SCENARIO_YAML', at: '2:1', says: ['one YAML document'] },
  { name: 'alias to a missing anchor', yaml: 'fleet: *base\n', code: 'SCENARIO_YAML', at: '1:8', says: ['Unresolved alias'] },
  { name: 'empty file', yaml: '', code: 'SCENARIO_INVALID', at: '1:1', says: ['the file is empty'] },
  { name: 'comments only', yaml: '# nothing yet\n', code: 'SCENARIO_INVALID', at: '1:1', says: ['the file is empty'] },
  { name: 'top-level list', yaml: '- seed: 1\n', code: 'SCENARIO_INVALID', at: '1:1', says: ['expected a mapping', 'found list'] },
  { name: 'unknown top-level key', yaml: 'seed: 1\ncolour: red\n', code: 'SCENARIO_INVALID', at: '2:1', says: ['colour: unknown field', 'timeScale, duration'] },
  {
    name: 'unknown nested key (points at the key, suggests the near miss)',
    yaml: 'fleet:\n  devcies: 3\n',
    code: 'SCENARIO_INVALID',
    at: '2:3',
    says: ['fleet.devcies: unknown field', 'did you mean devices?', 'expected one of: devices, accounts, devicesPerAccount'],
  },
  { name: 'string for devices', yaml: 'fleet:\n  devices: many\n', code: 'SCENARIO_INVALID', at: '2:12', says: ['fleet.devices: expected an integer', 'found string "many"'] },
  { name: 'negative devices', yaml: 'fleet:\n  devices: -3\n', code: 'SCENARIO_INVALID', at: '2:12', says: ['fleet.devices: expected an integer >= 1, found -3'] },
  { name: 'non-integer devices', yaml: 'fleet:\n  devices: 2.5\n', code: 'SCENARIO_INVALID', at: '2:12', says: ['fleet.devices: expected an integer, found 2.5'] },
  {
    name: 'devices beyond the memory transport',
    yaml: 'fleet:\n  transport: memory\n  devices: 600000\n',
    code: 'SCENARIO_INVALID',
    at: '3:12',
    says: ['fleet.devices: 600000 devices is more than the memory transport holds in one process (500000)'],
  },
  {
    name: 'devices beyond the tcp transport',
    yaml: 'fleet:\n  transport: tcp\n  devices: 9000\n',
    code: 'SCENARIO_INVALID',
    at: '3:12',
    says: ['fleet.devices: 9000 devices is more than the tcp transport', '(8000)'],
  },
  { name: 'unknown transport', yaml: 'fleet:\n  transport: udp\n', code: 'SCENARIO_INVALID', at: '2:14', says: ['fleet.transport: expected one of: memory, tcp, found "udp"'] },
  {
    name: 'bad duration string',
    yaml: 'fleet:\n  eventInterval: 5 sec\n',
    code: 'SCENARIO_INVALID',
    at: '2:18',
    says: ['fleet.eventInterval: expected a duration like', 'found "5 sec"'],
  },
  { name: 'share above 1', yaml: 'fleet:\n  tapShare: 1.5\n', code: 'SCENARIO_INVALID', at: '2:13', says: ['fleet.tapShare: expected a number <= 1', 'found 1.5'] },
  {
    name: 'devicesPerAccount min above max',
    yaml: 'fleet:\n  devicesPerAccount:\n    min: 5\n    max: 2\n',
    code: 'SCENARIO_INVALID',
    at: '3:10',
    says: ['fleet.devicesPerAccount.min: min (5) must not exceed max (2)'],
  },
  {
    name: 'step with neither fault nor transfer',
    yaml: 'timeline:\n  - at: 10s\n',
    code: 'SCENARIO_INVALID',
    at: '2:5',
    says: ['timeline[0]: a step needs one of `fault` or `transfer`'],
  },
  {
    name: 'broker outage without a duration (only that branch is reported)',
    yaml: 'timeline:\n  - at: 10s\n    fault: broker-outage\n',
    code: 'SCENARIO_INVALID',
    at: '2:5',
    says: ['timeline[0].duration: missing, expected a duration'],
  },
  {
    name: 'unknown fault',
    yaml: 'timeline:\n  - at: 10s\n    fault: disk-failure\n    duration: 5s\n',
    code: 'SCENARIO_INVALID',
    at: '3:12',
    says: ['timeline[0].fault: expected one of: broker-outage, cache-latency, cache-outage, cache-reset, cache-restart, found "disk-failure"'],
  },
  {
    name: 'step with both fault and transfer (judged as the fault step)',
    yaml: 'timeline:\n  - at: 10s\n    fault: broker-outage\n    duration: 5s\n    transfer: { share: 1 }\n',
    code: 'SCENARIO_INVALID',
    at: '5:5',
    says: ['timeline[0].transfer: unknown field (expected one of: at, fault, duration)'],
  },
  { name: 'typo in an enum value', yaml: 'fleet:\n  transport: tpc\n', code: 'SCENARIO_INVALID', at: '2:14', says: ['found "tpc" (did you mean tcp?)'] },
  { name: 'unknown verify mode', yaml: 'service:\n  verify: all\n', code: 'SCENARIO_INVALID', at: '2:11', says: ['service.verify: expected one of: none, envelope, source-of-truth'] },
  {
    name: 'step that ends after events stop',
    yaml: 'timeline:\n  - at: 60s\n    fault: broker-outage\n    duration: 10s\n',
    code: 'SCENARIO_INVALID',
    at: '2:9',
    says: ['timeline[0].at: the step ends at +00:01:10, after events stop at +00:01:05 (duration - drain)'],
  },
  {
    name: 'a cache fault on an in-process cache',
    yaml: 'timeline:\n  - at: 10s\n    fault: cache-latency\n    duration: 5s\n    latency: 100ms\n',
    code: 'SCENARIO_INVALID',
    at: '3:12',
    says: ['timeline[0].fault: cache-latency needs a network cache adapter; memory runs in-process'],
  },
  {
    name: 'a cache restart of a server crosswire did not start',
    yaml: 'cache:\n  adapter: ioredis\n  url: redis://127.0.0.1:6390\ntimeline:\n  - at: 10s\n    fault: cache-restart\n    duration: 5s\n',
    code: 'SCENARIO_INVALID',
    at: '6:12',
    says: ['timeline[0].fault: cache-restart restarts the private server crosswire starts'],
  },
  {
    name: 'a cache URL that is not one',
    yaml: 'cache:\n  adapter: ioredis\n  url: localhost:6379\n',
    code: 'SCENARIO_INVALID',
    at: '3:8',
    says: ['cache.url:', 'redis://127.0.0.1:6380'],
  },
  { name: 'empty value for a section', yaml: 'fleet:\nseed: 1\n', code: 'SCENARIO_INVALID', at: '1:1', says: ['fleet: expected a mapping, found null'] },
];

describe('loadScenarioFile: malformed scenarios', () => {
  it.each(cases)('$name', async ({ name, yaml, code, at, says }) => {
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
