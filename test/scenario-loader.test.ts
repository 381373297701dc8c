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
  { name: 'unknown top-level key', yaml: 'seed: 1\ncolour: red\n', code: 'SCENARIO_INVALID', at: '2:1', says: ['colour: unknown field', 'seed, timeScale'] },
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
    says: ['timeline[0].fault: expected one of: broker-outage, broker-restart, cache-latency, cache-outage, cache-reset, cache-restart, cache-flush, partition, service-restart, wave, storm, found "disk-failure"'],
  },
  {
    name: 'step with both fault and transfer (judged as the fault step)',
    yaml: 'timeline:\n  - at: 10s\n    fault: broker-outage\n    duration: 5s\n    transfer: { share: 1 }\n',
    code: 'SCENARIO_INVALID',
    at: '5:5',
    says: ['timeline[0].transfer: unknown field (expected one of: at, fault, duration, heal)'],
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
  // the timeline: offsets, heals, stages, shares, accounts and counts
  {
    name: "offsets that go back in time in a flat list",
    yaml: "timeline:\n  - at: 30s\n    transfer: { share: 0.1 }\n  - at: 20s\n    fault: broker-outage\n    duration: 5s\n",
    code: 'SCENARIO_INVALID',
    at: '4:9',
    says: ["timeline[1].at: offsets must not go back in time: 20s comes after 30s (timeline[0].at); order the steps by `at`, or use stages"],
  },
  {
    name: "a heal before its fault",
    yaml: "timeline:\n  - at: 20s\n    fault: broker-outage\n    heal: 10s\n",
    code: 'SCENARIO_INVALID',
    at: '4:11',
    says: ["timeline[0].heal: the broker-outage heals at 10s, before it is injected at 20s"],
  },
  {
    name: "a heal at the moment of its fault",
    yaml: "timeline:\n  - at: 20s\n    fault: partition\n    share: 0.2\n    heal: 20s\n",
    code: 'SCENARIO_INVALID',
    at: '5:11',
    says: ["timeline[0].heal: the partition heals at 20s, the moment it is injected at 20s"],
  },
  {
    name: "a zero duration for a fault that must heal later",
    yaml: "timeline:\n  - at: 20s\n    fault: broker-restart\n    duration: 0s\n",
    code: 'SCENARIO_INVALID',
    at: '4:15',
    says: ["timeline[0].duration: expected a duration > 0, found 0: a broker-restart must heal after it is injected"],
  },
  {
    name: "a negative duration",
    yaml: "timeline:\n  - at: 20s\n    fault: broker-outage\n    duration: -5000\n",
    code: 'SCENARIO_INVALID',
    at: '4:15',
    says: ["timeline[0].duration: expected a duration like 250ms, 30s, 5m or +HH:MM:SS, found -5000"],
  },
  {
    name: "a duration and a heal both given",
    yaml: "timeline:\n  - at: 20s\n    fault: cache-outage\n    duration: 5s\n    heal: 25s\n",
    code: 'SCENARIO_INVALID',
    at: '5:11',
    says: ["timeline[0].heal: give either `duration` or `heal`, not both"],
  },
  {
    name: "a heal before its fault inside a stage",
    yaml: "timeline:\n  stages:\n    - gap: 10s\n      steps:\n        - at: 5s\n          fault: service-restart\n          heal: 2s\n",
    code: 'SCENARIO_INVALID',
    at: '7:17',
    says: ["timeline.stages[0].steps[0].heal: the service-restart heals at 12s, before it is injected at 15s"],
  },
  {
    name: "stages that are not a list",
    yaml: "timeline:\n  stages: 3\n",
    code: 'SCENARIO_INVALID',
    at: '2:11',
    says: ["timeline.stages: expected a list, found number 3"],
  },
  {
    name: "a timeline that is neither a list nor stages",
    yaml: "timeline: soon\n",
    code: 'SCENARIO_INVALID',
    at: '1:11',
    says: ["timeline: expected a list or a mapping, found string \"soon\""],
  },
  {
    name: "a stage with no steps",
    yaml: "timeline:\n  stages:\n    - name: empty\n      steps: []\n",
    code: 'SCENARIO_INVALID',
    at: '4:14',
    says: ["timeline.stages[0].steps: expected a list of at least 1 items, found list"],
  },
  {
    name: "an unknown field in a stage",
    yaml: "timeline:\n  stages:\n    - name: outage\n      after: warmup\n      steps:\n        - { fault: storm }\n",
    code: 'SCENARIO_INVALID',
    at: '4:7',
    says: ["timeline.stages[0].after: unknown field (expected one of: name, gap, steps)"],
  },
  {
    name: "a misspelt fault inside a stage",
    yaml: "timeline:\n  stages:\n    - steps:\n        - fault: brokr-restart\n          duration: 5s\n",
    code: 'SCENARIO_INVALID',
    at: '4:18',
    says: ["timeline.stages[0].steps[0].fault: expected one of: broker-outage, broker-restart, cache-latency, cache-outage, cache-reset, cache-restart, cache-flush, partition, service-restart, wave, storm, found \"brokr-restart\" (did you mean broker-restart?)"],
  },
  {
    name: "a bad duration for a stage gap",
    yaml: "timeline:\n  stages:\n    - gap: soon\n      steps:\n        - { fault: storm }\n",
    code: 'SCENARIO_INVALID',
    at: '3:12',
    says: ["timeline.stages[0].gap: expected a duration like 250ms, 30s, 5m or +HH:MM:SS, found \"soon\""],
  },
  {
    name: "a partition share above 1",
    yaml: "timeline:\n  - at: 10s\n    fault: partition\n    share: 1.5\n    duration: 5s\n",
    code: 'SCENARIO_INVALID',
    at: '4:12',
    says: ["timeline[0].share: expected a number <= 1 (a share is between 0 and 1), found 1.5"],
  },
  {
    name: "a partition share below 0",
    yaml: "timeline:\n  - at: 10s\n    fault: partition\n    share: -0.1\n    duration: 5s\n",
    code: 'SCENARIO_INVALID',
    at: '4:12',
    says: ["timeline[0].share: expected a number >= 0 (a share is between 0 and 1), found -0.1"],
  },
  {
    name: "a partition of nobody",
    yaml: "timeline:\n  - at: 10s\n    fault: partition\n    share: 0\n    duration: 5s\n",
    code: 'SCENARIO_INVALID',
    at: '4:12',
    says: ["timeline[0].share: expected a share > 0, found 0: a partition of no device does nothing"],
  },
  {
    name: "a partition without a share",
    yaml: "timeline:\n  - at: 10s\n    fault: partition\n    duration: 5s\n",
    code: 'SCENARIO_INVALID',
    at: '2:5',
    says: ["timeline[0].share: missing, expected a number between 0 and 1"],
  },
  {
    name: "viewers given as a word",
    yaml: "timeline:\n  - at: 10s\n    fault: partition\n    share: 0.1\n    viewers: sometimes\n    duration: 5s\n",
    code: 'SCENARIO_INVALID',
    at: '5:14',
    says: ["timeline[0].viewers: expected true or false, found string \"sometimes\""],
  },
  {
    name: "a wave with neither share nor devices",
    yaml: "timeline:\n  - at: 10s\n    fault: wave\n    duration: 5s\n",
    code: 'SCENARIO_INVALID',
    at: '2:5',
    says: ["timeline[0]: a wave takes either `share` (of the cameras) or `devices` (a count), found neither"],
  },
  {
    name: "a wave with both share and devices",
    yaml: "timeline:\n  - at: 10s\n    fault: wave\n    share: 0.1\n    devices: 5\n    duration: 5s\n",
    code: 'SCENARIO_INVALID',
    at: '5:14',
    says: ["timeline[0].devices: a wave takes either `share` (of the cameras) or `devices` (a count), not both"],
  },
  {
    name: "a wave of more devices than the fleet has",
    yaml: "fleet:\n  devices: 50\ntimeline:\n  - at: 10s\n    fault: wave\n    devices: 80\n    duration: 5s\n",
    code: 'SCENARIO_INVALID',
    at: '6:14',
    says: ["timeline[0].devices: expected at most 50 devices (the fleet's size), found 80"],
  },
  {
    name: "a wave count that is not an integer",
    yaml: "timeline:\n  - at: 10s\n    fault: wave\n    devices: 2.5\n    duration: 5s\n",
    code: 'SCENARIO_INVALID',
    at: '4:14',
    says: ["timeline[0].devices: expected an integer, found 2.5"],
  },
  {
    name: "a transfer to an unknown account",
    yaml: "fleet:\n  accounts: 10\ntimeline:\n  - at: 10s\n    transfer: { share: 0.1, to: [acct-000002, acct-000011] }\n",
    code: 'SCENARIO_INVALID',
    at: '5:47',
    says: ["timeline[0].transfer.to[1]: unknown account \"acct-000011\": this fleet has acct-000001 … acct-000010"],
  },
  {
    name: "a transfer to an account that may not exist",
    yaml: "fleet:\n  devices: 60\n  devicesPerAccount: { min: 1, max: 6 }\ntimeline:\n  - at: 10s\n    transfer:\n      share: 0.1\n      to: [bob]\n",
    code: 'SCENARIO_INVALID',
    at: '8:12',
    says: ["timeline[0].transfer.to[0]: unknown account \"bob\": this fleet has acct-000001 … acct-000010 for certain (set fleet.accounts to fix the count)"],
  },
  {
    name: "transfer targets given as one string",
    yaml: "timeline:\n  - at: 10s\n    transfer: { share: 0.1, to: acct-000001 }\n",
    code: 'SCENARIO_INVALID',
    at: '3:33',
    says: ["timeline[0].transfer.to: expected a list, found string \"acct-000001\""],
  },
  {
    name: "a transfer share above 1",
    yaml: "timeline:\n  - at: 10s\n    transfer: { share: 3 }\n",
    code: 'SCENARIO_INVALID',
    at: '3:24',
    says: ["timeline[0].transfer.share: expected a number <= 1 (a share is between 0 and 1), found 3"],
  },
  {
    name: "coldCache given as a number",
    yaml: "timeline:\n  - at: 10s\n    fault: service-restart\n    duration: 5s\n    coldCache: 1\n",
    code: 'SCENARIO_INVALID',
    at: '5:16',
    says: ["timeline[0].coldCache: expected true or false, found number 1"],
  },
  {
    name: "overlapping outages",
    yaml: "timeline:\n  - at: 10s\n    fault: broker-outage\n    duration: 10s\n  - at: 15s\n    fault: storm\n    duration: 2s\n",
    code: 'SCENARIO_INVALID',
    at: '5:9',
    says: ["timeline[1].at: the storm at 15s overlaps the broker-outage of timeline[0] (10s to 20s): faults the fleet reconnects after must not overlap"],
  },
  {
    name: "a stage that pushes a step past the end of events",
    yaml: "timeline:\n  stages:\n    - gap: 30s\n      steps:\n        - { fault: broker-outage, duration: 20s }\n    - steps:\n        - { at: 10s, fault: storm, duration: 10s }\n",
    code: 'SCENARIO_INVALID',
    at: '7:17',
    says: ["timeline.stages[1].steps[0].at: the step ends at +00:01:10, after events stop at +00:01:05 (duration - drain)"],
  },
  {
    name: "a cache flush of a server crosswire did not start",
    yaml: "cache:\n  adapter: ioredis\n  url: redis://127.0.0.1:6390\ntimeline:\n  - at: 10s\n    fault: cache-flush\n",
    code: 'SCENARIO_INVALID',
    at: '6:12',
    says: ["timeline[0].fault: cache-flush flushes the private server crosswire starts, and cache.url names a server it did not start"],
  },
  {
    name: "a cache flush with a duration",
    yaml: "timeline:\n  - at: 10s\n    fault: cache-flush\n    duration: 5s\n",
    code: 'SCENARIO_INVALID',
    at: '4:5',
    says: ["timeline[0].duration: unknown field (expected one of: at, fault)"],
  },
  {
    name: "a cache fault in a stage on an in-process cache",
    yaml: "timeline:\n  stages:\n    - steps:\n        - fault: cache-reset\n",
    code: 'SCENARIO_INVALID',
    at: '4:18',
    says: ["timeline.stages[0].steps[0].fault: cache-reset needs a network cache adapter; memory runs in-process"],
  },
  {
    name: "zero accounts",
    yaml: "fleet:\n  accounts: 0\n",
    code: 'SCENARIO_INVALID',
    at: '2:13',
    says: ["fleet.accounts: expected an integer >= 1, found 0"],
  },
  {
    name: "more accounts than the tcp transport holds",
    yaml: "fleet:\n  transport: tcp\n  accounts: 2000\n  devicesPerAccount: { min: 1, max: 6 }\n",
    code: 'SCENARIO_INVALID',
    at: '3:13',
    says: ["fleet.accounts: up to 12000 devices is more than the tcp transport holds in one process (8000)"],
  },
  {
    name: "an offset that is not a duration",
    yaml: "timeline:\n  - at: '+02:99:00'\n    fault: storm\n",
    code: 'SCENARIO_INVALID',
    at: '2:9',
    says: ["timeline[0].at: expected a duration like 250ms, 30s, 5m or +HH:MM:SS, found \"+02:99:00\""],
  },
  {
    name: "a fault kind that is a number",
    yaml: "timeline:\n  - at: 10s\n    fault: 7\n",
    code: 'SCENARIO_INVALID',
    at: '3:12',
    says: ["timeline[0].fault: expected one of: broker-outage, broker-restart, cache-latency, cache-outage, cache-reset, cache-restart, cache-flush, partition, service-restart, wave, storm, found 7"],
  },

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
