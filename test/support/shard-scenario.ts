/**
 * The small storm the shard and worker tests run (an outage, a transfer; 3 s of wall clock at
 * 10×, over loopback TCP), named and cached as each test needs.
 */
export function smallStormScenario(name: string, cacheAdapter: string): string {
  return `name: ${name}
seed: 3
timeScale: 10
clock: real
duration: 30s
drain: 5s
fleet:
  devices: 150
  transport: tcp
  eventInterval: 4s
cache:
  adapter: ${cacheAdapter}
timeline:
  - at: 10s
    fault: broker-outage
    duration: 3s
  - at: 18s
    transfer:
      share: 0.1
`;
}
