import { z } from 'zod';
import { durationWithin, share } from '../fields/field-schemas.ts';
import { deviceIdShapes } from '../registry/identities.ts';

/**
 * The `explore:` section: the bounds `crosswire explore` draws scenarios from. A run ignores it;
 * every field is optional, and one left out takes the explorer's default (docs/explore.md), so
 * `explore: {}` and no section at all mean the same.
 */

const HOUR = 3_600_000;

const countRange = (least: number, most: number) =>
  z
    .strictObject({ min: z.number().int().min(least).max(most), max: z.number().int().min(least).max(most) })
    .superRefine((r, ctx) => {
      if (r.min > r.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `min (${r.min}) must not exceed max (${r.max})` });
    });

const durationRange = (least: number, most: number) =>
  z
    .strictObject({ min: durationWithin(least, most), max: durationWithin(least, most) })
    .superRefine((r, ctx) => {
      if (r.min > r.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `min must not exceed max` });
    });

const shareRange = z.strictObject({ min: share, max: share }).superRefine((r, ctx) => {
  if (r.min > r.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `min (${r.min}) must not exceed max (${r.max})` });
});

export const exploreSchema = z.strictObject({
  /** Fleet sizes to try (memory transport; tcp is capped at its own limit). */
  devices: countRange(1, 100_000).optional(),
  /** The largest `devicesPerAccount.max` drawn (fewer accounts with more cameras each, up to this). */
  devicesPerAccount: z.number().int().min(1).max(1000).optional(),
  /** The largest `viewersPerAccount.max` drawn. */
  viewersPerAccount: z.number().int().min(1).max(20).optional(),
  /** Scenario lengths to try. */
  duration: durationRange(2000, 24 * HOUR).optional(),
  /** Mean time between one camera's events. */
  eventInterval: durationRange(10, HOUR).optional(),
  /** Fault kinds to draw steps from (default: every kind the adapter can be put under). */
  faults: z.array(z.string().min(1)).min(1).optional(),
  /** How many fault steps a timeline gets. */
  steps: countRange(0, 20).optional(),
  /** How long a fault lasts. */
  faultWindow: durationRange(1, 24 * HOUR).optional(),
  /** How many ownership-transfer steps a timeline gets. */
  transfers: countRange(0, 10).optional(),
  /** Share of devices moved by one transfer. */
  transferShare: shareRange.optional(),
  /** Backoff families to try. */
  backoff: z.array(z.enum(['fixed', 'exponential'])).min(1).optional(),
  /** First reconnect delay. */
  backoffBase: durationRange(1, HOUR).optional(),
  /** Longest reconnect delay. */
  backoffCap: durationRange(1, HOUR).optional(),
  /** Cache TTLs to try. */
  ttl: durationRange(1, 24 * HOUR).optional(),
  /** Device id shapes to try. */
  identities: z.array(z.enum(deviceIdShapes)).min(1).optional(),
  /** Owner-key templates to try (`{device}` once each). */
  keyTemplates: z.array(z.string().min(1).max(200)).min(1).optional(),
  /** Adapter options to try: each name takes one of its listed values (e.g. `timeout: [50, 100, 400]`). */
  options: z.record(z.string(), z.array(z.union([z.number(), z.boolean(), z.string()])).min(1)).optional(),
  /** Real clock: how many times in a row a shrunk candidate must FAIL to be kept. */
  attempts: z.number().int().min(1).max(10).optional(),
});

export type ExploreBoundsInput = z.output<typeof exploreSchema>;
