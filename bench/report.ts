import type { HeapReport } from './heap-per-client.ts';
import type { MachineInfo } from './machine.ts';
import type { OracleShareResult } from './oracle-share.ts';
import { fixed, heading, int, kb, pct, table } from './format.ts';
import { connectionsPerCamera, runsOf, type StormPair, type TargetResult } from './targets.ts';

/** The printed part of the bench: one section per measurement, then the targets. */

/** A storm is machine-bound by design: less than this much CPU per wall second means it was starved. */
const CORE_FLOOR = 0.8;

export function machineSection(m: MachineInfo, command: string): string {
  const libs = Object.entries(m.libraries).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    heading('crosswire bench: reconnect storm, full pipeline vs bare aedes, same process, memory transport'),
    `  command : ${command}`,
    `  machine : ${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB RAM (${m.freeMemoryGB} GB free), ${m.os}`,
    `  load    : 1-min load average ${m.loadAverage1m} at start` +
      (m.loadAverage1mAtEnd === undefined ? '' : `, ${m.loadAverage1mAtEnd} at end (the bench itself keeps ≈1 core busy)`),
    `  runtime : node ${m.node} (V8 ${m.v8}), flags ${m.execArgv.join(' ') || '(none)'}`,
    `  libs    : ${libs}; git ${m.gitCommit ?? '?'} (+ uncommitted changes, if any)`,
  ].join('\n');
}

/** What the rates table reads from either bare baseline. */
interface Baseline {
  connectsPerSecond: number;
  stormSeconds: number;
  cpuMicrosPerConnect: number;
  stormCpuCores: number;
  connectionsPerCamera?: number;
}

export function stormSection(pairs: StormPair[]): string {
  const outcome = pairs.flatMap((p) =>
    runsOf(p).map(({ label, f }) => [
      int(p.devices),
      label,
      f ? int(f.viewers) : '–',
      f ? f.verdict : 'no result',
      f ? `${int(f.reconnected)}/${int(f.dropped)}` : '–',
      f ? pct(f.reconnectShare, 2) : '–',
      f ? int(f.timeToReconnectMs.p50) : '–',
      f ? int(f.timeToReconnectMs.p99) : '–',
      f ? int(f.timeToReconnectMs.max) : '–',
      f ? int(f.failedAttempts) : '–',
      f ? fixed(f.wallSeconds, 1) : '–',
    ]),
  );
  const rates = pairs.flatMap((p) =>
    runsOf(p).flatMap(({ label, f }) => {
      // the outage is compared with its like-for-like baseline first, then with one plain connection per camera
      const baselines: Array<[string, Baseline | undefined]> =
        label === 'outage' ? [['same herd', p.bareOutage], ['1 conn/camera', p.bare]] : [['1 conn/camera', p.bare]];
      return baselines.map(([name, b]) => [
        int(p.devices),
        label,
        name,
        f ? connectionsPerCamera(f) : '–',
        b ? fixed(b.connectionsPerCamera ?? 1) : '–',
        f ? int(f.connectsPerSecond) : '–',
        b ? int(b.connectsPerSecond) : '–',
        f && b ? `${fixed(f.connectsPerSecond / b.connectsPerSecond)}×` : '–',
        f ? fixed(f.stormSeconds) : '–',
        b ? fixed(b.stormSeconds, 3) : '–',
        f ? int(f.cpuMicrosPerConnect) : '–',
        b ? int(b.cpuMicrosPerConnect) : '–',
        f && b ? `${fixed(b.cpuMicrosPerConnect / f.cpuMicrosPerConnect)}×` : '–',
        f ? fixed(f.stormCpuCores) : '–',
        b ? fixed(b.stormCpuCores) : '–',
      ]);
    }),
  );
  const notes: string[] = [];
  for (const p of pairs) {
    const b = p.bare;
    if (p.failure) notes.push(`  ! ${int(p.devices)}: the child failed or did not finish: ${p.failure}`);
    for (const { label, f } of runsOf(p)) {
      if (!f) continue;
      notes.push(
        `  · ${int(p.devices)} ${label}: the run's own StormTracker rate (from the restore instant, incl. the wait for the next 1 s retry tick) ` +
          `mean ${int(f.trackerMeanPerSecond)}/s, peak 1-s bucket ${int(f.trackerPeakPerSecond)}/s; ` +
          `${int(f.acceptsAfterRestore)} connections accepted after the restore; first ${int(f.firstAcceptDelayMs)} ms after it; ` +
          `timeline: storm fault at ${f.plan.outageAt / 1000} s for ${f.plan.outageFor / 1000} s, run ${f.plan.duration / 1000} s (sized for ${int(f.plan.assumedRate)} cameras/s); ` +
          (f.brokerThread === 'worker' ? 'broker in its own worker thread (BENCH_BROKER_THREAD=worker)' : 'broker inline (one thread)'),
      );
      if (f.reasons.length > 0) notes.push(`    verdict reasons: ${f.reasons.join(' | ')}`);
      if (f.stormCpuCores < CORE_FLOOR) {
        notes.push(`  ! ${int(p.devices)} ${label}: the storm got less than ${CORE_FLOOR} of a core: other load slowed it; compare CPU per connect instead`);
      }
    }
    const o = p.bareOutage;
    if (o) {
      if (o.stormCpuCores < CORE_FLOOR) notes.push(`  ! ${int(p.devices)} bare, same herd: the storm got less than ${CORE_FLOOR} of a core: other load slowed it`);
      notes.push(
        `  · ${int(p.devices)} bare, same herd as the outage: ${int(o.devices)} cameras + ${int(o.viewers)} app sessions + 1 service; ` +
          `rounds ${o.rounds.map((r) => `${int(r)}/s`).join(', ')} (median reported); ${int(o.republished)} snapshots republished in the median round`,
      );
    }
    if (b) {
      if (b.stormCpuCores < CORE_FLOOR) notes.push(`  ! ${int(p.devices)} bare: the storm got less than ${CORE_FLOOR} of a core: other load slowed it`);
      notes.push(
        `  · ${int(p.devices)} bare: rounds ${b.rounds.map((r) => `${int(r)}/s`).join(', ')} (median reported); cold start into an empty broker ${int(b.coldConnectsPerSecond)}/s`,
      );
    }
  }
  return [
    heading('1. Storms through the full pipeline (fixed 1 s backoff, no jitter: a true thundering herd; timeScale 1)'),
    table(['cameras', 'storm', 'viewers', 'verdict', 'back/dropped', 'share', 'ttr p50 ms', 'p99 ms', 'max ms', 'failed attempts', 'wall s'], outcome),
    "  cameras = every camera cut off from the broker (the storm fault: a regional cut) and let back at once; service and app",
    '  sessions stay connected. outage = the broker down: cameras, app sessions and service all drop and come back in one herd.',
    "  ttr = time to reconnect, from the restore to the camera's CONNACK (scenario ms = real ms at timeScale 1)",
    heading('2. Connect rate: full pipeline vs bare aedes + raw mqtt-packet clients, same process, same transport, same N'),
    table(
      ['cameras', 'storm', 'baseline', 'full conn/cam', 'bare conn/cam', 'full cam/s', 'bare cam/s', 'full/bare', 'full storm s', 'bare storm s', 'full CPU µs/cam', 'bare CPU µs/cam', 'CPU bare/full', 'full cores', 'bare cores'],
      rates,
    ),
    '  cam/s = cameras reconnected per real second, from the first connection the broker accepts after the restore to the',
    '  last camera CONNACK (bare: first CONNECT to last camera CONNACK, median of 3 outage rounds). Baselines: "1 conn/camera" =',
    '  N raw clients, one plain connection each; "same herd" = the outage\'s like-for-like baseline: N raw cameras each',
    '  publishing its snapshot, every app session connecting and SUBSCRIBING, one service subscribed to devices/+/events',
    '  republishing each event to its owner\'s account topic. conn/cam = connections per camera in the herd. CPU µs =',
    '  process CPU (all threads) over the storm per camera; "CPU bare/full" is the same comparison in CPU instead of wall',
    '  time (robust to other load on the machine). cores = CPU / wall over the storm: ≈1 or more means machine-bound.',
    ...notes,
  ].join('\n');
}

export function heapSection(h: HeapReport | undefined, failure: string | undefined): string {
  if (!h) return `${heading('3. Client-side heap per camera')}\n  no result: ${failure ?? 'missing run'}`;
  const rows = h.samples.map((s) => [s.label, kb(s.heapBytesPerClient), `${int(s.externalBytesPerClient)} B`, fixed(s.setupSeconds, 1)]);
  return [
    heading(`3. Client-side heap per camera (${int(h.clients)} clients per variant, heapUsed after 2 full GCs)`),
    table(['variant', 'heap / client', 'external / client', 'setup s'], rows),
    `  camera, client side  = cameras connected − raw clients connected + raw client object = ${kb(h.cameraClientBytes)} (noise ±${kb(h.noiseBytes)};`,
    `                         a constructed, unstarted Camera alone is ${kb(h.cameraObjectBytes)})`,
    `  mqtt.js, client side = same difference = ${kb(h.mqttjsClientBytes)} (of which its LinkDuplex stream ≈ ${kb(h.streamBytes)})`,
    `  ratio camera / mqtt.js = ${fixed(h.ratioToMqttjs, 3)}; shared per-connection cost (broker side + link) = ${kb(h.connectionBytes)};`,
    `  registry (harness ground truth, not client state) = ${kb(h.registryBytesPerDevice)} per device`,
  ].join('\n');
}

export function oracleSection(runs: OracleShareResult[], failure: string | undefined): string {
  const title = heading('4. Oracle CPU share (default scenario: events every 5 s per camera, 20% taps, outage + storm, transfer)');
  if (runs.length === 0) return `${title}\n  no result: ${failure ?? 'missing run'}`;
  const rows = runs.map((o, i) => [
    String(i + 1),
    int(o.devices),
    o.verdict,
    fixed(o.processCpuMs / 1000),
    fixed(o.oracleMs / 1000, 3),
    pct(o.oracleProperShare, 2),
    pct(o.historyLogShare, 2),
    pct(o.shareCorrected, 2),
    int(o.thumbnailsChecked + o.clipsChecked),
    fixed(o.microsPerCheck, 1),
    fixed(o.gcInsideMs, 1),
    int(o.eventsPublished),
    int(o.tapsOpened),
    `${int(o.reconnected)}/${int(o.dropped)}`,
    fixed(o.wallSeconds, 1),
  ]);
  const o = runs[0];
  return [
    title,
    table(
      ['run', 'cameras', 'verdict', 'process CPU s', 'observing s', 'oracle', 'history log', 'all − probe', 'checks', 'µs/check', 'GC in calls ms', 'events', 'taps', 'back/dropped', 'wall s'],
      rows,
    ),
    `  oracle = receipts (watermark decoded and verified: run 1, ${int(o.thumbnailsChecked)} thumbnails + ${int(o.clipsChecked)} clips) + the checker judging`,
    `  every op (HistoryChecker.apply); history log = serialising, hashing and writing every op. Timed per call by bench probes`,
    `  on the prototypes; their own cost (run 1: ${fixed(o.probeOverheadMs, 1)} ms) is taken out in "all − probe". Process CPU =`,
    `  process.cpuUsage() over the whole run (all threads, incl. GC helpers). "GC in calls" = main-thread GC pauses that fell`,
    `  inside oracle calls (V8 mostly collects between tasks, so GC caused by the oracle's garbage is not attributed to it).`,
    ...(failure ? [`  ! a run failed: ${failure}`] : []),
    ...runs.flatMap((r, i) => (r.reasons.length > 0 ? [`  run ${i + 1} verdict reasons: ${r.reasons.join(' | ')}`] : [])),
  ].join('\n');
}

export function targetSection(targets: TargetResult[]): string {
  return [
    heading('Targets'),
    ...targets.map((t) => `  [${t.met ? ' met ' : 'MISSED'}] ${t.target}: ${t.measured}`),
  ].join('\n');
}
