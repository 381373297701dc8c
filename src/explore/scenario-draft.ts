import { formatDuration } from '../fields/duration.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Range } from './explore-bounds.ts';

/**
 * A scenario the explorer builds, mutates and shrinks: the plain input a scenario file would hold
 * (durations in milliseconds, a flat timeline with absolute offsets), validated by the scenario
 * schema before it runs. Everything the search does not draw is copied from the template.
 */
export interface DraftStep {
  at: number;
  fault?: string;
  duration?: number;
  transfer?: { share: number };
  [field: string]: unknown;
}

export interface ScenarioDraft {
  [field: string]: unknown;
  name: string;
  seed: number;
  duration: number;
  drain: number;
  fleet: {
    [field: string]: unknown;
    devices: number;
    devicesPerAccount: Range;
    viewersPerAccount: Range;
    eventInterval: number;
    backoff: { [field: string]: unknown; kind: string; base: number; cap: number };
  };
  identities: { [field: string]: unknown; devices: string; keyTemplate: string };
  cache: { [field: string]: unknown; adapter: string; ttl: number; options: Record<string, unknown> };
  timeline: DraftStep[];
}

/** The template as a draft: its resolved fields, without its own `explore:` bounds or timeline. */
export function draftFromTemplate(template: Scenario, name: string): ScenarioDraft {
  const { explore: _bounds, timeline: _timeline, ...rest } = structuredClone(template);
  const draft = { ...rest, name, timeline: [] } as unknown as ScenarioDraft;
  delete draft.fleet.accounts; // the explorer sizes the fleet by devices
  return draft;
}

export function cloneDraft(draft: ScenarioDraft): ScenarioDraft {
  return structuredClone(draft);
}

export function faultSteps(draft: ScenarioDraft): DraftStep[] {
  return draft.timeline.filter((s) => s.fault !== undefined);
}

/** One line a person reads: `12 devices · cache-reset + transfer · 14s`. */
export function shapeOf(draft: ScenarioDraft): string {
  const steps = draft.timeline.map((s) => s.fault ?? 'transfer');
  return `${devicesText(draft.fleet.devices)} · ${steps.length > 0 ? steps.join(' + ') : 'no steps'} · ${formatDuration(draft.duration)}`;
}

/** The shape's class for coverage: the fault kinds and transfers, and the fleet size's order of magnitude. */
export function shapeClass(draft: ScenarioDraft): string {
  const steps = draft.timeline.map((s) => s.fault ?? 'transfer').sort();
  const size = draft.fleet.devices < 10 ? '<10' : draft.fleet.devices < 100 ? '<100' : draft.fleet.devices < 1000 ? '<1000' : '1000+';
  return `${size}:${steps.join('+')}`;
}

/** How big a draft is, in the order the shrink minimises: devices, steps, scenario time, windows. */
export function sizeOf(draft: ScenarioDraft): { devices: number; steps: number; duration: number; windows: number } {
  return {
    devices: draft.fleet.devices,
    steps: draft.timeline.length,
    duration: draft.duration,
    windows: draft.timeline.reduce((sum, s) => sum + (s.duration ?? 0), 0),
  };
}

/** `1 device`, `12 devices`. */
export function devicesText(n: number): string {
  return n === 1 ? '1 device' : `${n} devices`;
}
