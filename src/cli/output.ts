import { Chalk, type ChalkInstance } from 'chalk';

/**
 * Colour policy: --no-color and NO_COLOR (any non-empty value, no-color.org) turn it off;
 * FORCE_COLOR turns it on; otherwise colour only on a TTY. chalk reads FORCE_COLOR itself but
 * not NO_COLOR, hence this.
 */
export function makeChalk(stream: NodeJS.WriteStream, noColorFlag: boolean, env = process.env): ChalkInstance {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return new Chalk({ level: 0 });
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') {
    const level = Number(force);
    return new Chalk({ level: level >= 1 && level <= 3 ? (level as 1 | 2 | 3) : 1 });
  }
  return new Chalk({ level: stream.isTTY ? 1 : 0 });
}
