import type { z } from 'zod';
import { cacheAdapters } from '../cache/builtin-adapters.ts';

/** Which clock a scenario runs on, and the scenario fields that rule a virtual clock out. */
export type ClockFields = {
  clock: 'auto' | 'real' | 'virtual';
  fleet: { transport: string; backoff: { kind: string }; cameraTransport?: string; viewerTransport?: string };
  cache: { adapter: string };
  broker?: { url?: string };
};

/**
 * Why a scenario cannot run on a virtual clock, if it cannot: it would wait for sockets or
 * servers, or (backoff none) retry at the very instant a connect failed, so virtual time would
 * never move on. Reported at `path` when the scenario asks for a virtual clock.
 */
function virtualClockObstacle(s: ClockFields): { path: string[]; message: string } | undefined {
  const clock = (why: string) => ({ path: ['clock'], message: `clock: virtual ${why}` });
  if (s.broker?.url !== undefined) return clock('needs the embedded broker; broker.url names one it would wait on');
  if (s.fleet.transport !== 'memory') return clock(`needs fleet.transport: memory (found ${s.fleet.transport})`);
  if (s.fleet.cameraTransport === 'ws' || s.fleet.viewerTransport === 'ws') return clock('needs the memory transport for everyone; WebSocket clients use sockets');
  const adapter = cacheAdapters.get(s.cache.adapter);
  if (adapter === undefined) return clock(`needs a built-in in-process cache; a module adapter may do real I/O`);
  if (adapter.server !== undefined) return clock(`needs an in-process cache; ${s.cache.adapter} talks to a server`);
  if (s.fleet.backoff.kind === 'none') {
    return {
      path: ['fleet', 'backoff', 'kind'],
      message:
        'none reconnects at the instant a connect fails, and on clock: virtual that instant never ends; ' +
        'use clock: real (auto picks it for this backoff), or kind: fixed with a small base such as 1ms',
    };
  }
  return undefined;
}

/** The clock a scenario runs on: `auto` is virtual wherever that is possible. */
export function clockModeOf(s: ClockFields): 'real' | 'virtual' {
  if (s.clock !== 'auto') return s.clock;
  return virtualClockObstacle(s) === undefined ? 'virtual' : 'real';
}

/** A broker thread needs the memory transport and a real clock (a virtual one would not see its work). */
export function checkBrokerThread(s: ClockFields & { broker: { thread: string } }, ctx: z.RefinementCtx): void {
  if (s.broker.thread !== 'worker') return;
  if (s.broker.url !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['broker', 'thread'], message: 'worker runs the embedded broker; broker.url names an external one' });
  } else if (s.fleet.cameraTransport === 'ws' || s.fleet.viewerTransport === 'ws') {
    ctx.addIssue({ code: 'custom', path: ['broker', 'thread'], message: 'worker serves the memory transport only; fleet.cameraTransport or fleet.viewerTransport asks for ws' });
  } else if (s.fleet.transport !== 'memory') {
    ctx.addIssue({ code: 'custom', path: ['broker', 'thread'], message: `worker needs fleet.transport: memory (found ${s.fleet.transport})` });
  } else if (clockModeOf(s) === 'virtual') {
    ctx.addIssue({ code: 'custom', path: ['broker', 'thread'], message: 'worker needs a real clock (set clock: real); a virtual clock runs everything in one thread' });
  }
}

export function checkVirtualClock(s: ClockFields, ctx: z.RefinementCtx): void {
  const obstacle = s.clock === 'virtual' ? virtualClockObstacle(s) : undefined;
  if (obstacle) ctx.addIssue({ code: 'custom', path: obstacle.path, message: obstacle.message });
}
