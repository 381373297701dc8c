import { describe, expect, it } from 'vitest';
import { clockOffset, formatDuration, parseAge, parseDuration, spokenDuration } from '../src/fields/duration.ts';

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

describe('parseAge', () => {
  it.each([
    ['7d', 7 * 86_400_000],
    ['1.5d', 36 * 3_600_000],
    ['2w', 14 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['30m', 1_800_000],
    ['+01:00:00', 3_600_000],
  ])('%s is %d ms', (text, ms) => expect(parseAge(text)).toBe(ms));

  it.each(['', '7', 'd', '-1d', '7 days', '1y'])('rejects %j', (text) => expect(parseAge(text)).toBeUndefined());
});

describe('durations as the progress and fault descriptions show them', () => {
  it('reads a scenario time as an offset, +HH:MM:SS', () => {
    expect(clockOffset(0)).toBe('+00:00:00');
    expect(clockOffset(2_700_000)).toBe('+00:45:00');
    expect(clockOffset(10_512_999)).toBe('+02:55:12');
    expect(parseDuration(clockOffset(12_900_000))).toBe(12_900_000);
  });

  it('says a length of time in its largest units, never thousands of milliseconds', () => {
    expect(spokenDuration(250)).toBe('250ms');
    expect(spokenDuration(1500)).toBe('1.5s');
    expect(spokenDuration(15_000)).toBe('15s');
    expect(spokenDuration(300_000)).toBe('5m');
    expect(spokenDuration(90_000)).toBe('1m 30s');
    expect(spokenDuration(7_800_000)).toBe('2h 10m');
  });
});
