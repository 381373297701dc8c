import { describe, expect, it } from 'vitest';
import { draftFromTemplate } from '../src/explore/scenario-draft.ts';
import { simplificationsOf } from '../src/explore/shrink-draft.ts';
import { scenarioSchema } from '../src/scenario/schema.ts';

/**
 * The shrink's candidates: fewer devices both as they are and with the same event rate from the
 * devices left (a bug that needs requests in flight together still shows on a small fleet).
 */
function draft(devices: number, eventInterval: number) {
  const d = draftFromTemplate(scenarioSchema.parse({ cache: { adapter: 'memory' } }), 'shrink');
  d.fleet.devices = devices;
  d.fleet.eventInterval = eventInterval;
  d.timeline = [{ at: 2_000, fault: 'broker-outage', duration: 1_000 }];
  return d;
}

describe('simplificationsOf', () => {
  it('offers every smaller device count, each also at the event rate of the whole fleet', () => {
    const candidates = [...simplificationsOf(draft(128, 2_000))];
    const fleets = candidates.filter((c) => c.draft.fleet.devices < 128).map((c) => [c.draft.fleet.devices, c.draft.fleet.eventInterval, c.what]);
    expect(fleets).toEqual([
      [1, 2_000, '1 device'],
      [1, 16, '1 device, an event every 16ms'],
      [2, 2_000, '2 devices'],
      [2, 31, '2 devices, an event every 31ms'],
      [16, 2_000, '16 devices'],
      [16, 250, '16 devices, an event every 250ms'],
      [32, 2_000, '32 devices'],
      [32, 500, '32 devices, an event every 500ms'],
      [64, 2_000, '64 devices'],
      [64, 1_000, '64 devices, an event every 1000ms'],
      [96, 2_000, '96 devices'],
      [96, 1_500, '96 devices, an event every 1500ms'],
      [127, 2_000, '127 devices'],
      [127, 1_984, '127 devices, an event every 1984ms'],
    ]);
    // the dropped step comes first, and nothing else changes with the fleet
    expect(candidates[0].what).toBe('without step 1 (broker-outage)');
    for (const c of candidates.filter((c) => c.draft.fleet.devices < 128)) expect(c.draft.timeline).toEqual(draft(128, 2_000).timeline);
  });

  it('never goes below the schema\'s smallest event interval, and offers no faster twin when there is none', () => {
    const fleets = [...simplificationsOf(draft(400, 20))].filter((c) => c.draft.fleet.devices < 400);
    for (const c of fleets) expect(c.draft.fleet.eventInterval).toBeGreaterThanOrEqual(10);
    expect(fleets.filter((c) => c.draft.fleet.devices === 1).map((c) => c.draft.fleet.eventInterval)).toEqual([20, 10]);
    const slowest = [...simplificationsOf(draft(400, 10))].filter((c) => c.draft.fleet.devices < 400);
    expect(slowest.every((c) => c.draft.fleet.eventInterval === 10 && !c.what.includes('event every'))).toBe(true);
  });
});
