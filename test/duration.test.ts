import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/fields/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['+02:14:00', 8_040_000],
    ['+00:00:01.5', 1_500],
    ['01:30', 90_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '30', 'ten seconds', '-5s', '+00:61:00', '5 m', '1d'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it('formats what it parses', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(30_000)).toBe('30s');
    expect(formatDuration(8_040_000)).toBe('+02:14:00');
  });
});
