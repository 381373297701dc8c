import { describe, expect, it } from 'vitest';
import { makeChalk } from '../src/cli/output.ts';

const tty = { isTTY: true } as NodeJS.WriteStream;
const pipe = { isTTY: false } as NodeJS.WriteStream;

describe('colour policy', () => {
  it('colours a TTY and not a pipe by default', () => {
    expect(makeChalk(tty, false, {}).level).toBeGreaterThan(0);
    expect(makeChalk(pipe, false, {}).level).toBe(0);
  });
  it('honours NO_COLOR (any non-empty value) even on a TTY', () => {
    expect(makeChalk(tty, false, { NO_COLOR: '1' }).level).toBe(0);
    expect(makeChalk(tty, false, { NO_COLOR: '' }).level).toBeGreaterThan(0);
  });
  it('honours --no-color over FORCE_COLOR', () => expect(makeChalk(tty, true, { FORCE_COLOR: '3' }).level).toBe(0));
  it('honours FORCE_COLOR on a pipe', () => {
    expect(makeChalk(pipe, false, { FORCE_COLOR: '1' }).level).toBe(1);
    expect(makeChalk(pipe, false, { FORCE_COLOR: '3' }).level).toBe(3);
    expect(makeChalk(pipe, false, { FORCE_COLOR: '0' }).level).toBe(0);
  });
});
