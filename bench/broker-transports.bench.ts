import { loadavg } from 'node:os';
import { runScenario } from '../src/runner/run-scenario.ts';
import { validateScenarioObject } from '../src/scenario/load-scenario.ts';
import type { RunSummary } from '../src/report/summary.ts';
import { startPrivateMosquitto, type PrivateMosquitto } from '../test/support/private-mosquitto.ts';
import { fixed, heading, int, table } from './format.ts';
import { machineInfo } from './machine.ts';

/**
 * One scenario, four ways onto the wire: the embedded broker over loopback TCP, then with the
 * viewers over WebSocket, then a private Mosquitto over TCP, then Mosquitto with WebSocket
 * viewers. Same seed and fleet; each set-up runs BENCH_REPEATS times (default 2), in turn.
 * Knobs: BENCH_BROKER_DEVICES (default 1000), BENCH_TIME_SCALE (default 4).
 */
const devices = Number(process.env.BENCH_BROKER_DEVICES ?? 1000);
const timeScale = Number(process.env.BENCH_TIME_SCALE ?? 4);
const repeats = Number(process.env.BENCH_REPEATS ?? 2);
const SEED = 1;
const fleetShape = { devices, devicesPerAccount: { min: 1, max: 6 }, viewersPerAccount: { min: 1, max: 2 } };

function scenario(broker: Record<string, unknown>, fleet: Record<string, unknown>) {
  return validateScenarioObject(
    {
      name: 'broker-transports',
      seed: SEED,
      timeScale,
      duration: '60s',
      drain: '5s',
      fleet: { devices, eventInterval: '5s', transport: 'tcp', ...fleet },
      broker,
      timeline: [
        { at: '20s', fault: 'broker-outage', duration: '10s' },
        { at: '40s', transfer: { share: 0.02 } },
      ],
    },
    'bench',
  );
}

interface Row {
  setup: string;
  summary: RunSummary;
  cpuSeconds: number;
}

async function measure(setup: string, make: () => ReturnType<typeof scenario>): Promise<Row> {
  const cpu = process.cpuUsage();
  const { summary } = await runScenario(make());
  const used = process.cpuUsage(cpu);
  return { setup, summary, cpuSeconds: (used.user + used.system) / 1e6 };
}

const machine = machineInfo();
console.log(heading(`broker transports: ${devices} cameras, time scale ${timeScale}, seed ${SEED}, ${repeats} run(s) each`));
console.log(`machine: ${machine.cpus}× ${machine.cpuModel}, load ${fixed(machine.loadAverage1m)}; node ${machine.node}`);
console.log(`command: node bench/broker-transports.bench.ts (BENCH_BROKER_DEVICES=${devices} BENCH_TIME_SCALE=${timeScale} BENCH_REPEATS=${repeats})\n`);

let mosquitto: PrivateMosquitto | undefined;
const rows: Row[] = [];
try {
  mosquitto = await startPrivateMosquitto({ seed: SEED, fleet: fleetShape });
  const m = mosquitto;
  const setups: Array<[string, () => ReturnType<typeof scenario>]> = [
    ['embedded aedes, TCP', () => scenario({}, {})],
    ['embedded aedes, TCP + WebSocket viewers', () => scenario({}, { viewerTransport: 'ws' })],
    ['Mosquitto 2, TCP', () => scenario({ url: m.url }, {})],
    ['Mosquitto 2, TCP + WebSocket viewers', () => scenario({ url: m.url, wsUrl: m.wsUrl }, { viewerTransport: 'ws' })],
  ];
  for (let r = 0; r < repeats; r++) for (const [name, make] of setups) rows.push(await measure(name, make));
} finally {
  await mosquitto?.stop();
}

console.log(
  table(
    ['set-up', 'verdict', 'cut', 'back', 'reconnect p50 / p99 (s)', 'peak connects/s', 'thumbnail p50 / p99 (ms)', 'delivered', 'crosswire CPU (s)', 'wall (s)'],
    rows.map(({ setup, summary: s, cpuSeconds }) => {
      const storm = s.storms[0];
      const t = s.thumbnailLatency;
      return [
        setup,
        s.verdict,
        int(storm?.dropped),
        int(storm?.reconnected),
        `${fixed((storm?.timeToReconnect.p50 ?? NaN) / 1000)} / ${fixed((storm?.timeToReconnect.p99 ?? NaN) / 1000)}`,
        int(storm?.connectsPerSecondPeak),
        `${int(t?.p50)} / ${int(t?.p99)}`,
        int(s.accounting.delivered),
        fixed(cpuSeconds, 1),
        fixed(s.realSeconds, 1),
      ];
    }),
  ),
);
for (const { setup, summary } of rows) if (summary.verdict !== 'PASS') console.log(`\n${setup}: ${summary.verdict}: ${summary.reasons.join('; ')}`);
console.log(`\nload average at the end: ${fixed(loadavg()[0])}`);
