import { describe, expect, it } from 'vitest';
import { Registry } from '../src/registry/registry.ts';
import { checkOneProcessLayout, checkWorkerLayout, workerLayout } from '../src/runner/worker-capacity.ts';
import { identitiesSchema, fleetSchema, socketCapacity } from '../src/scenario/schema.ts';

function registry(fleet: Record<string, unknown>): Registry {
  return Registry.generate(7, { ...fleetSchema.parse(fleet), identities: identitiesSchema.parse({}) });
}

describe('workers: sockets per process', () => {
  it('counts every camera and viewer once, in the worker that runs its account', () => {
    const r = registry({ devices: 3000 });
    const viewers = r.viewersPerAccount.reduce((a, b) => a + b, 0);
    for (const n of [1, 2, 3]) {
      const layout = workerLayout(r, n);
      expect(layout.workers).toHaveLength(n);
      expect(layout.workers.reduce((a, w) => a + w.cameras, 0)).toBe(3000);
      expect(layout.workers.reduce((a, w) => a + w.viewers, 0)).toBe(viewers);
      // the parent holds one end of every broker connection, whatever n
      expect(layout.parentSockets).toBe(3000 + viewers + 2 * n);
    }
  });

  it('19,000 cameras fit one worker with few viewers, not with the default ones', () => {
    const few = workerLayout(registry({ devices: 19_000, devicesPerAccount: { min: 60, max: 90 }, viewersPerAccount: { min: 1, max: 1 } }), 1);
    expect(() => checkWorkerLayout(few, 'test')).not.toThrow();
    const many = workerLayout(registry({ devices: 19_000 }), 1);
    expect(() => checkWorkerLayout(many, 'flag --workers')).toThrow(/flag --workers: fleet\.devices: 19000 cameras and \d+ viewers need \d+ broker connections/);
  });

  it('the schema bound follows the layout: one process, workers, shards against an external broker', () => {
    expect(socketCapacity({ broker: {} }).devices).toBe(8_000);
    expect(socketCapacity({ broker: {}, workers: 4 }).devices).toBe(19_000);
    expect(socketCapacity({ broker: { url: 'mqtt://mq:1883' } }).devices).toBe(19_000);
    expect(socketCapacity({ broker: { url: 'mqtt://mq:1883' }, shard: '0/3' }).devices).toBe(57_000);
  });
});

describe('one process: both ends of every socket', () => {
  const tcp = { transport: 'tcp', cameraTransport: 'fleet', viewerTransport: 'fleet' };
  it('8,000 TCP cameras with the default viewers need more descriptors than one process holds', () => {
    expect(() => checkOneProcessLayout(registry({ devices: 8000 }), tcp, 'flag --devices')).toThrow(
      /flag --devices: fleet\.devices: 8000 cameras and \d+ viewers over sockets need \d+ descriptors in one process/,
    );
  });
  it('a fleet that fits, or one on the memory transport, passes', () => {
    expect(() => checkOneProcessLayout(registry({ devices: 6000 }), tcp, 'x')).not.toThrow();
    expect(() => checkOneProcessLayout(registry({ devices: 8000 }), { ...tcp, transport: 'memory' }, 'x')).not.toThrow();
  });
});
