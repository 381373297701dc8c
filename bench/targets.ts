import type { BareOutageResult } from './bare-outage.ts';
import type { BareStormResult } from './bare-storm.ts';
import type { FullStormResult } from './full-storm.ts';
import type { HeapReport } from './heap-per-client.ts';
import type { StormKind } from './storm-scenario.ts';
import type { OracleShareResult } from './oracle-share.ts';
import { fixed, kb, pct } from './format.ts';

/** One size of the storm: the bare baseline and the full pipeline's two storms, from the same child process. */
export interface StormPair {
  devices: number;
  /** One plain connection per camera (N raw clients): the cameras' storm's baseline, and the outage's for reference. */
  bare?: BareStormResult;
  /** The outage's like-for-like baseline: the same herd (cameras + snapshots, app sessions + SUBSCRIBEs, a republishing service) on bare aedes. */
  bareOutage?: BareOutageResult;
  /** The cameras' storm (N cameras back at once, like the baseline's N raw clients): the judged one. */
  full?: FullStormResult;
  /** The broker outage: cameras, app sessions and the service back in one herd. */
  outage?: FullStormResult;
  /** Why the child did not report a result (crash, timeout), if it did not. */
  failure?: string;
}

export interface TargetResult {
  target: string;
  measured: string;
  met: boolean;
}

/** The targets, judged on what was measured; a missing measurement is a miss. */
export const TARGETS = {
  reconnectShare: 0.99,
  fullOverBare: 0.7,
  /** The broker outage through the full pipeline against its like-for-like bare baseline. */
  outageOverBare: 0.8,
  clientHeapBytes: 4 * 1024,
  oracleShare: 0.05,
} as const;

/** Mean share of the oracle proper (receipts + checker) over the runs; the history log is reported beside it. */
export function meanOracleShare(runs: OracleShareResult[]): number | undefined {
  return runs.length === 0 ? undefined : runs.reduce((sum, r) => sum + r.oracleProperShare, 0) / runs.length;
}

export function judgeTargets(
  pairs: StormPair[],
  heap: HeapReport | undefined,
  oracles: OracleShareResult[],
  heapFailure?: string,
  oracleFailure?: string,
): TargetResult[] {
  const out: TargetResult[] = [];
  for (const p of pairs) {
    for (const { label: kind, f } of runsOf(p)) {
      const completed = f !== undefined && f.dropped === p.devices && f.reconnectShare >= TARGETS.reconnectShare;
      out.push({
        target: `${p.devices.toLocaleString('en-US')} cameras complete the ${kind === 'cameras' ? "cameras' storm (whole fleet cut off" : 'broker outage storm (every link dropped'}, ≥ ${pct(TARGETS.reconnectShare, 0)} back)`,
        measured: f === undefined ? `no result: ${p.failure ?? 'unknown'}` : `${f.reconnected}/${f.dropped} of ${f.devices} (${pct(f.reconnectShare, 2)}), verdict ${f.verdict}`,
        met: completed && f.verdict === 'PASS',
      });
    }
  }
  for (const p of pairs) {
    const ratio = p.full && p.bare ? p.full.connectsPerSecond / p.bare.connectsPerSecond : undefined;
    const cpuRatio = p.full && p.bare ? p.bare.cpuMicrosPerConnect / p.full.cpuMicrosPerConnect : undefined;
    out.push({
      target: `${p.devices.toLocaleString('en-US')}: full-pipeline connect rate ≥ ${TARGETS.fullOverBare}× bare (cameras' storm: N cameras vs N raw clients)`,
      measured:
        ratio === undefined
          ? `no result: ${p.failure ?? 'missing run'}`
          : `${fixed(ratio)}× (wall clock); ${fixed(cpuRatio)}× in CPU per connect` + (ratio < TARGETS.fullOverBare ? `; short by ${fixed(TARGETS.fullOverBare / ratio, 1)}×` : ''),
      met: ratio !== undefined && ratio >= TARGETS.fullOverBare,
    });
  }
  for (const p of pairs) {
    const o = p.outage;
    const like = o && p.bareOutage ? o.connectsPerSecond / p.bareOutage.connectsPerSecond : undefined;
    const likeCpu = o && p.bareOutage ? p.bareOutage.cpuMicrosPerConnect / o.cpuMicrosPerConnect : undefined;
    const plain = o && p.bare ? o.connectsPerSecond / p.bare.connectsPerSecond : undefined;
    out.push({
      target: `${p.devices.toLocaleString('en-US')}: broker outage through the full pipeline ≥ ${TARGETS.outageOverBare}× bare (like for like: the same herd on bare aedes)`,
      measured:
        like === undefined
          ? `no result: ${p.failure ?? 'missing run'}`
          : `${fixed(like)}× (wall clock); ${fixed(likeCpu)}× in CPU per camera` +
            (like < TARGETS.outageOverBare ? `; short by ${fixed(TARGETS.outageOverBare / like, 1)}×` : '') +
            (plain === undefined ? '' : `. Against one plain connection per camera (not like for like: ${connectionsPerCamera(o!)} connections per camera and more): ${fixed(plain)}×`),
      met: like !== undefined && like >= TARGETS.outageOverBare && o!.verdict === 'PASS',
    });
  }
  out.push({
    target: `client-side heap per camera ≤ ${kb(TARGETS.clientHeapBytes, 0)}`,
    measured: heap
      ? `${kb(heap.cameraClientBytes)} (±${kb(heap.noiseBytes)}); mqtt.js ${kb(heap.mqttjsClientBytes)}; ratio ${fixed(heap.ratioToMqttjs, 3)}`
      : `no result: ${heapFailure ?? 'missing run'}`,
    met: heap !== undefined && heap.cameraClientBytes + heap.noiseBytes <= TARGETS.clientHeapBytes,
  });
  const share = meanOracleShare(oracles);
  out.push({
    target: `oracle adds < ${pct(TARGETS.oracleShare, 0)} CPU`,
    measured:
      share === undefined
        ? `no result: ${oracleFailure ?? 'missing run'}`
        : `${pct(share, 2)} of process CPU, mean of ${oracles.length} runs (${oracles.map((o) => pct(o.oracleProperShare, 2)).join(', ')}; ` +
          `recording the history adds ${oracles.map((o) => pct(o.historyLogShare, 2)).join(', ')}; ` +
          `verdicts ${oracles.map((o) => o.verdict).join(', ')})`,
    met: share !== undefined && share < TARGETS.oracleShare,
  });
  return out;
}

/** The full-pipeline runs of one size, labelled by their storm. */
export function runsOf(p: StormPair): Array<{ label: StormKind; f: FullStormResult | undefined }> {
  return [
    { label: 'cameras', f: p.full },
    { label: 'outage', f: p.outage },
  ];
}

/** Connections the broker accepted after the restore per camera that came back (1 in the cameras' storm). */
export function connectionsPerCamera(f: FullStormResult): string {
  return fixed(f.acceptsAfterRestore / Math.max(1, f.reconnected));
}
