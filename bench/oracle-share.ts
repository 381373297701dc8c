import { PerformanceObserver, performance } from 'node:perf_hooks';
import { runScenario } from '../src/runner/run-scenario.ts';
import { installProbes, oracleProbe, probeOverheadNs, resetOracleProbe } from './probes.ts';
import { oracleScenario } from './storm-scenario.ts';

export interface OracleShareResult {
  devices: number;
  verdict: string;
  reasons: string[];
  wallSeconds: number;
  /** Process CPU (user + system, all threads) over the whole run, ms. */
  processCpuMs: number;
  /**
   * Time spent observing and judging, ms (main thread, synchronous): every receipt (watermark
   * decode, its op) and every op recorded (serialised, hashed, judged by the checker).
   */
  oracleMs: number;
  /** Of oracleMs: judging (HistoryChecker.apply), recording (serialise + hash + write), and receipts' decode. */
  checkerMs: number;
  historyLogMs: number;
  receiptMs: number;
  /** Shares of process CPU: the checker with the watermark decode (the oracle proper), and the history log. */
  oracleProperShare: number;
  historyLogShare: number;
  /** oracleMs / processCpuMs. */
  share: number;
  /** The probe's own cost (2 × performance.now() per call) folded into oracleMs, ms. */
  probeOverheadMs: number;
  /** share with the probe's own cost taken out. */
  shareCorrected: number;
  /** Main-thread GC pauses that fell inside oracle calls (a scavenge its allocation triggered collects everyone's garbage), ms. */
  gcInsideMs: number;
  /** All main-thread GC pauses during the run, ms. */
  gcTotalMs: number;
  /** shareCorrected without the GC pauses inside oracle calls. */
  shareWithoutGc: number;
  thumbnailsChecked: number;
  clipsChecked: number;
  microsPerCheck: number;
  eventsPublished: number;
  tapsOpened: number;
  reconnected: number;
  dropped: number;
}

/**
 * The oracle's CPU share on a run with normal event traffic: the default scenario (events every
 * 5 s per camera, 20 % taps, outage + storm, ownership transfer) at `devices` cameras. Every
 * oracle call is timed by the bench probe; the share is against process.cpuUsage() for the run.
 */
export async function measureOracleShare(devices: number, log: (line: string) => void): Promise<OracleShareResult> {
  installProbes();
  const scenario = await oracleScenario(devices);
  const overheadNs = probeOverheadNs();
  const gcPauses: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPauses.push(e.startTime, e.startTime + e.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  resetOracleProbe(true);
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let summary;
  try {
    ({ summary } = await runScenario(scenario, {
      onProgress: (line) => log(`  [oracle ${devices}] ${line}`),
      progressEveryMs: 5000,
    }));
  } finally {
    oracleProbe.enabled = false;
  }
  await new Promise((resolve) => setImmediate(resolve)); // let the last gc entries arrive
  observer.disconnect();
  const gcInsideMs = overlapMs(oracleProbe.intervals, oracleProbe.calls, gcPauses);
  const gcTotalMs = gcPauses.reduce((sum, t, i) => (i % 2 === 1 ? sum + t - gcPauses[i - 1] : sum), 0);
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const processCpuMs = (cpu.user + cpu.system) / 1000;
  const checks = oracleProbe.thumbnails + oracleProbe.clips;
  const probeOverheadMs = (checks * overheadNs) / 1e6;
  const storm = summary.storms[0];
  return {
    devices: summary.fleet.devices,
    verdict: summary.verdict,
    reasons: summary.reasons,
    wallSeconds,
    processCpuMs,
    oracleMs: oracleProbe.ms,
    checkerMs: oracleProbe.checkerMs,
    historyLogMs: oracleProbe.recordMs - oracleProbe.checkerMs,
    receiptMs: oracleProbe.ms - oracleProbe.recordMs,
    oracleProperShare: (oracleProbe.ms - (oracleProbe.recordMs - oracleProbe.checkerMs)) / processCpuMs,
    historyLogShare: (oracleProbe.recordMs - oracleProbe.checkerMs) / processCpuMs,
    share: oracleProbe.ms / processCpuMs,
    probeOverheadMs,
    shareCorrected: Math.max(0, oracleProbe.ms - probeOverheadMs) / processCpuMs,
    gcInsideMs,
    gcTotalMs,
    shareWithoutGc: Math.max(0, oracleProbe.ms - probeOverheadMs - gcInsideMs) / processCpuMs,
    thumbnailsChecked: oracleProbe.thumbnails,
    clipsChecked: oracleProbe.clips,
    microsPerCheck: checks === 0 ? 0 : (oracleProbe.ms * 1000) / checks,
    eventsPublished: summary.stats.eventsPublished,
    tapsOpened: summary.stats.tapsOpened,
    reconnected: storm?.reconnected ?? 0,
    dropped: storm?.dropped ?? 0,
  };
}

/** Total length of the intersection of the call intervals with the GC pauses (both sorted by start). */
function overlapMs(intervals: Float64Array, calls: number, pauses: number[]): number {
  const gc: [number, number][] = [];
  for (let i = 0; i < pauses.length; i += 2) gc.push([pauses[i], pauses[i + 1]]);
  gc.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let g = 0;
  for (let c = 0; c < calls; c++) {
    const s = intervals[2 * c];
    const e = intervals[2 * c + 1];
    while (g < gc.length && gc[g][1] <= s) g++;
    for (let k = g; k < gc.length && gc[k][0] < e; k++) total += Math.max(0, Math.min(e, gc[k][1]) - Math.max(s, gc[k][0]));
  }
  return total;
}
