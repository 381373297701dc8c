import { readFileSync } from 'node:fs';

let crosswireVersion: string | undefined;

/** The versions a report must name: crosswire's own (from package.json) and Node's. */
export function versions(): { crosswire: string; node: string } {
  if (crosswireVersion === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
      crosswireVersion = pkg.version ?? 'unknown';
    } catch {
      crosswireVersion = 'unknown';
    }
  }
  return { crosswire: crosswireVersion, node: process.version };
}
