import { z } from 'zod';

/**
 * Guards on what a run may cost. A scenario can be valid field by field and still write more
 * history than a disk holds (a huge fleet publishing every 10 ms for a week); past the cap the
 * run stops early, heals its faults and is judged INCONCLUSIVE with a reason naming the cap.
 */

const units: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** `2GiB`, `500MB`, `1.5 GiB`, `4096` (bytes); undefined when the text is not a size. */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/i.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * units[(match[2] ?? 'b').toLowerCase()]);
}

/** The size in the largest binary unit it fills: `2 GiB`, `512 MiB`, `800 B`. */
export function formatByteSize(bytes: number): string {
  for (const unit of ['TiB', 'GiB', 'MiB', 'KiB'] as const) {
    const n = bytes / units[unit.toLowerCase()];
    if (n >= 1) return `${Number.isInteger(n) ? n : n.toFixed(1)} ${unit}`;
  }
  return `${bytes} B`;
}

export const HISTORY_BYTES_MIN = 2 ** 20;
export const HISTORY_BYTES_MAX = 2 ** 40;
export const HISTORY_BYTES_DEFAULT = 2 * 2 ** 30;

const byteSize = (min: number, max: number) =>
  z
    .union([z.string(), z.number()])
    .transform((value, ctx) => {
      const bytes = typeof value === 'number' ? value : parseByteSize(value);
      const range = `from ${formatByteSize(min)} to ${formatByteSize(max)}`;
      if (bytes === undefined || !Number.isFinite(bytes)) {
        ctx.addIssue({ code: 'custom', message: `expected a size like 512MiB, 2GiB or a number of bytes, ${range}, found ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      if (bytes < min || bytes > max) {
        ctx.addIssue({ code: 'custom', message: `expected a size ${range}, found ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return bytes;
    })
    .meta({ description: `a size (512MiB, 2GiB, 10GB) or a number of bytes, ${formatByteSize(min)} to ${formatByteSize(max)}`, minimum: min, maximum: max });

export const limitsSchema = z.strictObject({
  /** The most history (ndjson bytes, before compression) a run may write before it is stopped INCONCLUSIVE. */
  historyBytes: byteSize(HISTORY_BYTES_MIN, HISTORY_BYTES_MAX).default(HISTORY_BYTES_DEFAULT),
});
