import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { brokerPrincipals } from '../src/cli/broker-principals.ts';
import { within } from './support/async.ts';
import { CLI, runCli } from './support/run-cli.ts';

// `crosswire broker-serve` as a user starts it: what it prints, its WebSocket listener, the
// passwords of the seed, a clean stop, and a port it cannot have

function serve(args: string[]) {
  const child = spawn(process.execPath, [CLI, 'broker-serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  const ready = within(
    new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => stdout.includes('Ctrl-C') && resolve(stdout));
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    }),
    20_000,
    'broker-serve to print its ports',
  );
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, ready, exit };
}

async function connack(url: string, username: string, password: string, clientId: string): Promise<number | undefined> {
  const client = mqtt.connect(url, { username, password, clientId, reconnectPeriod: 0, connectTimeout: 5000 });
  client.on('error', () => {});
  const code = await new Promise<number | undefined>((resolve) => {
    client.on('packetreceive', (packet) => packet.cmd === 'connack' && resolve(packet.returnCode));
    client.once('close', () => resolve(undefined));
  });
  await client.endAsync(true);
  return code;
}

describe('crosswire broker-serve', () => {
  it('prints where it listens and who may connect; admits the seed\'s principals over TCP and WebSocket; stops on SIGTERM', async () => {
    const { child, ready, exit } = serve(['--seed', '5', '--devices', '4', '--ws-port', '0']);
    const text = await ready;
    expect(text).toMatch(/seed 5: 4 cameras/);
    expect(text).toMatch(/credentials: --credentials-file <file>, or crosswire broker-config mosquitto --seed 5 --devices 4 --plaintext/);
    expect(text).toMatch(/run against it: crosswire run --seed 5 --devices 4 --broker mqtt:\/\/127\.0\.0\.1:\d+/);
    const tcp = /mqtt: (mqtt:\/\/\S+)/.exec(text)![1];
    const ws = /ws: +(ws:\/\/\S+)/.exec(text)![1];
    const { credentials, registry } = await brokerPrincipals(undefined, { seed: 5, devices: 4 });
    const camera = registry.deviceIds[0];
    expect(await connack(tcp, camera, credentials.password(camera), camera)).toBe(0);
    expect(await connack(ws, 'svc-reference', credentials.password('svc-reference'), 'svc-reference~ws')).toBe(0);
    expect(await connack(tcp, camera, 'f'.repeat(32), camera)).toBe(4);
    // a password of another seed is refused: the credentials follow from the seed
    const other = (await brokerPrincipals(undefined, { seed: 6, devices: 4 })).credentials;
    expect(await connack(tcp, camera, other.password(camera), camera)).toBe(4);
    child.kill('SIGTERM');
    expect(await within(exit, 5000, 'exit after SIGTERM')).toBe(0);
  });

  it('a run against it, with the command it prints, PASSes: the fleet is the one it admits', async () => {
    const { child, ready, exit } = serve(['--seed', '2', '--devices', '8']);
    const text = await ready;
    const command = /run against it: crosswire (run .*)$/m.exec(text)![1].split(' ');
    try {
      const run = await runCli([...command, '--out-dir', join(tmpdir(), `crosswire-broker-serve-${process.pid}`), '--keep-runs', 'off', '--quiet'], { timeoutMs: 120_000 });
      expect(run.stdout).toMatch(/^PASS reconnect-storm seed=2 /);
      expect(run.code).toBe(0);
    } finally {
      child.kill('SIGTERM');
      await exit;
      await rm(join(tmpdir(), `crosswire-broker-serve-${process.pid}`), { recursive: true, force: true });
    }
  });

  it('a port it cannot listen on is exit 2 naming the flag', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const result = await runCli(['broker-serve', '--devices', '4', '--port', String(port)], { timeoutMs: 20_000 });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--port ${port}`);
      expect(result.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    } finally {
      taken.close();
    }
  });
});
