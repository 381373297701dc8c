import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConfessing } from '../src/cache/cache-adapter.ts';
import { Credentials, externalBrokerSecret } from '../src/registry/credentials.ts';
import { runScenario } from '../src/runner/run-scenario.ts';
import { validateScenarioObject } from '../src/scenario/load-scenario.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { skipWithoutMosquitto, startPrivateMosquitto, type PrivateMosquitto } from './support/private-mosquitto.ts';

/**
 * A broker crosswire does not own: a private Mosquitto on free loopback ports, configured with
 * the files crosswire generates for the fleet and seed. The same storm that the embedded broker
 * hosts must PASS with the correct cache and FAIL with a faulty one, on the same seed.
 */
const SEED = 7;
const storm = (broker: PrivateMosquitto, patch: Record<string, unknown> = {}): Scenario =>
  validateScenarioObject(
    {
      name: 'external-storm',
      seed: SEED,
      timeScale: 4,
      duration: '30s',
      drain: '4s',
      // a 30 s run: a backoff cap well inside what is left after the heal
      fleet: { devices: 300, eventInterval: '2s', backoff: { cap: '5s' } },
      broker: { url: broker.url, wsUrl: broker.wsUrl },
      timeline: [
        { at: '10s', fault: 'broker-outage', duration: '4s' },
        { at: '15s', transfer: { share: 0.05 } },
      ],
      ...patch,
    },
    'test',
  );
const FLEET = { devices: 300, devicesPerAccount: { min: 1, max: 6 }, viewersPerAccount: { min: 1, max: 2 } };

describe.skipIf(skipWithoutMosquitto())('a storm against an external Mosquitto', () => {
  let broker: PrivateMosquitto;
  beforeAll(async () => {
    broker = await startPrivateMosquitto({ seed: SEED, fleet: FLEET });
  });
  afterAll(async () => broker?.stop());

  it('passes with the memory cache: the outage is a client-side cut, and the fleet storms back through Mosquitto', async () => {
    const run = await runScenario(storm(broker));
    expect(run.summary.reasons).toEqual([]);
    expect(run.summary.verdict).toBe('PASS');
    expect(run.summary.fleet).toMatchObject({ brokerThread: 'external', brokerUrl: broker.url, transport: 'tcp' });
    const [outage] = run.summary.storms;
    // (nearly) every camera was connected when the cut came, and they came back
    expect(outage.dropped).toBeGreaterThan(270);
    expect(outage.reconnectShare).toBeGreaterThanOrEqual(0.99);
    expect(outage.failedAttempts).toBeGreaterThan(0); // refused on the client side until the heal
    const log = await broker.log();
    expect(log).toMatch(/New client connected .* as cam-0000001 /);
    expect(log).toMatch(/as svc-reference~1 /);
  });

  it('fails with a faulty cache on the same seed, naming the cache operation', async () => {
    const run = await runScenario(storm(broker, { cache: { adapter: 'faulty:crossed-replies' } }));
    expect(run.summary.verdict).toBe('FAIL');
    expect(run.summary.violationCount).toBeGreaterThan(0);
    const adapter = run.world.adapter;
    expect(isConfessing(adapter) && adapter.wrongValues.length).toBeGreaterThan(0);
    expect(run.summary.violations[0].blame?.class).toBe('wrong-key');
  });

  it('carries viewers and cameras over its WebSocket listener', async () => {
    const run = await runScenario(storm(broker, { fleet: { devices: 300, eventInterval: '2s', backoff: { cap: '5s' }, viewerTransport: 'ws', cameraTransport: 'ws' } }));
    expect(run.summary.reasons).toEqual([]);
    expect(run.summary.verdict).toBe('PASS');
    expect(run.summary.fleet).toMatchObject({ cameraTransport: 'ws', viewerTransport: 'ws' });
    expect(run.summary.accounting.delivered).toBeGreaterThan(500);
  });

  it('keeps each principal to its own topics with the generated ACL', async () => {
    const credentials = new Credentials(externalBrokerSecret(SEED));
    const connectAs = (username: string, clientId: string, password = credentials.password(username)) =>
      mqtt.connectAsync(broker.url, { clientId, username, password, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 });
    const received: string[] = [];
    const viewer = await connectAs('acct-000001', 'acct-000001~v9');
    const service = await connectAs('svc-reference', 'svc-reference~t');
    const camera = await connectAs('cam-0000001', 'cam-0000001');
    try {
      // Mosquitto grants a subscription and checks read access per message as it delivers
      await viewer.subscribeAsync(['accounts/acct-000002/events', 'accounts/+/events', '#']);
      viewer.on('message', (topic) => received.push(`viewer ${topic}`));
      await service.subscribeAsync('devices/+/events');
      service.on('message', (topic) => received.push(`service ${topic}`));
      await service.publishAsync('accounts/acct-000002/events', 'foreign');
      await service.publishAsync('accounts/acct-000001/events', 'own');
      await camera.publishAsync('devices/cam-0000002/events', 'as another camera');
      await camera.publishAsync('devices/cam-0000001/events', 'own');
      await viewer.publishAsync('accounts/acct-000001/events', 'a viewer may not publish');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received.sort()).toEqual(['service devices/cam-0000001/events', 'viewer accounts/acct-000001/events']);
    } finally {
      await Promise.all([viewer.endAsync(), service.endAsync(), camera.endAsync()]);
    }
    await expect(connectAs('cam-0000001', 'cam-0000001~x', 'not-its-password')).rejects.toThrow(/Not authorized|Bad username/i);
  });

  it('runs broker.restartCommand during a broker-restart step, and fails the fault past restartTimeout', async () => {
    const marker = join(broker.dir, 'restarted');
    const restart = (command: string, restartTimeout: string) =>
      storm(broker, {
        broker: { url: broker.url, restartCommand: command, restartTimeout },
        // a short run: a short backoff cap, so every camera is back well before the end
        fleet: { devices: 300, eventInterval: '2s', backoff: { cap: '4s' } },
        timeline: [{ at: '8s', fault: 'broker-restart', duration: '3s' }],
        duration: '26s',
      });
    const ok = await runScenario(restart(`touch ${marker}`, '5s'));
    expect(existsSync(marker)).toBe(true);
    expect(ok.summary.reasons).toEqual([]);
    expect(ok.summary.verdict).toBe('PASS');
    expect(ok.summary.storms[0].reconnectShare).toBeGreaterThanOrEqual(0.99);
    const slow = await runScenario(restart('sleep 5', '200ms'));
    expect(slow.summary.verdict).not.toBe('PASS');
    expect(JSON.stringify(slow.summary)).toContain('did not finish within 200ms (broker.restartTimeout)');
  });

  it('stops before the fleet starts, exit 69, when the broker does not know this run\'s credentials', async () => {
    // the password file is for seed 7; seed 8 derives other passwords
    const error = await runScenario(storm(broker, { seed: 8 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BROKER_UNREACHABLE', exitCode: 69 });
    expect((error as Error).message).toMatch(/CONNECT refused: (not authorized|bad user name or password).*broker-config mosquitto --seed 8/);
  });
});

describe.skipIf(skipWithoutMosquitto())('crosswire broker-config mosquitto', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crosswire-broker-config-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('writes files a real Mosquitto starts from and the run then PASSes against', async () => {
    const { runCli } = await import('./support/run-cli.ts');
    const { freeLoopbackPort } = await import('../src/servers/loopback.ts');
    const [port, wsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const scenario = join(dir, 'small.yaml');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(scenario, 'name: small\nduration: 12s\ndrain: 2s\ntimeScale: 4\nfleet:\n  devices: 40\n  eventInterval: 1s\n');
    const out = join(dir, 'broker');
    const config = await runCli(['broker-config', 'mosquitto', scenario, '--seed', '3', '--out-dir', out, '--port', String(port), '--ws-port', String(wsPort)]);
    expect(config.stderr).toBe('');
    expect(config.code).toBe(0);
    expect(config.stdout).toContain(`--broker mqtt://127.0.0.1:${port}`);
    const mosquitto = await startPrivateMosquitto({ configFile: join(out, 'mosquitto.conf') });
    try {
      const run = await runCli(['run', scenario, '--seed', '3', '--broker', mosquitto.url, '--broker-ws-url', mosquitto.wsUrl, '--set', 'fleet.viewerTransport=ws', '--out-dir', join(dir, 'reports'), '--quiet']);
      expect(run.stdout).toMatch(/^PASS small seed=3 /);
      expect(run.code).toBe(0);
    } finally {
      await mosquitto.stop();
    }
  });

  it('--plaintext writes username:password lines that mosquitto_passwd -U turns into a password file Mosquitto accepts', async () => {
    const { runCli } = await import('./support/run-cli.ts');
    const { freeLoopbackPort } = await import('../src/servers/loopback.ts');
    const { readFile } = await import('node:fs/promises');
    const { execFileSync } = await import('node:child_process');
    const [port, wsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const out = join(dir, 'plain');
    const config = await runCli(['broker-config', 'mosquitto', '--devices', '10', '--seed', '4', '--out-dir', out, '--port', String(port), '--ws-port', String(wsPort), '--plaintext']);
    expect(config.code).toBe(0);
    const lines = (await readFile(join(out, 'passwords.txt'), 'utf8')).trim().split('\n');
    const credentials = new Credentials(externalBrokerSecret(4));
    expect(lines[0]).toBe(`svc-reference:${credentials.password('svc-reference')}`);
    expect(lines).toContain(`cam-0000010:${credentials.password('cam-0000010')}`);
    execFileSync('mosquitto_passwd', ['-U', join(out, 'passwords.txt')]);
    const mosquitto = await startPrivateMosquitto({ configFile: join(out, 'mosquitto.conf') });
    try {
      const client = await mqtt.connectAsync(mosquitto.url, {
        clientId: 'cam-0000010', username: 'cam-0000010', password: credentials.password('cam-0000010'), protocolVersion: 4, reconnectPeriod: 0,
      });
      expect(client.connected).toBe(true);
      await client.endAsync();
    } finally {
      await mosquitto.stop();
    }
  });

  it('reaches a TLS listener over mqtts:// and wss:// with broker.ca', async () => {
    const { freeLoopbackPort } = await import('../src/servers/loopback.ts');
    const { readFile, writeFile } = await import('node:fs/promises');
    const { execFileSync } = await import('node:child_process');
    const out = join(dir, 'tls');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(out, { recursive: true });
    const [cert, key] = [join(out, 'cert.pem'), join(out, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const [port, wsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const { runCli } = await import('./support/run-cli.ts');
    const config = await runCli(['broker-config', 'mosquitto', '--devices', '40', '--seed', '5', '--out-dir', out, '--port', String(port), '--ws-port', String(wsPort)]);
    expect(config.code).toBe(0);
    const conf = join(out, 'mosquitto.conf');
    // each listener TLS: certfile and keyfile follow the listener they belong to
    await writeFile(conf, (await readFile(conf, 'utf8')).replace(/^(protocol \w+)$/gm, `$1\ncertfile ${cert}\nkeyfile ${key}`));
    const mosquitto = await startPrivateMosquitto({ configFile: conf });
    try {
      const run = await runScenario(
        validateScenarioObject(
          {
            name: 'tls', seed: 5, timeScale: 4, duration: '14s', drain: '2s',
            fleet: { devices: 40, eventInterval: '1s', viewerTransport: 'ws', backoff: { cap: '3s' } },
            broker: { url: `mqtts://127.0.0.1:${port}`, wsUrl: `wss://127.0.0.1:${wsPort}/mqtt`, ca: cert },
            timeline: [{ at: '6s', fault: 'broker-outage', duration: '2s' }],
          },
          'test',
        ),
      );
      expect(run.summary.reasons).toEqual([]);
      expect(run.summary.verdict).toBe('PASS');
      expect(run.summary.fleet).toMatchObject({ transport: 'tls', viewerTransport: 'wss' });
      // without the CA the broker's certificate is not trusted: the probe says so, exit 69
      const untrusted = await runScenario(validateScenarioObject({ name: 'tls', seed: 5, fleet: { devices: 40 }, broker: { url: `mqtts://127.0.0.1:${port}` } }, 'test')).catch((e: unknown) => e);
      expect(untrusted).toMatchObject({ code: 'BROKER_UNREACHABLE', exitCode: 69 });
      expect((untrusted as Error).message).toMatch(/cannot connect \(.*(SELF_SIGNED|CERT).*\)/);
    } finally {
      await mosquitto.stop();
    }
  });
});

describe('external broker input from the command line', () => {
  it('a bad URL is exit 2 naming the flag; a broker that is not there is exit 69 naming the URL and why', async () => {
    const { runCli } = await import('./support/run-cli.ts');
    const dir = await mkdtemp(join(tmpdir(), 'crosswire-broker-cli-'));
    try {
      const bad = await runCli(['run', '--broker', 'http://127.0.0.1:1', '--out-dir', dir]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/flag --broker: broker\.url: .*found "http:\/\/127\.0\.0\.1:1"/);
      expect(bad.stderr).not.toMatch(/\n\s+at /);
      const { freeLoopbackPort } = await import('../src/servers/loopback.ts');
      const port = await freeLoopbackPort();
      const gone = await runCli(['run', '--broker', `mqtt://127.0.0.1:${port}`, '--devices', '10', '--out-dir', dir]);
      expect(gone.code).toBe(69);
      expect(gone.stderr).toContain(`external broker mqtt://127.0.0.1:${port}: cannot connect (ECONNREFUSED)`);
      const noCa = await runCli(['run', '--broker', `mqtts://127.0.0.1:${port}`, '--broker-ca', join(dir, 'missing.pem'), '--out-dir', dir]);
      expect(noCa.code).toBe(2);
      expect(noCa.stderr).toMatch(/broker\.ca: cannot read .*missing\.pem: ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
