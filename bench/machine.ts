import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cpus, freemem, loadavg, release, totalmem, type as osType } from 'node:os';
import { createRequire } from 'node:module';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGB: number;
  freeMemoryGB: number;
  /** 1-minute load average when the bench started: other work on a 2-core box skews wall-clock rates. */
  loadAverage1m: number;
  /** Same at the end (filled in by the bench). */
  loadAverage1mAtEnd?: number;
  os: string;
  node: string;
  v8: string;
  execArgv: string[];
  libraries: Record<string, string>;
  gitCommit: string | undefined;
}

const require = createRequire(import.meta.url);

/** A dependency's version from its package.json (found next to its resolved entry: some packages do not export it). */
function versionOf(pkg: string): string {
  try {
    let dir = dirname(require.resolve(pkg));
    for (let i = 0; i < 4; i++, dir = dirname(dir)) {
      try {
        const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (json.name === pkg && json.version) return json.version;
      } catch {
        // not here: one level up
      }
    }
  } catch {
    // not resolvable
  }
  return '?';
}

function gitHead(): string | undefined {
  try {
    const root = new URL('../.git/', import.meta.url);
    const head = readFileSync(new URL('HEAD', root), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 12);
    return readFileSync(new URL(head.slice(5), root), 'utf8').trim().slice(0, 12);
  } catch {
    return undefined;
  }
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? '?',
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
    os: `${osType()} ${release()}`,
    node: process.version,
    v8: process.versions.v8,
    execArgv: process.execArgv,
    libraries: Object.fromEntries(['aedes', 'mqtt', 'mqtt-packet', 'mqemitter'].map((p) => [p, versionOf(p)])),
    gitCommit: gitHead(),
  };
}
