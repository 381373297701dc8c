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

/** The libraries whose versions `crosswire --version` shows beside its own and Node's. */
export const keyLibraries = ['aedes', 'mqtt-packet', 'ioredis', 'redis', 'memjs'] as const;

/**
 * The version of each library as crosswire itself resolves it (its own dependencies, not the
 * user's project): the package.json above the file the import resolves to. `missing` when the
 * import does not resolve.
 */
export function libraryVersions(names: readonly string[] = keyLibraries): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) out[name] = packageVersion(name) ?? 'missing';
  return out;
}

function packageVersion(name: string): string | undefined {
  let url: URL;
  try {
    url = new URL(import.meta.resolve(name));
  } catch {
    return undefined;
  }
  for (let dir = new URL('.', url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version;
    } catch {
      // no package.json at this level: keep climbing
    }
  }
  return undefined;
}

/** `crosswire --version`: crosswire's version on the first line, then Node's and the key libraries', one per line. */
export function versionText(): string {
  const { crosswire, node } = versions();
  const libraries = Object.entries(libraryVersions()).map(([name, version]) => `${name} ${version}`);
  return [`crosswire ${crosswire}`, `node ${node}`, ...libraries].join('\n');
}
