import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChaosProxy } from '../src/chaos/chaos-proxy.ts';
import { RecordingClient, startEchoServer, type EchoServer } from './support/loopback-fixtures.ts';
import { createRng } from '../src/rng/seeded-rng.ts';
import { sleep, within } from './support/async.ts';

/** Fails the test instead of hanging it: a generous cap, not a timing assertion. */

let echo: EchoServer;
let proxy: ChaosProxy;
const clients: RecordingClient[] = [];

async function client(): Promise<RecordingClient> {
  const c = await RecordingClient.connect(proxy.port);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  echo = await startEchoServer();
  proxy = await ChaosProxy.start({ upstream: { host: '127.0.0.1', port: echo.port }, rng: createRng(7, 'chaos-proxy') });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await proxy.close();
  await echo.close();
});

describe('chaos proxy without toxics', () => {
  it('passes bytes through unchanged both ways, many chunks and a large payload', async () => {
    const c = await client();
    const parts: Buffer[] = [];
    for (let i = 0; i < 500; i++) {
      const part = randomBytes(1 + (i % 97) * 13);
      parts.push(part);
      c.send(part);
    }
    const large = randomBytes(8 * 1024 * 1024);
    parts.push(large);
    c.send(large);
    const sent = Buffer.concat(parts);
    await within(c.until(sent.length), 20_000, 'the echo');
    expect(c.data.equals(sent)).toBe(true);
    c.socket.end();
    await within(c.closed, 5_000, 'close');
    expect(c.ended).toBe(true);
    expect(proxy.stats).toMatchObject({ connectionsOpened: 1, bytesUpstream: sent.length, bytesDownstream: sent.length, resets: 0 });
  });

  it('gives each client its own upstream connection and forgets closed ones', async () => {
    const cs = await Promise.all([client(), client(), client()]);
    cs.forEach((c, i) => c.send(`hello ${i}`));
    await within(Promise.all(cs.map((c) => c.until(7))), 5_000, 'echoes');
    expect(cs.map((c) => c.data.toString())).toEqual(['hello 0', 'hello 1', 'hello 2']);
    expect(echo.connections).toBe(3);
    for (const c of cs) c.socket.end();
    await within(Promise.all(cs.map((c) => c.closed)), 5_000, 'closes');
    await within(waitFor(() => proxy.stats.connectionsOpen === 0), 5_000, 'links gone');
  });

  it('keeps the reverse direction open after the client half-closes, FIN after the data', async () => {
    proxy.addToxic({ type: 'latency', direction: 'upstream', attributes: { latency: 100 } });
    const c = await client();
    c.send('last words');
    c.socket.end();
    await within(c.closed, 5_000, 'close');
    expect(c.data.toString()).toBe('last words');
    expect(c.ended).toBe(true);
  });

  it('tears the pair down quietly when the server is not there', async () => {
    await echo.close();
    const c = await client();
    c.send('anyone?');
    await within(c.closed, 5_000, 'close');
    expect(c.received).toBe(0);
    await within(waitFor(() => proxy.stats.connectionsOpen === 0), 5_000, 'links gone');
  });
});

describe('toxics', () => {
  it('latency delays every reply by at least the latency, jitter included', async () => {
    proxy.addToxic({ type: 'latency', direction: 'downstream', attributes: { latency: 150, jitter: 50 } });
    const c = await client();
    for (let i = 1; i <= 5; i++) {
      const start = performance.now();
      c.send('ping\n');
      await within(c.until(5 * i), 5_000, 'reply');
      expect(performance.now() - start).toBeGreaterThanOrEqual(100);
    }
    expect(c.data.toString()).toBe('ping\n'.repeat(5));
  });

  it('latency with jitter keeps the byte order', async () => {
    proxy.addToxic({ type: 'latency', direction: 'upstream', attributes: { latency: 20, jitter: 20 } });
    const c = await client();
    const parts: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      parts.push(Buffer.from(`message ${i};`));
      c.send(parts[i]);
      await sleep(1);
    }
    const sent = Buffer.concat(parts);
    await within(c.until(sent.length), 5_000, 'echo');
    expect(c.data.toString()).toBe(sent.toString());
  });

  it('timeout blackholes the data, then closes after the timeout', async () => {
    proxy.addToxic({ type: 'timeout', direction: 'upstream', attributes: { timeout: 300 } });
    const c = await client();
    const start = performance.now();
    c.send('lost\n');
    await within(c.closed, 5_000, 'close');
    expect(performance.now() - start).toBeGreaterThanOrEqual(250);
    expect(c.received).toBe(0);
    expect(c.ended).toBe(true);
    expect(c.errorCode).toBeUndefined();
  });

  it('timeout 0 holds the connection open and silent until removed', async () => {
    const id = proxy.addToxic({ type: 'timeout', direction: 'downstream', attributes: { timeout: 0 } });
    const c = await client();
    c.send('swallowed\n');
    await sleep(300);
    expect(c.received).toBe(0);
    expect(c.ended).toBe(false);
    proxy.removeToxic(id);
    c.send('through\n');
    await within(c.until(8), 5_000, 'the healed reply');
    expect(c.data.toString()).toBe('through\n');
  });

  it('reset_peer resets both sides with a request in flight', async () => {
    proxy.addToxic({ type: 'reset_peer', direction: 'downstream', attributes: { timeout: 100 } });
    const c = await client();
    const start = performance.now();
    c.send('GET owner:A\r\n');
    await within(c.closed, 5_000, 'reset');
    expect(performance.now() - start).toBeGreaterThanOrEqual(90);
    expect(c.errorCode).toBe('ECONNRESET');
    expect(c.received).toBe(0);
    await within(waitFor(() => echo.errors.includes('ECONNRESET')), 5_000, 'the server side reset');
    expect(proxy.stats.resets).toBe(1);
  });

  it('reset_peer with timeout 0 resets on the next data', async () => {
    proxy.addToxic({ type: 'reset_peer', direction: 'upstream', attributes: { timeout: 0 } });
    const c = await client();
    await sleep(100);
    expect(c.errorCode).toBeUndefined();
    c.send('GET owner:B\r\n');
    await within(c.closed, 5_000, 'reset');
    expect(c.errorCode).toBe('ECONNRESET');
  });

  it('slow_close delays the FIN', async () => {
    proxy.addToxic({ type: 'slow_close', direction: 'downstream', attributes: { delay: 300 } });
    const c = await client();
    c.send('bye\n');
    await within(c.until(4), 5_000, 'reply');
    const start = performance.now();
    c.socket.end();
    await within(c.closed, 5_000, 'close');
    expect(performance.now() - start).toBeGreaterThanOrEqual(250);
    expect(c.ended).toBe(true);
    expect(c.data.toString()).toBe('bye\n');
  });

  it('bandwidth makes N KB take at least N/rate seconds', async () => {
    proxy.addToxic({ type: 'bandwidth', direction: 'downstream', attributes: { rate: 100 } });
    const c = await client();
    const payload = randomBytes(50_000);
    const start = performance.now();
    c.send(payload);
    await within(c.until(payload.length), 10_000, 'the slow reply');
    expect(performance.now() - start).toBeGreaterThanOrEqual(480);
    expect(c.data.equals(payload)).toBe(true);
    expect(c.chunks.length).toBeGreaterThan(1);
  });

  it('slicer delivers the same bytes in more, smaller chunks', async () => {
    proxy.addToxic({ type: 'slicer', direction: 'downstream', attributes: { average_size: 100, size_variation: 20, delay: 2000 } });
    const c = await client();
    const payload = randomBytes(10_000);
    c.send(payload);
    await within(c.until(payload.length), 10_000, 'the sliced reply');
    expect(c.data.equals(payload)).toBe(true);
    expect(c.chunks.length).toBeGreaterThan(20);
    const sizes = c.chunks.map((b) => b.length).sort((a, b) => a - b);
    expect(sizes[Math.floor(sizes.length / 2)]).toBeLessThanOrEqual(120);
  });

  it('limit_data closes after exactly the limit', async () => {
    proxy.addToxic({ type: 'limit_data', direction: 'downstream', attributes: { bytes: 1000 } });
    const c = await client();
    const payload = randomBytes(5000);
    c.send(payload.subarray(0, 600));
    await within(c.until(600), 5_000, 'first part');
    c.send(payload.subarray(600));
    await within(c.closed, 5_000, 'close');
    expect(c.received).toBe(1000);
    expect(c.data.equals(payload.subarray(0, 1000))).toBe(true);
    expect(c.ended).toBe(true);
  });

  it('composes toxics on one direction in the order added', async () => {
    const traced: string[] = [];
    await proxy.close();
    proxy = await ChaosProxy.start({
      upstream: { host: '127.0.0.1', port: echo.port },
      rng: createRng(7, 'compose'),
      trace: (e) => e.what === 'pieces' && traced.push(e.toxic!),
    });
    proxy.addToxic({ type: 'latency', attributes: { latency: 100 } });
    proxy.addToxic({ type: 'slicer', attributes: { average_size: 10, size_variation: 2, delay: 0 } });
    const c = await client();
    const start = performance.now();
    c.send('0123456789'.repeat(10));
    await within(c.until(100), 5_000, 'reply');
    expect(performance.now() - start).toBeGreaterThanOrEqual(90);
    expect(c.data.toString()).toBe('0123456789'.repeat(10));
    expect(traced).toEqual(['slicer_downstream']);
    expect(proxy.toxics().map((t) => t.id)).toEqual(['latency_downstream', 'slicer_downstream']);
  });
});

/** Polls a condition every 10 ms (the caller bounds it with within()). */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}
