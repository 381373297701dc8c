import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChaosProxy } from '../src/chaos/chaos-proxy.ts';
import { RecordingClient, startEchoServer, type EchoServer } from './support/loopback-fixtures.ts';
import type { ChaosTraceEvent } from '../src/chaos/toxic.ts';
import { createRng } from '../src/rng/seeded-rng.ts';
import { sleep, within } from './support/async.ts';

/** Fails the test instead of hanging it: a generous cap, not a timing assertion. */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}

let echo: EchoServer;
const proxies: ChaosProxy[] = [];
const clients: RecordingClient[] = [];

async function startProxy(seed = 7, trace?: (e: ChaosTraceEvent) => void): Promise<ChaosProxy> {
  const proxy = await ChaosProxy.start({ upstream: { host: '127.0.0.1', port: echo.port }, rng: createRng(seed, 'chaos-proxy'), trace });
  proxies.push(proxy);
  return proxy;
}
async function client(proxy: ChaosProxy): Promise<RecordingClient> {
  const c = await RecordingClient.connect(proxy.port);
  clients.push(c);
  return c;
}
/** One request/reply round trip on a fresh connection, then a clean close. */
async function roundTrip(proxy: ChaosProxy, message: string): Promise<RecordingClient> {
  const c = await client(proxy);
  c.send(message);
  await within(c.until(message.length), 5_000, 'echo');
  c.socket.end();
  await within(c.closed, 5_000, 'close');
  return c;
}

beforeEach(async () => {
  echo = await startEchoServer();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const p of proxies.splice(0)) await p.close();
  await echo.close();
});

describe('managing toxics', () => {
  it('refuses an unknown toxic, naming the known ones, and unknown attributes', async () => {
    const proxy = await startProxy();
    expect(() => proxy.addToxic({ type: 'latnecy' })).toThrow(/unknown toxic "latnecy"; known toxics: bandwidth, latency, limit_data, reset_peer, slicer, slow_close, timeout/);
    expect(() => proxy.addToxic({ type: 'latency', attributes: { latency_ms: 5 } })).toThrow(/unknown attribute "latency_ms"; known attributes: latency, jitter/);
    expect(() => proxy.addToxic({ type: 'latency', toxicity: 1.5 })).toThrow(/toxicity/);
    expect(() => proxy.addToxic({ type: 'latency', attributes: { latency: -1 } })).toThrow(/>= 0/);
    expect(proxy.addToxic({ type: 'latency' })).toBe('latency_downstream');
    expect(proxy.addToxic({ type: 'latency' })).toBe('latency_downstream_2');
    expect(proxy.addToxic({ type: 'latency', direction: 'upstream', name: 'slow-requests' })).toBe('slow-requests');
    expect(() => proxy.addToxic({ type: 'latency', name: 'slow-requests' })).toThrow(/already active/);
    expect(proxy.removeToxic('nope')).toBe(false);
    proxy.removeAll();
    expect(proxy.toxics()).toEqual([]);
  });

  it('toxicity 0 never applies, 1 always does', async () => {
    const proxy = await startProxy();
    proxy.addToxic({ type: 'timeout', direction: 'upstream', toxicity: 0, attributes: { timeout: 0 } });
    proxy.addToxic({ type: 'latency', direction: 'downstream', toxicity: 1, attributes: { latency: 1 } });
    for (let i = 0; i < 20; i++) {
      const c = await roundTrip(proxy, `ping ${i}`);
      expect(c.data.toString()).toBe(`ping ${i}`);
    }
    expect(proxy.stats).toMatchObject({ connectionsOpened: 20, toxicsApplied: 20, toxicsSkipped: 20 });
  });

  it('a toxic added while a connection is open applies to it, and removing it heals', async () => {
    const proxy = await startProxy();
    const c = await client(proxy);
    c.send('before\n');
    await within(c.until(7), 5_000, 'first echo');
    const id = proxy.addToxic({ type: 'timeout', direction: 'upstream', attributes: { timeout: 0 } });
    c.send('swallowed\n');
    await sleep(300);
    expect(c.received).toBe(7);
    proxy.removeToxic(id);
    c.send('after\n');
    await within(c.until(13), 5_000, 'healed echo');
    expect(c.data.toString()).toBe('before\nafter\n');
  });

  it('removing a latency toxic releases what it holds at once, in order', async () => {
    const proxy = await startProxy();
    const c = await client(proxy);
    const id = proxy.addToxic({ type: 'latency', direction: 'downstream', attributes: { latency: 60_000 } });
    c.send('held 1;');
    c.send('held 2;');
    await waitFor(() => proxy.stats.bytesUpstream === 14);
    await sleep(50);
    expect(c.received).toBe(0);
    proxy.removeToxic(id);
    c.send('free;');
    await within(c.until(19), 10_000, 'released data');
    expect(c.data.toString()).toBe('held 1;held 2;free;');
  });

  it('resetAll sends RST to every open connection, requests in flight', async () => {
    const proxy = await startProxy();
    proxy.addToxic({ type: 'latency', direction: 'downstream', attributes: { latency: 60_000 } });
    const cs = await Promise.all([1, 2, 3, 4, 5].map(() => client(proxy)));
    cs.forEach((c) => c.send('GET owner:A\r\n'));
    await waitFor(() => proxy.stats.bytesUpstream === 5 * 13);
    expect(proxy.resetAll()).toBe(5);
    await within(Promise.all(cs.map((c) => c.closed)), 5_000, 'resets');
    expect(cs.map((c) => c.errorCode)).toEqual(Array(5).fill('ECONNRESET'));
    expect(proxy.stats.resets).toBe(5);
  });

  it('a reset from the server reaches the client as a reset', async () => {
    const rude = net.createServer((s) => s.on('data', () => s.resetAndDestroy()));
    await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r));
    const proxy = await ChaosProxy.start({ upstream: { host: '127.0.0.1', port: (rude.address() as net.AddressInfo).port }, rng: createRng(1) });
    proxies.push(proxy);
    const c = await client(proxy);
    c.send('hello');
    await within(c.closed, 5_000, 'reset');
    expect(c.errorCode).toBe('ECONNRESET');
    await new Promise<void>((r) => rude.close(() => r()));
  });
});

describe('fresh draws', () => {
  it('a toxic removed and added again draws afresh for the same connections', async () => {
    const rounds: number[][] = [[], []];
    let round = 0;
    const proxy = await startProxy(11, (e) => e.what === 'applied' && rounds[round].push(e.link));
    for (let i = 0; i < 40; i++) await client(proxy);
    await within(waitFor(() => proxy.stats.connectionsOpen === 40), 5_000, 'connections');
    const id = proxy.addToxic({ type: 'slow_close', toxicity: 0.5 });
    proxy.removeToxic(id);
    round = 1;
    expect(proxy.addToxic({ type: 'slow_close', toxicity: 0.5 })).toBe(id);
    expect(rounds[0].length).toBeGreaterThan(5);
    expect(rounds[1]).not.toEqual(rounds[0]);
  });
});

describe('enable / disable', () => {
  it('disabled: open connections dropped, new ones refused; enabled: back on the same port', async () => {
    const proxy = await startProxy();
    const port = proxy.port;
    const open = await client(proxy);
    await proxy.setEnabled(false);
    await within(open.closed, 5_000, 'drop');
    expect(open.ended).toBe(true);
    await expect(RecordingClient.connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(proxy.stats.enabled).toBe(false);
    await proxy.setEnabled(true);
    expect(proxy.port).toBe(port);
    const c = await roundTrip(proxy, 'back');
    expect(c.data.toString()).toBe('back');
  });

  it("refuse: 'reset' keeps the port and resets new connections; drop: 'reset' resets open ones", async () => {
    const proxy = await startProxy();
    const open = await client(proxy);
    await proxy.setEnabled(false, { refuse: 'reset', drop: 'reset' });
    await within(open.closed, 5_000, 'drop');
    expect(open.errorCode).toBe('ECONNRESET');
    // the RST may beat the client's own 'connect' event: either way it never gets through
    const late: RecordingClient | string = await RecordingClient.connect(proxy.port).catch((error: NodeJS.ErrnoException) => String(error.code));
    if (typeof late === 'string') expect(late).toBe('ECONNRESET');
    else {
      clients.push(late);
      late.send('anyone?');
      await within(late.closed, 5_000, 'reset');
      expect(late.received).toBe(0);
    }
    expect(proxy.stats.connectionsRejected).toBe(1);
    await proxy.setEnabled(true);
    expect((await roundTrip(proxy, 'back')).data.toString()).toBe('back');
  });

  it('flapping without awaiting ends in the last state asked for', async () => {
    const proxy = await startProxy();
    void proxy.setEnabled(false);
    void proxy.setEnabled(true);
    void proxy.setEnabled(false);
    await proxy.setEnabled(true);
    expect((await roundTrip(proxy, 'ok')).data.toString()).toBe('ok');
  });
});

describe('determinism', () => {
  /** Which of 50 sequential connections a toxicity-0.5 toxic applied to. */
  async function appliedSet(seed: number): Promise<number[]> {
    const applied: number[] = [];
    const proxy = await startProxy(seed, (e) => e.what === 'applied' && applied.push(e.link));
    proxy.addToxic({ type: 'latency', toxicity: 0.5, attributes: { latency: 0 } });
    for (let i = 0; i < 50; i++) await roundTrip(proxy, 'x');
    return applied;
  }

  /** The jitter drawn for 20 sequential request/replies on one connection. */
  async function jitterDraws(seed: number): Promise<number[]> {
    const delays: number[] = [];
    const proxy = await startProxy(seed, (e) => e.what === 'delay' && delays.push(e.value!));
    proxy.addToxic({ type: 'latency', attributes: { latency: 5, jitter: 5 } });
    const c = await client(proxy);
    for (let i = 1; i <= 20; i++) {
      c.send('y');
      await within(c.until(i), 5_000, 'reply');
    }
    return delays;
  }

  it('the same seed applies a toxic to the same connections; another seed to others', async () => {
    const a = await appliedSet(42);
    const b = await appliedSet(42);
    const other = await appliedSet(43);
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(10);
    expect(a.length).toBeLessThan(40);
    expect(other).not.toEqual(a);
  });

  it('the same seed draws the same jitter; another seed other jitter', async () => {
    const a = await jitterDraws(42);
    const b = await jitterDraws(42);
    const other = await jitterDraws(43);
    expect(a).toHaveLength(20);
    expect(a).toEqual(b);
    expect(other).not.toEqual(a);
    expect(a.every((d) => d >= 0 && d <= 10)).toBe(true);
  });

  it('a toxic added mid-connection decides per connection as if it had been there from the start', async () => {
    const early: number[] = [];
    const late: number[] = [];
    const p1 = await startProxy(5, (e) => e.what === 'applied' && early.push(e.link));
    p1.addToxic({ type: 'slow_close', toxicity: 0.5 });
    const p2 = await startProxy(5, (e) => e.what === 'applied' && late.push(e.link));
    const c1 = await Promise.all(Array.from({ length: 10 }, () => client(p1)));
    const c2: RecordingClient[] = [];
    for (let i = 0; i < 10; i++) c2.push(await client(p2));
    await waitFor(() => p2.stats.connectionsOpened === 10 && p1.stats.connectionsOpened === 10);
    p2.addToxic({ type: 'slow_close', toxicity: 0.5 });
    expect(c1).toHaveLength(10);
    expect(late.sort((x, y) => x - y)).toEqual(early.sort((x, y) => x - y));
  });
});
