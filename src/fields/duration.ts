/**
 * Durations as people write them: `250ms`, `30s`, `5m`, `2h`, `1.5s`, or a clock offset
 * `+HH:MM:SS` / `+MM:SS`. Returns milliseconds, or undefined when the text is not a duration.
 */
const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  const offset = /^\+?(?:(\d+):)?(\d{1,2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(trimmed);
  if (offset && trimmed.includes(':')) {
    const [, h, m, s, frac] = offset;
    if (Number(s) >= 60 || (h !== undefined && Number(m) >= 60)) return undefined;
    return ((Number(h ?? 0) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number((frac ?? '0').padEnd(3, '0'));
  }
  const simple = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(trimmed);
  if (!simple) return undefined;
  return Math.round(Number(simple[1]) * unitMs[simple[2]]);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 2)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return `+${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

const DAY_MS = 86_400_000;

/**
 * An age, for what is kept on disk: every duration above, plus days and weeks (`7d`, `2w`).
 * Scenario fields do not take these: no scenario runs for days.
 */
export function parseAge(text: string): number | undefined {
  const long = /^(\d+(?:\.\d+)?)(d|w)$/.exec(text.trim());
  if (long) return Math.round(Number(long[1]) * (long[2] === 'w' ? 7 * DAY_MS : DAY_MS));
  return parseDuration(text);
}

/** `+HH:MM:SS` from ms (whole seconds): how an incident's timeline is written. */
export function clockOffset(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const pad = (x: number) => String(x).padStart(2, '0');
  return `+${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
}

/** A length of time as people say it: `250ms`, `15s`, `1.5s`, `5m`, `2h 10m`, `1m 30s`. */
export function spokenDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(2))}s`;
  const total = Math.round(ms / 1000);
  const parts: [number, string][] = [[Math.floor(total / 3600), 'h'], [Math.floor(total / 60) % 60, 'm'], [total % 60, 's']];
  return parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join(' ');
}
