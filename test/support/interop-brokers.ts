import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerPrincipals, plaintextPasswords } from '../../src/cli/broker-principals.ts';
import { serviceUsername, viewerClientId } from '../../src/registry/credentials.ts';
import { freeLoopbackPort } from '../../src/servers/loopback.ts';
import { within } from './async.ts';
import { startPrivateMosquitto } from './private-mosquitto.ts';
import { CLI, runCli } from './run-cli.ts';

/** The fleet the interop suite admits: three accounts and their cameras, this seed. */
export const INTEROP_SEED = 17;
const FLEET_FLAGS = { seed: INTEROP_SEED, accounts: 3 };

export type BrokerKind = 'crosswire' | 'mosquitto';

/** A principal's login, without the client id and session flag a test chooses. */
export interface Principal {
  username: string;
  password: string;
}

/** A broker under test and the principals of its fleet. */
export interface InteropBroker {
  readonly kind: BrokerKind;
  readonly host: string;
  readonly port: number;
  readonly service: Principal;
  /** Two cameras (client id = username); the first two accounts (viewer client ids `<account>~v<n>`). */
  readonly cameras: [Principal, Principal];
  readonly accounts: [Principal, Principal];
  /** What `crosswire broker-serve --credentials-file` wrote (crosswire only). */
  readonly credentialsText?: string;
  stop(): Promise<void>;
}

export const viewerId = (account: Principal, n = 1): string => viewerClientId(account.username, n);

async function fleet() {
  const principals = await brokerPrincipals(undefined, FLEET_FLAGS);
  const login = (username: string): Principal => ({ username, password: principals.credentials.password(username) });
  const [c1, c2] = principals.registry.deviceIds;
  const [a1, a2] = principals.registry.accountIds;
  return {
    principals,
    service: login(serviceUsername('reference')),
    cameras: [login(c1), login(c2)] as [Principal, Principal],
    accounts: [login(a1), login(a2)] as [Principal, Principal],
  };
}

/** `crosswire broker-serve` in a child process on a free port, as a user would start it. */
async function startCrosswire(): Promise<InteropBroker> {
  const { service, cameras, accounts } = await fleet();
  const dir = await mkdtemp(join(tmpdir(), 'crosswire-interop-'));
  const credentialsFile = join(dir, 'credentials.txt');
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, 'broker-serve', '--seed', String(INTEROP_SEED), '--accounts', String(FLEET_FLAGS.accounts), '--credentials-file', credentialsFile, '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const info = await within(
    new Promise<{ url: string }>((resolve, reject) => {
      let stdout = '';
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d;
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (line !== undefined && stdout.includes('\n')) resolve(JSON.parse(line) as { url: string });
      });
      child.once('exit', (code) => reject(new Error(`crosswire broker-serve exited ${code}: ${stderr}`)));
    }),
    20_000,
    'crosswire broker-serve to listen',
  );
  const url = new URL(info.url);
  return {
    kind: 'crosswire',
    host: url.hostname,
    port: Number(url.port),
    service,
    cameras,
    accounts,
    credentialsText: await readFile(credentialsFile, 'utf8'),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await within(exited, 5000, 'broker-serve to stop');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A private Mosquitto started from the files `crosswire broker-config mosquitto --out-dir` writes for the same fleet and seed. */
async function startMosquitto(): Promise<InteropBroker> {
  const { principals, service, cameras, accounts } = await fleet();
  const { scenario } = principals;
  const dir = await mkdtemp(join(tmpdir(), 'crosswire-interop-mosquitto-'));
  const port = await freeLoopbackPort();
  const flags = ['--seed', String(INTEROP_SEED), '--accounts', String(FLEET_FLAGS.accounts), '--out-dir', dir, '--port', String(port), '--ws-port', '0'];
  const config = await runCli(['broker-config', 'mosquitto', ...flags], { timeoutMs: 30_000 });
  if (config.code !== 0) throw new Error(`crosswire broker-config mosquitto exited ${config.code}: ${config.stderr}`);
  const mosquitto = await startPrivateMosquitto({ configFile: join(dir, 'mosquitto.conf') });
  return {
    kind: 'mosquitto',
    host: '127.0.0.1',
    port: mosquitto.port,
    service,
    cameras,
    accounts,
    async stop() {
      await mosquitto.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function startInteropBroker(kind: BrokerKind): Promise<InteropBroker> {
  return kind === 'crosswire' ? startCrosswire() : startMosquitto();
}

/** The credentials file broker-serve should have written for the suite's fleet. */
export async function expectedCredentialsText(): Promise<string> {
  return plaintextPasswords((await fleet()).principals);
}
