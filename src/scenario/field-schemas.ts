import { z } from 'zod';
import { parseDuration } from './duration.ts';

/**
 * Field types shared by the scenario sections and the timeline steps. Durations are strings
 * (`30s`, `+00:02:00`) or a number of milliseconds, converted to milliseconds of scenario time.
 * format-issues.ts recognises `duration` by identity, so every duration field wraps this schema.
 */
export const duration = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : parseDuration(value);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration like 250ms, 30s, 5m or +HH:MM:SS, found ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return ms;
  });

export const share = z.number().min(0, 'a share is between 0 and 1').max(1, 'a share is between 0 and 1');
