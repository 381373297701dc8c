import { pbkdf2Sync } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExternalBroker } from '../src/broker/external-broker.ts';
import { mosquittoAclFile, mosquittoConf, mosquittoPasswordFile, mosquittoPasswordLine } from '../src/broker/mosquitto-config.ts';
import { runRestartCommand } from '../src/broker/restart-command.ts';
import { Credentials, externalBrokerSecret } from '../src/registry/credentials.ts';
import { Registry } from '../src/registry/registry.ts';
import { clockModeOf } from '../src/scenario/schema.ts';
import { validateScenarioObject } from '../src/scenario/load-scenario.ts';
import { ClientGate } from '../src/transport/client-gate.ts';
import type { LinkHandler } from '../src/transport/link.ts';
import { MemoryServerTransport } from '../src/transport/memory-transport.ts';

describe('the Mosquitto files crosswire writes', () => {
  it('hashes each password as mosquitto_passwd does: $7$, 101 rounds of PBKDF2-SHA512, 12-byte salt', () => {
    const line = mosquittoPasswordLine('cam-0000001', 'secret', Buffer.alloc(12, 3));
    const [user, hash] = line.split(':');
    const [, kind, rounds, salt, digest] = hash.split('$');
    expect([user, kind, rounds]).toEqual(['cam-0000001', '7', '101']);
    expect(Buffer.from(salt, 'base64')).toEqual(Buffer.alloc(12, 3));
    expect(digest).toBe(pbkdf2Sync('secret', Buffer.alloc(12, 3), 101, 64, 'sha512').toString('base64'));
  });

  it('lists every camera, account and the service, with the passwords the run will present', () => {
    const registry = Registry.generate(4, { devices: 25, devicesPerAccount: { min: 1, max: 3 }, viewersPerAccount: { min: 1, max: 2 } });
    const credentials = new Credentials(externalBrokerSecret(4));
    const lines = mosquittoPasswordFile(registry, credentials).trim().split('\n');
    expect(lines).toHaveLength(1 + registry.deviceIds.length + registry.accountIds.length);
    const byUser = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
    for (const user of ['svc-reference', registry.deviceIds[24], registry.accountIds[0]]) {
      const [, , , salt, digest] = byUser.get(user)!.split('$');
      expect(pbkdf2Sync(credentials.password(user), Buffer.from(salt, 'base64'), 101, 64, 'sha512').toString('base64')).toBe(digest);
    }
  });

  it('derives the same passwords from the same seed and passphrase, others from any other', () => {
    const password = (seed: number, passphrase?: string) => new Credentials(externalBrokerSecret(seed, passphrase)).password('cam-0000001');
    expect(password(1)).toBe(password(1));
    expect(password(1)).not.toBe(password(2));
    expect(password(1, 'x')).not.toBe(password(1));
  });

  it('keeps the ACL to patterns on the username, and the config to listeners without anonymous access', () => {
    const acl = mosquittoAclFile();
    expect(acl).toContain('pattern write devices/%u/#');
    expect(acl).toContain('pattern read accounts/%u/#');
    expect(acl).toMatch(/user svc-reference\ntopic read devices\/\+\/events\ntopic write accounts\/\+\/events/);
    // the service's two, the shards' meeting place (the service's user only), a pattern each for cameras and viewers
    expect(acl).toMatch(/user svc-reference\n(?:(?:topic |#).*\n)*topic readwrite crosswire\/shards\/#\n/);
    expect(acl.split('\n').filter((l) => /^(topic|pattern) /.test(l))).toHaveLength(5);
    const conf = mosquittoConf({ host: '127.0.0.1', port: 1884, wsPort: 8081, passwordFile: '/p', aclFile: '/a' }, 'x');
    expect(conf).toContain('allow_anonymous false');
    expect(conf).toMatch(/listener 1884 127\.0\.0\.1\nprotocol mqtt/);
    expect(conf).toMatch(/listener 8081 127\.0\.0\.1\nprotocol websockets/);
    expect(mosquittoConf({ host: 'h', port: 1, wsPort: 0, passwordFile: '/p', aclFile: '/a' }, 'x')).not.toContain('websockets');
  });
});

describe('broker fields in a scenario', () => {
  const problems = (broker: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    try {
      validateScenarioObject({ broker, ...extra }, 'test.yaml');
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('accepts the four schemes and runs them on a real clock', () => {
    for (const url of ['mqtt://127.0.0.1:1883', 'mqtts://broker.example:8883', 'ws://127.0.0.1:8080/mqtt', 'wss://b.example/mqtt']) expect(problems({ url })).toBe('');
    expect(clockModeOf(validateScenarioObject({ broker: { url: 'mqtt://127.0.0.1:1' } }, 't'))).toBe('real');
    expect(clockModeOf(validateScenarioObject({ fleet: { viewerTransport: 'ws' } }, 't'))).toBe('real');
  });

  it('names the field of every combination that cannot work', () => {
    expect(problems({ url: 'http://x:1' })).toMatch(/broker\.url/);
    expect(problems({ url: 'mqtt://user:pw@x:1' })).toMatch(/broker\.url/);
    expect(problems({ wsUrl: 'ws://x:1' })).toMatch(/broker\.wsUrl.*set broker\.url too/);
    expect(problems({ url: 'mqtt://x:1', ca: 'ca.pem' })).toMatch(/broker\.ca.*mqtts:\/\/ or wss:\/\//);
    expect(problems({ url: 'mqtts://x:1', cert: 'c.pem' })).toMatch(/broker\.key.*needs both cert and key/);
    expect(problems({ url: 'mqtt://x:1' }, { fleet: { viewerTransport: 'ws' } })).toMatch(/fleet\.viewerTransport.*set broker\.wsUrl/);
    expect(problems({ url: 'ws://x:1' }, { fleet: { cameraTransport: 'ws' } })).toBe('');
    expect(problems({ url: 'mqtt://x:1', thread: 'worker' })).toMatch(/broker\.thread.*external/);
    expect(problems({ url: 'mqtt://x:1' }, { clock: 'virtual' })).toMatch(/clock.*embedded broker/);
    expect(problems({ restartCommand: 'true' })).toMatch(/broker\.restartCommand.*set broker\.url too/);
  });
});

/** A client of the gate: counts what it was told. */
class Handler implements LinkHandler {
  readonly clientId: string;
  closed = 0;
  constructor(clientId: string) {
    this.clientId = clientId;
  }
  onLinkData(): void {}
  onLinkClose(): void {
    this.closed++;
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the client gate: faults against a broker crosswire does not own', () => {
  async function gated() {
    const server = new MemoryServerTransport();
    const accepted: Duplex[] = [];
    const inner = await server.listen((stream) => accepted.push(stream));
    const gate = new ClientGate();
    return { gate, transport: gate.wrap(inner), accepted };
  }

  it('drops every link at once and refuses new ones until reopened', async () => {
    const { gate, transport } = await gated();
    const handlers = ['a', 'b', 'c'].map((id) => new Handler(id));
    for (const h of handlers) transport.connect(h);
    expect(gate.openLinks).toBe(3);
    gate.setRefusing(true);
    expect(gate.dropAll()).toBe(3);
    expect(gate.openLinks).toBe(0);
    const late = new Handler('d');
    expect(transport.connect(late).refused).toBe(true);
    await tick();
    expect(handlers.map((h) => h.closed)).toEqual([1, 1, 1]);
    expect(late.closed).toBe(1);
    gate.setRefusing(false);
    expect(transport.connect(new Handler('e')).refused).toBeFalsy();
  });

  it('cuts only the clients named, until that cut is lifted', async () => {
    const { gate, transport } = await gated();
    for (const id of ['a', 'b']) transport.connect(new Handler(id));
    const cut = gate.cut(new Set(['a', 'z']));
    expect(cut.dropped).toBe(1);
    expect(transport.connect(new Handler('a')).refused).toBe(true);
    expect(transport.connect(new Handler('c')).refused).toBeFalsy();
    cut.restore();
    expect(transport.connect(new Handler('a')).refused).toBeFalsy();
    expect(gate.drop('b')).toBe(true);
    expect(gate.drop('b')).toBe(false);
  });

  it('an external broker without a restart command restarts as a cut; with one, it waits for it', async () => {
    const broker = new ExternalBroker({ url: 'mqtt://127.0.0.1:9', restartTimeout: 1000 }, {});
    expect(broker.thread).toBe('external');
    expect(await broker.stopForRestart()).toBe(0);
    expect(broker.isDown).toBe(true);
    await broker.startAfterRestart();
    expect(broker.isDown).toBe(false);
    await expect(runRestartCommand('exit 3', 1000)).rejects.toThrow(/exited with 3/);
    await expect(runRestartCommand('echo starting; sleep 2', 100)).rejects.toThrow(/did not finish within 100ms \(broker\.restartTimeout\): starting/);
    await expect(runRestartCommand('true', 1000)).resolves.toBeUndefined();
  });
});
