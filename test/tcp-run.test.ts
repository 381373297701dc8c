import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/runner/run-scenario.ts';
import { defaultScenario } from './support/default-scenario.ts';

/** The same storm over real loopback sockets: the TCP path end to end, a faulty cache caught too. */
describe('over TCP', () => {
  const tcp = (adapter: string) =>
    defaultScenario((s) => {
      s.fleet.transport = 'tcp';
      s.fleet.devices = 400;
      // loopback sockets cost real CPU: half the default speed leaves the ramp room on a busy machine
      s.timeScale = 5;
      s.cache.adapter = adapter;
    });

  it('passes with the memory cache, every camera back after the outage', async () => {
    const { summary } = await runScenario(await tcp('memory'));
    expect(summary.reasons).toEqual([]);
    expect(summary.verdict).toBe('PASS');
    expect(summary.fleet.transport).toBe('tcp');
    // the outage cut the fleet's real sockets: most of it (a loaded machine may still be ramping
    // up the rest when the outage comes), and every camera it cut came back
    expect(summary.storms[0].dropped).toBeGreaterThan(0.5 * summary.fleet.devices);
    expect(summary.storms[0].reconnectShare).toBeGreaterThanOrEqual(0.99);
  });

  it('fails with a faulty cache', async () => {
    const { summary } = await runScenario(await tcp('faulty:stale-owner'));
    expect(summary.verdict).toBe('FAIL');
    expect(summary.headline.foreignDeliveries).toBeGreaterThan(0);
  });
});
