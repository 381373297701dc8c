import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultKindLines } from '../src/cli/commands/list-command.ts';
import { faultKinds, faultKindsOf } from '../src/faults/fault-kinds.ts';
import type { HistoryOp } from '../src/history/history-op.ts';
import { runScenario } from '../src/runner/run-scenario.ts';
import { scenarioJsonSchema } from '../src/scenario/json-schema.ts';
import { validateScenarioObject } from '../src/scenario/load-scenario.ts';
import { blink } from './fixtures/blink-fault.ts';

/**
 * A fault kind added as one file (the fixture) and one line in a list of kinds works end to
 * end: the scenario accepts its step in both forms, its own check and its lasting apply, the
 * JSON Schema and `list faults` show it with its description, and a run injects and heals it.
 * The kinds are a value passed in, so nothing here changes what other tests see.
 */

const kinds = faultKindsOf([...faultKinds.values(), blink]);

const scenario = (timeline: unknown, devices = 30) => ({
  name: 'blink',
  clock: 'virtual',
  duration: '12s',
  drain: '2s',
  fleet: { devices, eventInterval: '1s' },
  timeline,
});
const problems = (input: unknown, withKinds = kinds) => {
  try {
    validateScenarioObject(input, 'test', withKinds);
  } catch (error) {
    return (error as Error).message;
  }
  return 'valid';
};

describe('a fault kind added as one file and one line', () => {
  it('is a step the scenario accepts, flat and staged, with its own fields', () => {
    const flat = validateScenarioObject(scenario([{ at: '4s', fault: 'blink', devices: 3, duration: '2s' }]), 'test', kinds);
    expect(flat.timeline).toEqual([{ at: 4000, fault: 'blink', devices: 3, duration: 2000 }]);
    const staged = validateScenarioObject(scenario({ stages: [{ gap: '1s', steps: [{ at: '1s', fault: 'blink', devices: 2, heal: '3s' }] }] }), 'test', kinds);
    expect(staged.timeline).toEqual([{ at: 2000, fault: 'blink', devices: 2, duration: 2000 }]);
    expect(problems(scenario([{ at: '4s', fault: 'blink', duration: '2s' }]))).toContain('timeline[0].devices: missing, expected an integer >= 1');
  });

  it('is checked by its own rule and by its lasting', () => {
    expect(problems(scenario([{ at: '4s', fault: 'blink', devices: 50, duration: '2s' }]))).toContain(
      'test: timeline[0].devices: a blink of 50 cameras needs at least that many; the fleet has 30',
    );
    expect(problems(scenario([{ at: '4s', fault: 'blink', devices: 3 }]))).toContain('timeline[0].duration: missing, expected a duration (or `heal`: when the blink heals)');
    expect(problems(scenario([{ at: '4s', fault: 'blink', devices: 3, duration: 0 }]))).toContain('a blink must heal after it is injected');
  });

  it('stays out of the built-in kinds', () => {
    expect(problems(scenario([{ at: '4s', fault: 'blink', devices: 3, duration: '2s' }]), faultKinds)).toContain('timeline[0].fault: expected one of: broker-outage,');
    expect(faultKinds.has('blink')).toBe(false);
    expect(() => faultKindsOf([...kinds.values(), blink])).toThrow('fault kind blink is defined twice');
  });

  it('is in the JSON Schema, flat and staged, with its description', () => {
    type Variant = { description?: string; properties: Record<string, { const?: string; description?: string }> };
    const timeline = (scenarioJsonSchema(kinds) as { properties: { timeline: { anyOf: Record<string, unknown>[] } } }).properties.timeline;
    const [list, stages] = timeline.anyOf as [
      { items: { anyOf: Variant[] } },
      { properties: { stages: { items: { properties: { steps: { items: { anyOf: Variant[] } } } } } } },
    ];
    const flat = list.items.anyOf;
    const staged = stages.properties.stages.items.properties.steps.items.anyOf;
    for (const variants of [flat, staged]) {
      const variant = variants.find((v) => v.properties.fault?.const === 'blink');
      expect(variant?.description).toBe(blink.description);
      expect(Object.keys(variant!.properties)).toEqual(['at', 'fault', 'duration', 'heal', 'devices']);
      expect(variant!.properties.devices.description).toBe('How many cameras blink');
    }
    expect(JSON.stringify(scenarioJsonSchema())).not.toContain('"blink"');
  });

  it('is listed by list faults with how long it lasts and its description', () => {
    const lines = faultKindLines(kinds);
    expect(lines).toHaveLength(faultKinds.size + 1);
    expect(lines.at(-1)).toMatch(/^blink +window +A few seeded cameras lose their link until heal, without a tracked storm\.$/);
    expect(faultKindLines().some((l) => l.startsWith('blink'))).toBe(false);
  });
});

describe('a run with the added kind', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crosswire-blink-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('injects and heals it: the picked cameras are cut off for its window, then come back', async () => {
    const s = validateScenarioObject(scenario([{ at: '4s', fault: 'blink', devices: 3, duration: '2s' }]), 'test', kinds);
    const historyFile = join(dir, 'history.ndjson');
    const { summary } = await runScenario(s, { historyFile, faultKinds: kinds });
    const [fault] = summary.faults;
    expect(summary.faults).toHaveLength(1);
    expect(fault).toMatchObject({ id: 'blink', description: '3 cameras blink for 2000ms', injectedAt: 4000, healedAt: 6000 });
    const picked = new Set(fault.effect!.replace(/^3 cameras blinked: /, '').split(', ').map(Number));
    expect(picked.size).toBe(3);

    const ops = (await readFile(historyFile, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as HistoryOp);
    const of = <K extends 'connect' | 'disconnect'>(op: K) => ops.filter((o): o is Extract<HistoryOp, { op: K }> => o.op === op);
    expect(new Set(of('disconnect').filter((o) => o.t === 4000).map((o) => o.dev))).toEqual(picked);
    expect(of('connect').filter((o) => o.t >= 4000 && o.t < 6000 && picked.has(o.dev))).toEqual([]);
    expect(new Set(of('connect').filter((o) => o.t >= 6000 && picked.has(o.dev)).map((o) => o.dev))).toEqual(picked);
    expect(summary.storms).toEqual([]); // it does not storm, so no storm is tracked
    expect(summary.verdict).toBe('PASS');
  });

  it('is refused by a run that was not given the kind', async () => {
    const s = validateScenarioObject(scenario([{ at: '4s', fault: 'blink', devices: 3, duration: '2s' }]), 'test', kinds);
    await expect(runScenario(s)).rejects.toThrow("fault blink is not among this run's fault kinds");
  });
});
