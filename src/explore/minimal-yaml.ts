import { stringify } from 'yaml';
import { formatDuration, parseDuration } from '../fields/duration.ts';
import { violationsText, type RunSummary } from '../report/summary.ts';
import { scenarioSchema } from '../scenario/schema.ts';
import type { ScenarioDraft } from './scenario-draft.ts';

/**
 * The shrunk scenario as a person would write it: durations as `1.50s`, every field left at its
 * default left out (fleet size, adapter, seed and timeline always shown), under a header that
 * says what was found and how to replay it. It parses back to the scenario that FAILed.
 */

const DURATIONS = new Set([
  'duration', 'drain', 'fleet.eventInterval', 'fleet.backoff.base', 'fleet.backoff.cap', 'cache.ttl', 'cache.createTimeout',
  'cache.closeTimeout', 'cache.operationTimeout', 'service.sourceOfTruthLatency', 'broker.connectTimeout',
  'timeline.at', 'timeline.duration', 'timeline.latency', 'timeline.jitter', 'timeline.every',
]);
const ALWAYS = new Set(['name', 'seed', 'duration', 'drain', 'fleet', 'fleet.devices', 'cache', 'cache.adapter', 'timeline']);
const ORDER = ['name', 'description', 'seed', 'clock', 'timeScale', 'duration', 'drain', 'fleet', 'identities', 'broker', 'cache', 'service', 'timeline', 'checks', 'thresholds', 'limits'];

export interface MinimalHeader {
  /** The command that found it. */
  command: string;
  /** Where the file is written, for the replay line. */
  file: string;
  runDir?: string;
  searchRuns: number;
  shrinkRuns: number;
  from: string;
  to: string;
}

export function minimalYaml(draft: ScenarioDraft, summary: RunSummary, header: MinimalHeader): string {
  const defaults = scenarioSchema.parse({}) as unknown as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const key of ORDER) {
    if (!(key in draft)) continue;
    const value = readable(key, draft[key], defaults[key]);
    if (value !== undefined) body[key] = value;
  }
  const first = summary.violations[0];
  const lines = [
    `# Found by \`${header.command}\`: ${summary.verdict}, violations ${violationsText(summary)}, accounts exposed ${summary.headline.accountsExposed}.`,
    ...(first ? [`# First: ${first.kind} of ${first.deviceId} (owner ${first.trueOwner}) delivered to ${first.receivedBy}${first.cacheOps[0] ? ` via ${first.cacheOps[0].op.toUpperCase()} ${first.cacheOps[0].key}` : ''}.`] : []),
    `# Search: ${header.searchRuns} run(s); shrink: ${header.shrinkRuns} run(s), from ${header.from} to ${header.to}.`,
    `# Replay: crosswire run ${header.file}${header.runDir ? `   (or: crosswire replay ${header.runDir})` : ''}`,
  ];
  return lines.join('\n') + '\n' + stringify(body, { lineWidth: 0 });
}

function readable(path: string, value: unknown, fallback: unknown): unknown {
  const shown = ALWAYS.has(path) || JSON.stringify(value) !== JSON.stringify(fallback);
  if (path === 'timeline' && Array.isArray(value)) return value.map((step: Record<string, unknown>) => readableStep(step));
  if (DURATIONS.has(path) && typeof value === 'number') return shown ? exact(value) : undefined;
  // a range ({ min, max }) is written whole: the schema takes both or neither
  const isRange = value !== null && typeof value === 'object' && 'min' in value && 'max' in value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !isRange) {
    const out: Record<string, unknown> = {};
    const defaults = (fallback ?? {}) as Record<string, unknown>;
    for (const [key, inner] of Object.entries(value)) {
      const field = readable(`${path}.${key}`, inner, defaults[key]);
      if (field !== undefined) out[key] = field;
    }
    return Object.keys(out).length > 0 || ALWAYS.has(path) ? out : undefined;
  }
  return shown ? value : undefined;
}

function readableStep(step: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(step).map(([key, value]) => [key, DURATIONS.has(`timeline.${key}`) && typeof value === 'number' ? exact(value) : value]));
}

/** `1.50s`, `+00:01:30`: as people write them, unless that would round the value (then `89300ms`). */
function exact(ms: number): string {
  const text = formatDuration(ms);
  return parseDuration(text) === ms ? text : `${ms}ms`;
}
