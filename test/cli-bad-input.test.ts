import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Bad input at the process boundary: every case below must be refused before a run starts,
 * with exit code 2, nothing on stdout, and one plain message on stderr that names the file,
 * line and field (or the flag) and carries no stack trace.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
// The CLI runs from source (.ts), which needs Node >= 24; plain `node` on PATH may be older.
const LOCAL_NODE = join(ROOT, 'node_modules', '.bin', 'node');
const NODE = Number(process.versions.node.split('.')[0]) >= 24 || !existsSync(LOCAL_NODE) ? process.execPath : LOCAL_NODE;

interface Result { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

let dir: string;

/** Runs `crosswire <args>` in the temp dir (so relative fixture names appear as written, and any stray report lands there). */
function crosswire(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    delete env.CROSSWIRE_DEBUG;
    Object.assign(env, extraEnv);
    const child = spawn(NODE, [MAIN, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const FIXTURES: Record<string, string> = {
  'syntax.yaml': 'name: x\nfleet:\n  devices: 5\n transport: tcp\n',
  'top-level.yaml': 'name: x\nfrobnicate: 1\n',
  'nested.yaml': 'fleet:\n  colour: red\n',
  'wrong-type.yaml': 'fleet:\n  devices: many\n',
  'negative.yaml': 'fleet:\n  devices: -5\n',
  'absurd.yaml': 'fleet:\n  devices: 10000000\n',
  'tcp-too-big.yaml': 'fleet:\n  transport: tcp\n  devices: 50000\n',
  'adapter.yaml': 'cache:\n  adapter: redis-9000\n',
  'transport.yaml': 'fleet:\n  transport: carrier-pigeon\n',
  'empty.yaml': '',
  'list.yaml': '- 1\n- 2\n',
  'duplicate.yaml': 'seed: 1\nseed: 2\n',
  'backwards.yaml': 'timeline:\n  - { at: 30s, fault: storm }\n  - { at: 10s, transfer: { share: 0.1 } }\n',
  'heal-first.yaml': 'timeline:\n  - at: 20s\n    fault: broker-restart\n    heal: 15s\n',
  'zero-duration.yaml': 'timeline:\n  - at: 20s\n    fault: partition\n    share: 0.5\n    duration: 0ms\n',
  'partition-share.yaml': 'timeline:\n  - at: 20s\n    fault: partition\n    share: 1.5\n    duration: 5s\n',
  'unknown-account.yaml': 'fleet:\n  accounts: 5\ntimeline:\n  - at: 20s\n    transfer: { share: 0.5, to: [acct-000009] }\n',
  'zero-accounts.yaml': 'fleet:\n  accounts: 0\n',
  'tcp-accounts.yaml': 'fleet:\n  transport: tcp\n  accounts: 3000\n',
  'stage-typo.yaml': 'timeline:\n  stages:\n    - name: outage\n      stpes: []\n',
  'wave-too-many.yaml': 'fleet:\n  devices: 10\ntimeline:\n  - { at: 20s, fault: wave, devices: 11, duration: 5s }\n',
  'overlap.yaml': 'timeline:\n  - { at: 20s, fault: broker-outage, duration: 10s }\n  - { at: 25s, fault: partition, share: 0.1, duration: 10s }\n',
  'stage-late.yaml': 'timeline:\n  stages:\n    - { gap: 40s, steps: [{ fault: storm, duration: 20s }] }\n    - { gap: 5s, steps: [{ fault: service-restart, duration: 5s }] }\n',
  'long-name.yaml': `name: ${'n'.repeat(300)}\n`,
  'no-backoff.yaml': 'clock: virtual\nfleet:\n  backoff: { kind: none }\n',
  'a-file.txt': 'not a directory\n',
  'needs-package.js': "import Client from 'no-such-cache-client';\nexport default { id: 'x', description: 'x', create: () => new Client() };\n",
  'cache-url.yaml': 'cache:\n  adapter: ioredis\n  url: redis://127.0.0.1:1\n',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswire-cli-bad-'));
  await mkdir(join(dir, 'a-directory'));
  await Promise.all(Object.entries(FIXTURES).map(([name, text]) => writeFile(join(dir, name), text)));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const STACK_FRAME = /^\s+at .+\(.*:\d+:\d+\)$/m;
const BARE_FRAME = /^\s+at (file:|node:|\/)/m;
const ERROR_DUMP = /(^|\s)[A-Z]\w*Error:|internal error|node:internal/m;

/** The contract every bad input shares; returns stderr for the case's own checks. */
function refused(r: Result): string {
  expect(r.signal, `killed (timeout?); stderr:\n${r.stderr}`).toBeNull();
  expect(r.code, `stderr:\n${r.stderr}`).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim()).not.toBe('');
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stderr).not.toMatch(BARE_FRAME);
  expect(r.stderr).not.toMatch(ERROR_DUMP);
  return r.stderr;
}

interface Case { name: string; args: string[]; says: (string | RegExp)[]; env?: Record<string, string> }

const KNOWN_ADAPTERS = 'memory, faulty:crossed-replies, faulty:stale-owner, faulty:key-collision';

// No line exists for a file that cannot be read; those cases name the file and why.
const fileCases: Case[] = [
  { name: 'a missing scenario file', args: ['run', 'missing.yaml'], says: ['missing.yaml', 'does not exist'] },
  { name: 'a directory given as the scenario', args: ['run', 'a-directory'], says: ['a-directory', 'is a directory'] },
  { name: 'a YAML syntax error', args: ['run', 'syntax.yaml'], says: ['syntax.yaml:4:1: ', 'same column'] },
  { name: 'an unknown top-level field', args: ['run', 'top-level.yaml'], says: ['top-level.yaml:2:1: frobnicate: unknown field'] },
  { name: 'an unknown nested field', args: ['run', 'nested.yaml'], says: ['nested.yaml:2:3: fleet.colour: unknown field', 'devices'] },
  { name: 'a wrong type', args: ['run', 'wrong-type.yaml'], says: ['wrong-type.yaml:2:12: fleet.devices: ', 'string "many"'] },
  { name: 'a negative count', args: ['run', 'negative.yaml'], says: ['negative.yaml:2:12: fleet.devices: ', '>= 1', '-5'] },
  { name: 'an absurd count', args: ['run', 'absurd.yaml'], says: ['absurd.yaml:2:12: fleet.devices: ', '10000000', '500000'] },
  {
    name: 'a tcp fleet beyond what TCP holds',
    args: ['run', 'tcp-too-big.yaml'],
    says: ['tcp-too-big.yaml:3:12: fleet.devices: ', 'tcp transport', '8000'],
  },
  {
    name: 'an unknown cache adapter in the file',
    args: ['run', 'adapter.yaml'],
    says: ['adapter.yaml', 'cache.adapter', '"redis-9000"', KNOWN_ADAPTERS],
  },
  {
    name: 'an unknown transport in the file',
    args: ['run', 'transport.yaml'],
    says: ['transport.yaml:2:14: fleet.transport: ', 'memory, tcp', '"carrier-pigeon"'],
  },
  { name: 'an empty file', args: ['run', 'empty.yaml'], says: ['empty.yaml:1:1: ', 'empty'] },
  { name: 'a list at the top level', args: ['run', 'list.yaml'], says: ['list.yaml:1:1: ', 'mapping'] },
  { name: 'a duplicate key', args: ['run', 'duplicate.yaml'], says: ['duplicate.yaml:2:1: seed: duplicate key', 'duplicate.yaml:1:1'] },
  { name: 'timeline offsets that go back in time', args: ['run', 'backwards.yaml'], says: ['backwards.yaml:3:11: timeline[1].at: ', 'must not go back in time', '10s', '30s'] },
  { name: 'a fault that heals before it starts', args: ['run', 'heal-first.yaml'], says: ['heal-first.yaml:4:11: timeline[0].heal: ', 'heals at 15s, before it is injected at 20s'] },
  { name: 'a fault with a zero duration', args: ['run', 'zero-duration.yaml'], says: ['zero-duration.yaml:5:15: timeline[0].duration: ', 'expected a duration > 0'] },
  { name: 'a partition share outside 0-1', args: ['run', 'partition-share.yaml'], says: ['partition-share.yaml:4:12: timeline[0].share: ', '<= 1', '1.5'] },
  { name: 'a transfer to an unknown account', args: ['run', 'unknown-account.yaml'], says: ['unknown-account.yaml:5:34: timeline[0].transfer.to[0]: ', 'unknown account "acct-000009"', 'acct-000005'] },
  { name: 'zero accounts', args: ['run', 'zero-accounts.yaml'], says: ['zero-accounts.yaml:2:13: fleet.accounts: ', '>= 1', 'found 0'] },
  { name: 'more accounts than TCP holds', args: ['run', 'tcp-accounts.yaml'], says: ['tcp-accounts.yaml:3:13: fleet.accounts: ', 'tcp transport', '8000'] },
  { name: 'a misspelt field in a stage', args: ['run', 'stage-typo.yaml'], says: ['stage-typo.yaml:4:7: timeline.stages[0].stpes: unknown field', 'did you mean steps?'] },
  { name: 'a wave of more cameras than the fleet', args: ['run', 'wave-too-many.yaml'], says: ['wave-too-many.yaml:4:38: timeline[0].devices: ', 'at most 10', '11'] },
  { name: 'overlapping outages', args: ['run', 'overlap.yaml'], says: ['overlap.yaml:3:11: timeline[1].at: ', 'overlaps the broker-outage of timeline[0]'] },
  { name: 'a stage pushed past the end of events', args: ['run', 'stage-late.yaml'], says: ['stage-late.yaml:4:26: timeline.stages[1].steps[0].at: ', 'after events stop'] },
  { name: 'a 300-character name (the run directory would be too long a path)', args: ['run', 'long-name.yaml'], says: ['long-name.yaml:1:7: name: ', 'at most 128 characters'] },
  { name: 'no backoff on a virtual clock', args: ['run', 'no-backoff.yaml'], says: ['no-backoff.yaml:3:20: fleet.backoff.kind: ', 'clock: virtual', 'clock: real'] },
];

const flagCases: Case[] = [
  { name: '--cache nope', args: ['run', '--cache', 'nope'], says: ['--cache', '"nope"', KNOWN_ADAPTERS] },
  { name: '--cache iorediss', args: ['run', '--cache', 'iorediss'], says: ['crosswire: flag --cache: unknown cache adapter "iorediss" (did you mean ioredis?)', 'crosswire list adapters'] },
  { name: '--cache redis', args: ['run', '--cache', 'redis'], says: ['flag --cache: ', '(did you mean ioredis, node-redis or redis@2.2.5?)'] },
  { name: 'CROSSWIRE_CACHE=memroy', args: ['run'], env: { CROSSWIRE_CACHE: 'memroy' }, says: ['env CROSSWIRE_CACHE: unknown cache adapter "memroy" (did you mean memory?)'] },
  { name: 'an adapter importing a package that is not installed', args: ['run', '--cache', './needs-package.js'], says: ['needs-package.js: ', 'imports package "no-such-cache-client"', 'not installed', 'npm install no-such-cache-client'] },
  { name: 'an adapter module that does not exist', args: ['run', '--cache', './missing-adapter.js'], says: ['missing-adapter.js: no such file'] },
  { name: '--cache nope beats a file naming another unknown adapter', args: ['run', 'adapter.yaml', '--cache', 'nope'], says: ['--cache', '"nope"'] },
  { name: '--transport udp', args: ['run', '--transport', 'udp'], says: ['--transport', 'udp', 'memory, tcp'] },
  { name: '--devices abc', args: ['run', '--devices', 'abc'], says: ['--devices', '"abc"'] },
  { name: '--devices -3', args: ['run', '--devices', '-3'], says: ['--devices', '"-3"'] },
  { name: '--devices with no value', args: ['run', '--devices'], says: ['--devices', 'missing'] },
  { name: '--seed 1.5', args: ['run', '--seed', '1.5'], says: ['--seed', '"1.5"'] },
  { name: '--seed abc', args: ['run', '--seed', 'abc'], says: ['--seed', '"abc"'] },
  { name: '--frobnicate', args: ['run', '--frobnicate'], says: ['--frobnicate'] },
  { name: '--time-scale 0', args: ['run', '--time-scale', '0'], says: ['--time-scale', '"0"'] },
  { name: '--time-scale 100000 (beyond the schema)', args: ['run', '--time-scale', '100000'], says: ['--time-scale', 'timeScale', '10000'] },
  { name: '--verify bogus', args: ['run', '--verify', 'bogus'], says: ['--verify', 'bogus', 'source-of-truth'] },
  {
    name: '--devices 50000 --transport tcp',
    args: ['run', '--devices', '50000', '--transport', 'tcp'],
    says: ['flag --devices', 'fleet.devices', 'tcp transport', '8000'],
  },
  { name: '--devices with --accounts', args: ['run', '--devices', '5', '--accounts', '3'], says: ['--devices', '--accounts'] },
  { name: 'two scenario files', args: ['run', 'a.yaml', 'b.yaml'], says: ['too many arguments'] },
  // values that would livelock the clock or never end
  { name: '--set fleet.eventInterval=0', args: ['run', '--set', 'fleet.eventInterval=0'], says: ['flag --set fleet.eventInterval', 'fleet.eventInterval: expected a duration from 10ms to 24h, found 0'] },
  { name: '--set duration=1e15', args: ['run', '--set', 'duration=1e15'], says: ['flag --set duration', 'duration: expected a duration from 1s to 168h'] },
  {
    name: '--set fleet.backoff.kind=none --clock virtual',
    args: ['run', '--set', 'fleet.backoff.kind=none', '--clock', 'virtual'],
    says: ['flag --set fleet.backoff.kind', 'fleet.backoff.kind: none reconnects at the instant a connect fails'],
  },
  { name: '--set fleet.backoff.base=0', args: ['run', '--set', 'fleet.backoff.base=0'], says: ['flag --set fleet.backoff.base', 'expected a duration from 1ms to 24h'] },
  { name: '--set limits.historyBytes=10', args: ['run', '--set', 'limits.historyBytes=10'], says: ['flag --set limits.historyBytes', 'expected a size from 1 MiB to 1 TiB'] },
  {
    name: '--set timeline.999.at=30s (one problem, not one per missing step)',
    args: ['run', '--set', 'timeline.999.at=30s'],
    says: ['(1 problem)', 'flag --set timeline.999.at: timeline[999]: index past the end: timeline has 2 entries'],
  },
  // where the run directories go
  { name: '--out-dir naming a file', args: ['run', '--out-dir', 'a-file.txt'], says: ['--out-dir a-file.txt: ', 'a-file.txt exists and is not a directory'] },
  { name: '--out-dir under a file', args: ['run', '--out-dir', 'a-file.txt/reports'], says: ['--out-dir a-file.txt/reports: ', 'a-file.txt is a file'] },
  { name: '--out-dir under /proc', args: ['run', '--out-dir', '/proc/crosswire-reports'], says: ['--out-dir /proc/crosswire-reports: ', 'under /proc, a kernel pseudo file system'] },
  { name: '--out-dir under /sys', args: ['run', '--out-dir', '/sys/crosswire-reports'], says: ['--out-dir /sys/crosswire-reports: ', 'under /sys'] },
  { name: 'gate --out-dir under /proc', args: ['gate', '--baseline', 'memory', '--candidate', 'memory', '--out-dir', '/proc/x', `${ROOT}scenarios/steady-state.yaml`], says: ['--out-dir /proc/x: ', 'kernel pseudo file system'] },
];

describe.concurrent('crosswire run refuses a bad scenario file with exit 2 and file:line:col', () => {
  it.each(fileCases)('$name', async ({ args, says }) => {
    const stderr = refused(await crosswire(args));
    for (const s of says) expect(stderr).toContain(s);
  });

  it('points at the line and column of an unknown cache adapter', async () => {
    const stderr = refused(await crosswire(['run', 'adapter.yaml']));
    expect(stderr).toContain('adapter.yaml:2:12: cache.adapter: ');
  });
});

describe.concurrent('crosswire run refuses bad flags with exit 2, naming the flag', () => {
  it.each(flagCases)('$name', async ({ args, says, env }) => {
    const stderr = refused(await crosswire(args, env));
    for (const s of says) expect(stderr).toContain(s);
  });

  it('blames the flag, not the scenario file, for an unknown --cache', async () => {
    const stderr = refused(await crosswire(['run', '--cache', 'nonexistent']));
    expect(stderr).not.toContain('invalid scenario');
    expect(stderr).not.toContain('reconnect-storm.yaml');
  });
});

describe('CROSSWIRE_DEBUG=1', () => {
  it('is accepted, traces what the CLI decided and prints the stack behind an error', async () => {
    const r = await crosswire(['run', '--cache', './needs-package.js', '--devices', '50'], { CROSSWIRE_DEBUG: '1' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toContain('CROSSWIRE_DEBUG is not one crosswire reads');
    expect(r.stderr).toContain('crosswire: debug: override fleet.devices = 50 (flag --devices)');
    expect(r.stderr).toContain('imports package "no-such-cache-client"');
    expect(r.stderr).toContain('crosswire: debug: error ADAPTER_MODULE_UNLOADABLE (exit 2)');
    expect(r.stderr).toMatch(STACK_FRAME);
    expect(r.stderr).toContain('caused by: Error [ERR_MODULE_NOT_FOUND]');
  });

  it('=0 is off: no trace, no stack', async () => {
    const stderr = refused(await crosswire(['run', '--cache', './needs-package.js'], { CROSSWIRE_DEBUG: '0' }));
    expect(stderr).not.toContain('debug:');
  });
});

/** Exit 69 for a server that is not there, naming the URL as given and where it came from, never the chaos proxy. */
function unreachable(r: Result, url: string, origin: string): void {
  expect(r.signal, `killed (timeout?); stderr:\n${r.stderr}`).toBeNull();
  expect(r.code, `stderr:\n${r.stderr}`).toBe(69);
  expect(r.stderr).toContain(`crosswire: ${origin}: `);
  expect(r.stderr).toContain(`cache.url ${url}`);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  // the only port in the message is the one the user gave, unless the proxy is named as such
  const ports = [...r.stderr.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => m[1]);
  expect(ports.filter((p) => `127.0.0.1:${p}` !== new URL(url).host && !r.stderr.includes(`chaos proxy at redis://127.0.0.1:${p}`))).toEqual([]);
}

// one at a time: each gets as far as loading the client library, heavier than the refusals above
describe('crosswire run with a cache server that is not there', () => {
  it('--cache-url with nothing listening names the URL and the flag', async () => {
    const r = await crosswire(['run', '--cache', 'ioredis', '--cache-url', 'redis://127.0.0.1:1']);
    unreachable(r, 'redis://127.0.0.1:1', 'flag --cache-url');
    expect(r.stderr).toContain('ECONNREFUSED');
  });

  it('cache.url in the file names the URL and the file', async () => {
    unreachable(await crosswire(['run', 'cache-url.yaml']), 'redis://127.0.0.1:1', 'cache-url.yaml');
  });

  it('a server that accepts and hangs up names the URL, with the proxy only beside it', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await crosswire(['run', '--cache', 'ioredis', '--cache-url', `redis://127.0.0.1:${port}`]);
      unreachable(r, `redis://127.0.0.1:${port}`, 'flag --cache-url');
      expect(r.stderr).toMatch(new RegExp(`cannot reach cache\\.url redis://127\\.0\\.0\\.1:${port} \\(through the chaos proxy at redis://127\\.0\\.0\\.1:\\d+\\)`));
    } finally {
      server.close();
    }
  });
});

describe('crosswire run --help (positive control)', () => {
  it('exits 0 and lists the exit-code table', async () => {
    const r = await crosswire(['run', '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Usage: crosswire run');
    expect(r.stdout).toContain('Exit codes:');
    const table = r.stdout.slice(r.stdout.indexOf('Exit codes:'));
    for (const code of [0, 1, 2, 3, 4, 69, 70, 130]) expect(table).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
  });
});
