import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { within } from './async.ts';
import type { Connection, InteropClient, Login, Published, QoS, Received } from './interop-client.ts';
import { findOnPath } from '../../src/servers/server-binaries.ts';
import { recordSkip } from './server-skip.ts';

const PUB = findOnPath('mosquitto_pub');
const SUB = findOnPath('mosquitto_sub');
/** Line-buffers a held client's stdout: its -d lines must arrive while it runs, not at exit. */
const STDBUF = findOnPath('stdbuf');
const held = (binary: string, args: string[]): [string, string[]] => (STDBUF === undefined ? [binary, args] : [STDBUF, ['-oL', binary, ...args]]);

/** Skip locally with the install hint (recorded for the SKIPPED summary); under CI a missing one fails. */
export function skipWithoutMosquittoClients(group: string): boolean {
  if ((PUB !== undefined && SUB !== undefined) || process.env.CI) return false;
  recordSkip({ group, missing: 'mosquitto_pub / mosquitto_sub not on PATH', install: 'apt-get install mosquitto-clients' });
  return true;
}

function loginArgs(host: string, port: number, login: Login): string[] {
  const args = ['-d', '-V', 'mqttv311', '-h', host, '-p', String(port), '-i', login.clientId, '-u', login.username, '-P', login.password];
  if (!login.clean) args.push('-c');
  if (login.will !== undefined) args.push('--will-topic', login.will.topic, '--will-payload', login.will.payload, '--will-qos', String(login.will.qos));
  return args;
}

/** `Client x received CONNACK (5)` in -d output. */
const CONNACK = /received CONNACK \((\d+)\)/;
/** `Subscribed (mid: 1): 1, 128`. */
const SUBACK = /^Subscribed \(mid: \d+\): ([\d, ]+)$/;

/**
 * A held connection: mosquitto_sub when it subscribes, else `mosquitto_pub -l` (connected until
 * its stdin closes). SIGTERM and a closed stdin are clean DISCONNECTs; SIGKILL drops the link.
 * Both reconnect by themselves when the broker closes them, so a second CONNECT in the -d output,
 * or an exit nobody asked for, is the broker closing it.
 */
class CliConnection implements Connection {
  code: number | undefined;
  readonly sessionPresent = undefined; // neither prints the flag
  granted: number[] = [];
  received: Received[] = [];
  private connects = 0;
  private exited = false;
  private ending = false;
  readonly output: string[] = [];
  private readonly child: ChildProcess;

  constructor(child: ChildProcess) {
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.output.push(line);
      if (line.startsWith('{')) {
        const m = JSON.parse(line) as { topic: string; payload?: string; qos: QoS; retain: boolean | number };
        this.received.push({ topic: m.topic, payload: m.payload ?? '', qos: m.qos, retain: Boolean(m.retain) });
      } else if (/sending CONNECT/.test(line)) this.connects++;
      else if (CONNACK.test(line)) this.code ??= Number(CONNACK.exec(line)![1]);
      else if (SUBACK.test(line)) this.granted = SUBACK.exec(line)![1].split(',').map(Number);
    });
    child.stderr!.on('data', (d: Buffer) => this.output.push(d.toString()));
    child.once('exit', () => (this.exited = true));
  }

  get closedByBroker(): boolean {
    return !this.ending && (this.connects > 1 || this.exited);
  }

  async settled(subscribing: boolean): Promise<void> {
    const deadline = Date.now() + 5000;
    const done = () => this.exited || (this.code !== undefined && (this.code !== 0 || !subscribing || this.granted.length > 0));
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  private async stop(signal: NodeJS.Signals): Promise<void> {
    this.ending = true;
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    if (signal === 'SIGTERM' && this.child.stdin !== null) this.child.stdin.end();
    else this.child.kill(signal);
    await within(exited, 5000, 'the mosquitto client to exit').catch(() => this.child.kill('SIGKILL'));
  }
  disconnect(): Promise<void> {
    return this.stop('SIGTERM');
  }
  drop(): Promise<void> {
    return this.stop('SIGKILL');
  }
}

/** mosquitto_pub and mosquitto_sub (Debian's mosquitto-clients), one process per connection. */
export function mosquittoClients(host: string, port: number): InteropClient {
  if (PUB === undefined || SUB === undefined) throw new Error('mosquitto-clients are not installed');
  const live = new Set<CliConnection>();
  const version = /version ([\d.]+)/.exec(spawnSync(PUB, ['--help'], { encoding: 'utf8' }).stdout)?.[1] ?? '?';
  /** What the client prints when it will not take a zero-length id. */
  const emptyIdError = (clean: boolean) => {
    const args = loginArgs(host, port, { username: 'nobody', password: 'x', clientId: '', clean });
    const run = spawnSync(PUB, [...args, '-t', 'x', '-m', 'x'], { encoding: 'utf8', timeout: 5000 });
    return Promise.resolve(`${run.stdout}${run.stderr}`.trim());
  };
  return {
    name: `mosquitto_pub/mosquitto_sub ${version}`,
    async open(login, filters = []) {
      const args = loginArgs(host, port, login);
      let child: ChildProcess;
      if (filters.length === 0) {
        // stays connected until stdin closes; the topic is never published to
        child = spawn(...held(PUB, [...args, '-l', '-t', `devices/${login.username}/unused`]), { stdio: ['pipe', 'pipe', 'pipe'] });
      } else {
        const qos = filters[0][1];
        if (filters.some(([, q]) => q !== qos)) throw new Error('mosquitto_sub takes one QoS for all its filters');
        // SIGTERM: a clean DISCONNECT (its stdin is unused)
        child = spawn(...held(SUB, [...args, '-F', '%j', '-q', String(qos), ...filters.flatMap(([f]) => ['-t', f])]), { stdio: ['ignore', 'pipe', 'pipe'] });
      }
      const connection = new CliConnection(child);
      live.add(connection);
      await connection.settled(filters.length > 0);
      return connection;
    },
    async publish(login, message): Promise<Published> {
      const args = [...loginArgs(host, port, login), '-t', message.topic, '-q', String(message.qos)];
      if (message.retain) args.push('-r');
      args.push(...(message.payload === '' ? ['-n'] : ['-m', message.payload]));
      const child = spawn(PUB, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      const code = await within(new Promise<number | null>((resolve) => child.once('exit', resolve)), 10_000, 'mosquitto_pub').catch(() => {
        child.kill('SIGKILL');
        return null;
      });
      const connack = CONNACK.exec(out);
      return { code: connack === null ? undefined : Number(connack[1]), completed: code === 0 };
    },
    refuses: { emptyId: () => emptyIdError(true), emptyIdUnclean: () => emptyIdError(false) },
    async close() {
      for (const connection of live) await connection.drop();
      live.clear();
    },
  };
}
