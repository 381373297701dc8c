import { required, type Fault } from './fault.ts';

/**
 * Faults on the cache path (docs/mechanisms.md: "what a fault layer must offer"). Latency, outages
 * and resets act through the chaos proxy in front of the cache server; a restart stops and starts
 * the private server itself. Durations are scenario time; the proxy works in wall-clock time.
 */

export function cacheLatency(step: { latency: number; jitter: number; toxicity: number; duration: number }): Fault {
  let toxic: string | undefined;
  return {
    id: 'cache-latency',
    describe: () => `cache replies delayed ${step.latency}ms ± ${step.jitter}ms on ${Math.round(step.toxicity * 100)}% of connections for ${step.duration}ms`,
    inject(targets) {
      const proxy = required(targets.cacheProxy, 'cache-latency', 'a chaos proxy in front of the cache');
      toxic = proxy.addToxic({
        type: 'latency',
        direction: 'downstream',
        toxicity: step.toxicity,
        attributes: { latency: targets.toRealMs(step.latency), jitter: targets.toRealMs(step.jitter) },
      });
    },
    heal(targets) {
      if (toxic !== undefined) targets.cacheProxy?.removeToxic(toxic);
      toxic = undefined;
    },
  };
}

export function cacheOutage(step: { duration: number }): Fault {
  return {
    id: 'cache-outage',
    describe: () => `cache unreachable for ${step.duration}ms: connections dropped, new ones refused`,
    inject: (targets) => required(targets.cacheProxy, 'cache-outage', 'a chaos proxy in front of the cache').setEnabled(false),
    heal: (targets) => targets.cacheProxy?.setEnabled(true),
  };
}

export function cacheReset(step: { duration: number; every?: number }): Fault {
  let resets = 0;
  let stop: (() => void) | undefined;
  return {
    id: 'cache-reset',
    describe: () => `cache connections reset (RST, requests in flight)${step.every ? ` every ${step.every}ms for ${step.duration}ms` : ''}`,
    effect: () => `${resets} connections reset`,
    inject(targets) {
      const proxy = required(targets.cacheProxy, 'cache-reset', 'a chaos proxy in front of the cache');
      const reset = () => {
        resets += Number(proxy.resetAll() ?? 0);
      };
      reset();
      if (step.every !== undefined && step.every > 0 && step.duration > 0) stop = targets.every(step.every, reset);
    },
    heal() {
      stop?.();
      stop = undefined;
    },
  };
}

export function cacheRestart(step: { duration: number }): Fault {
  return {
    id: 'cache-restart',
    describe: () => `cache server stopped for ${step.duration}ms, then started empty on the same port`,
    inject: (targets) => required(targets.cacheServer, 'cache-restart', 'a private cache server').stop(),
    heal: (targets) => targets.cacheServer?.start(),
  };
}
