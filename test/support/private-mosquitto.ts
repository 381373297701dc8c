import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { mosquittoAclFile, mosquittoConf, mosquittoPasswordFile, type WeakenedRule } from '../../src/broker/mosquitto-config.ts';
import { Credentials, externalBrokerSecret } from '../../src/registry/credentials.ts';
import { Registry, type FleetShape } from '../../src/registry/registry.ts';
import { findOnPath } from '../../src/servers/server-binaries.ts';
import { freeLoopbackPort } from '../../src/servers/loopback.ts';
import { recordSkip } from './server-skip.ts';

/** Where Debian puts the broker (sbin is not on every PATH). */
const MOSQUITTO = ['/usr/sbin/mosquitto', findOnPath('mosquitto')].find((p): p is string => p !== undefined && existsSync(p));

export function mosquittoAvailable(): boolean {
  return MOSQUITTO !== undefined;
}

/** Skip locally with the install hint (recorded for the summary `npm test` ends with); under CI a missing one fails. */
export function skipWithoutMosquitto(group = 'external-broker tests'): boolean {
  if (mosquittoAvailable() || process.env.CI) return false;
  recordSkip({ group, missing: 'mosquitto not installed (/usr/sbin/mosquitto, or on PATH)', install: 'apt-get install mosquitto' });
  return true;
}

export interface PrivateMosquitto {
  readonly dir: string;
  readonly port: number;
  readonly wsPort: number;
  readonly url: string;
  readonly wsUrl: string;
  /** Mosquitto's own log so far (connects, refusals, denials). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export type MosquittoOptions =
  | {
      /** The fleet it must know (from the scenario) and the seed its passwords follow from. */
      seed: number;
      fleet: FleetShape;
      /** The passphrase the run will use (CROSSWIRE_BROKER_SECRET); none by default. */
      passphrase?: string;
      /** The generated ACL with one rule too broad (`broker-config --weaken`): a positive control. */
      weaken?: WeakenedRule;
      configFile?: undefined;
    }
  | {
      /** Files written elsewhere (by `crosswire broker-config --out-dir`) to use instead of generating them. */
      configFile: string;
    };

/**
 * A Mosquitto of the test's own: free loopback ports (never 1883), the password file, ACL and
 * config crosswire generates for this fleet and seed, in a temp dir removed by stop().
 */
export async function startPrivateMosquitto(options: MosquittoOptions): Promise<PrivateMosquitto> {
  if (MOSQUITTO === undefined) throw new Error('mosquitto is not installed');
  const dir = await mkdtemp(join(tmpdir(), 'crosswire-mosquitto-'));
  const [port, wsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  let conf: string;
  if (options.configFile !== undefined) conf = options.configFile;
  else {
    const registry = Registry.generate(options.seed, options.fleet);
    const credentials = new Credentials(externalBrokerSecret(options.seed, options.passphrase));
    const listeners = { host: '127.0.0.1', port, wsPort, passwordFile: join(dir, 'passwd'), aclFile: join(dir, 'acl') };
    await writeFile(listeners.passwordFile, mosquittoPasswordFile(registry, credentials), { mode: 0o600 });
    await writeFile(listeners.aclFile, mosquittoAclFile(options.weaken));
    conf = join(dir, 'mosquitto.conf');
    await writeFile(conf, mosquittoConf(listeners, `test seed ${options.seed}`));
  }
  // started as root, mosquitto would drop to a `mosquitto` user that cannot read a private temp dir
  await appendFile(conf, `user ${userInfo().username}\nlog_dest file ${join(dir, 'mosquitto.log')}\nlog_type all\n`);
  const child: ChildProcess = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const parsedPorts = options.configFile === undefined ? { port, wsPort } : await portsOf(conf);
  const listening = await waitForPort(parsedPorts.port, 5000, () => child.exitCode !== null);
  if (!listening) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`mosquitto did not start on port ${parsedPorts.port}: ${stderr}`);
  }
  return {
    dir,
    port: parsedPorts.port,
    wsPort: parsedPorts.wsPort,
    url: `mqtt://127.0.0.1:${parsedPorts.port}`,
    wsUrl: `ws://127.0.0.1:${parsedPorts.wsPort}/mqtt`,
    log: () => readFile(join(dir, 'mosquitto.log'), 'utf8').catch(() => ''),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The listener ports of a config crosswire wrote (`listener <port> <host>` lines, mqtt first). */
async function portsOf(conf: string): Promise<{ port: number; wsPort: number }> {
  const ports = [...(await readFile(conf, 'utf8')).matchAll(/^listener (\d+)/gm)].map((m) => Number(m[1]));
  return { port: ports[0], wsPort: ports[1] ?? 0 };
}

async function waitForPort(port: number, timeoutMs: number, gaveUp: () => boolean): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && !gaveUp()) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
