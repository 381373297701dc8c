import { describe, expect, it } from 'vitest';
import type { BlockedLeak, DropReason, OwnerTrace } from '../src/history/evidence.ts';
import { Credentials } from '../src/registry/credentials.ts';
import type { OwnershipRecord } from '../src/registry/registry.ts';
import { createWatermarker } from '../src/registry/watermark.ts';
import type { VerifyMode } from '../src/scenario/schema.ts';
import { OwnerResolver, type OwnerCache, type OwnerSource } from '../src/service/owner-resolver.ts';
import type { ServiceObserver } from '../src/service/service-observer.ts';
import { TapServer } from '../src/service/tap-server.ts';
import { WriteBackGuard } from '../src/service/write-back-guard.ts';

/** The reference service's parts, one at a time: the resolver's paths, the guard's rules, the tap handler. */

type Call = { op: 'get' | 'set' | 'delete'; key: string; value?: string };

/** A Map cache that answers at once, records every call, and can be told to fail or to answer falsely. */
class StubCache implements OwnerCache {
  readonly data = new Map<string, string>();
  readonly calls: Call[] = [];
  failing = false;
  answer: ((key: string) => string | undefined) | undefined;
  private id = 0;

  async get(key: string) {
    this.calls.push({ op: 'get', key });
    if (this.failing) throw Object.assign(new Error('down'), { cacheOp: { id: ++this.id } });
    return { value: this.answer ? this.answer(key) : this.data.get(key), op: { id: ++this.id } };
  }
  async set(key: string, value: string) {
    this.calls.push({ op: 'set', key, value });
    if (this.failing) throw Object.assign(new Error('down'), { cacheOp: { id: ++this.id } });
    this.data.set(key, value);
    return { id: ++this.id };
  }
  async delete(key: string) {
    this.calls.push({ op: 'delete', key });
    if (this.failing) throw Object.assign(new Error('down'), { cacheOp: { id: ++this.id } });
    this.data.delete(key);
    return { id: ++this.id };
  }
}

/** cam-1 was owned by acct-a from 0, by acct-b from 1000. */
class StubSource implements OwnerSource {
  now = 2000;
  lookups = 0;
  async lookup(deviceId: string, t = this.now): Promise<OwnershipRecord | undefined> {
    this.lookups++;
    if (deviceId !== 'cam-1') return undefined;
    return t >= 1000 ? { deviceId, owner: 'acct-b', since: 1000 } : { deviceId, owner: 'acct-a', since: 0 };
  }
}

const record = (owner: string, since: number, deviceId = 'cam-1') => JSON.stringify({ deviceId, owner, since });

function resolver(verify: VerifyMode = 'none') {
  const cache = new StubCache();
  const source = new StubSource();
  return { cache, source, resolver: new OwnerResolver(cache, source, { toRealMs: (ms) => ms }, verify, 60_000) };
}

describe('OwnerResolver', () => {
  it('loads a miss from the source of truth and writes it back; the next lookup is a hit', async () => {
    const { cache, resolver: r } = resolver();
    expect(await r.resolve('cam-1', 1500)).toMatchObject({ owner: 'acct-b', trace: { source: 'source-of-truth' } });
    expect(cache.data.get('owner:cam-1')).toBe(record('acct-b', 1000));
    expect(await r.resolve('cam-1', 1600)).toMatchObject({ owner: 'acct-b', trace: { source: 'cache' } });
  });

  it('asks history for an event older than the cached ownership, and does not cache it', async () => {
    const { cache, resolver: r } = resolver();
    cache.data.set('owner:cam-1', record('acct-b', 1000));
    expect(await r.resolve('cam-1', 500)).toMatchObject({ owner: 'acct-a', trace: { source: 'history' } });
    expect(cache.data.get('owner:cam-1')).toBe(record('acct-b', 1000));
  });

  it('trusts the cache with verify none (the vulnerable setup): a wrong owner goes through', async () => {
    const { cache, resolver: r } = resolver('none');
    cache.data.set('owner:cam-1', record('acct-z', 0));
    expect((await r.resolve('cam-1', 1500)).owner).toBe('acct-z');
  });

  it('envelope: refuses a value that names another device, and reports what it blocked', async () => {
    const { cache, resolver: r } = resolver('envelope');
    cache.data.set('owner:cam-1', record('acct-z', 0, 'cam-9'));
    const { owner, trace } = await r.resolve('cam-1', 1500);
    expect(owner).toBe('acct-b');
    expect(trace.blocked).toMatchObject({ layer: 'envelope', claimed: 'cam-9', trueOwner: 'acct-b' });
  });

  it('source-of-truth: re-checks a cached owner and blocks a stale one', async () => {
    const { cache, resolver: r } = resolver('source-of-truth');
    cache.data.set('owner:cam-1', record('acct-a', 0));
    const { owner, trace } = await r.resolve('cam-1', 1500);
    expect(owner).toBe('acct-b');
    expect(trace.blocked).toMatchObject({ layer: 'source-of-truth', claimed: 'acct-a', trueOwner: 'acct-b' });
  });

  it('treats garbage as a miss and counts it', async () => {
    const { cache, resolver: r } = resolver();
    cache.data.set('owner:cam-1', '+OK');
    expect((await r.resolve('cam-1', 1500)).owner).toBe('acct-b');
    expect(r.garbageValues).toBe(1);
  });

  it('a failed lookup falls back to the source of truth, counted as a cache error', async () => {
    const { cache, resolver: r } = resolver();
    cache.failing = true;
    expect((await r.resolve('cam-1', 1500)).owner).toBe('acct-b');
    expect(r.cacheErrors).toBe(2); // the get and the write-back
  });

  it('a failed invalidation is owed: the key is not read until a later delete is acknowledged', async () => {
    const { cache, resolver: r } = resolver();
    cache.data.set('owner:cam-1', record('acct-a', 0));
    cache.failing = true;
    await r.invalidate('cam-1');
    cache.failing = false;
    cache.calls.length = 0;
    // bypasses the cache (the old owner is still in it) and pays the debt in the background
    expect((await r.resolve('cam-1', 1500)).owner).toBe('acct-b');
    expect(cache.calls.filter((c) => c.op === 'get')).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.calls).toContainEqual({ op: 'delete', key: 'owner:cam-1' });
    // debt paid: the key is read again, and holds the new owner
    expect(await r.resolve('cam-1', 1600)).toMatchObject({ owner: 'acct-b' });
    expect(cache.calls.some((c) => c.op === 'get')).toBe(true);
    expect(r.guardedDevices).toBe(0);
  });
});

describe('WriteBackGuard', () => {
  it('distrusts a write-back in flight when an invalidation begins, and only that value', () => {
    const g = new WriteBackGuard();
    const token = g.loadBegins('cam-1');
    expect(g.mayWriteBack('cam-1', token)).toBe(true);
    g.writeBegins('cam-1', 'old');
    g.invalidationBegins('cam-1');
    expect(g.readable('cam-1')).toBe(false);
    g.deleteEnds('cam-1', true);
    g.writeEnds('cam-1', 'old', true);
    g.loadEnds('cam-1');
    expect(g.readable('cam-1')).toBe(true);
    expect(g.distrusted('cam-1', 'old')).toBe(true);
    expect(g.distrusted('cam-1', 'new')).toBe(false);
  });

  it('refuses a write-back from a load that straddled an invalidation', () => {
    const g = new WriteBackGuard();
    const token = g.loadBegins('cam-1');
    g.invalidationBegins('cam-1');
    g.deleteEnds('cam-1', true);
    expect(g.mayWriteBack('cam-1', token)).toBe(false);
    g.loadEnds('cam-1');
    expect(g.size).toBe(0);
  });

  it('a write-back that failed before an invalidation is distrusted from that invalidation on', () => {
    const g = new WriteBackGuard();
    g.loadBegins('cam-1');
    g.writeBegins('cam-1', 'old');
    g.writeEnds('cam-1', 'old', false);
    g.loadEnds('cam-1');
    expect(g.distrusted('cam-1', 'old')).toBe(false);
    g.invalidationBegins('cam-1');
    g.deleteEnds('cam-1', true);
    expect(g.distrusted('cam-1', 'old')).toBe(true);
  });
});

class RecordingObserver implements ServiceObserver {
  served: [number, string][] = [];
  blockedLeaks: BlockedLeak[] = [];
  eventReceived(): void {}
  linkClosed(): void {}
  eventRouted(_e: number, _a: string, _t: OwnerTrace): void {}
  eventDropped(_e: number, _r: DropReason): void {}
  blocked(leak: BlockedLeak): void {
    this.blockedLeaks.push(leak);
  }
  tapServed(eventId: number, accountId: string): void {
    this.served.push([eventId, accountId]);
  }
}

describe('TapServer.answer (GET /events/{id}/video)', () => {
  const credentials = new Credentials(Buffer.alloc(32, 7));
  const watermarker = createWatermarker(Buffer.alloc(32, 9));
  function server() {
    const { resolver: r } = resolver();
    const observer = new RecordingObserver();
    const clips = { eventMeta: (id: number) => (id === 42 ? { deviceId: 'cam-1', publishedAt: 1500 } : undefined) };
    const clock = { now: () => 2000 } as never;
    return { tap: new TapServer({ credentials, resolver: r, clips, watermarker, observer, clock }), observer };
  }
  const bearer = (account: string) => `Bearer ${credentials.tapToken(account)}`;

  it('serves the owner a watermarked clip and reports it', async () => {
    const { tap, observer } = server();
    const answer = await tap.answer('/events/42/video', bearer('acct-b'));
    expect(answer.status).toBe(200);
    const check = watermarker.decode(answer.body);
    expect(check).toMatchObject({ ok: true, watermark: { kind: 'clip', deviceId: 'cam-1', eventId: 42, publishedAt: 1500 } });
    expect(observer.served).toEqual([[42, 'acct-b']]);
  });

  it('refuses another account (403), a bad token (401), an unknown event or path (404)', async () => {
    const { tap, observer } = server();
    expect((await tap.answer('/events/42/video', bearer('acct-a'))).status).toBe(403);
    expect((await tap.answer('/events/42/video', 'Bearer acct-b.forged')).status).toBe(401);
    expect((await tap.answer('/events/7/video', bearer('acct-b'))).status).toBe(404);
    expect((await tap.answer('/nope', bearer('acct-b'))).status).toBe(404);
    expect(observer.served).toEqual([]);
  });
});
