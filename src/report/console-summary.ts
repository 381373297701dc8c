import type { ChalkInstance } from 'chalk';
import type { Violation } from '../oracle/violation.ts';
import { forgedText, hostileLeakText } from './dossier.ts';
import { cacheGetsText, clockOf, exposureOf, violationsText, type RunSummary } from './summary.ts';
import { checkRows } from './threshold-rows.ts';

const SHOWN_VIOLATIONS = 5;

function verdictBadge(c: ChalkInstance, verdict: RunSummary['verdict']): string {
  if (verdict === 'PASS') return c.bold.green('PASS');
  if (verdict === 'FAIL') return c.bold.red('FAIL');
  return c.bold.yellow('INCONCLUSIVE');
}

/** The verdict in one line: all `--quiet` prints of a run that passed. */
export function verdictLine(c: ChalkInstance, s: RunSummary): string {
  const breached = (s.thresholds ?? []).filter((t) => !t.ok).length;
  const note = breached > 0 ? ` ${c.yellow(`thresholds breached=${breached}`)}` : '';
  return `${verdictBadge(c, s.verdict)}${note} ${s.scenario.name} seed=${s.scenario.seed} cache=${s.cache.adapter} violations=${s.violationCount}`;
}

/**
 * What `--quiet` prints: the verdict line and, when the run did not exit 0 (FAIL, INCONCLUSIVE,
 * a breached threshold, interrupted), where its evidence is and how to re-run it, so a CI log
 * that shows only this still leads somewhere.
 */
export function quietSummary(c: ChalkInstance, s: RunSummary, runDir: string): string {
  const lines = [verdictLine(c, s)];
  if (s.exitCode !== 0) {
    lines.push(`run directory: ${runDir}`);
    if (s.repro) lines.push(`reproduce: ${c.bold(s.repro)}`);
  }
  return lines.join('\n');
}

function describeViolation(c: ChalkInstance, v: Violation): string {
  const what =
    v.kind === 'foreign-thumbnail'
      ? `thumbnail of event ${v.eventId} from ${v.deviceId} (owner ${v.trueOwner}) delivered to ${v.receivedBy} (${v.viewer})`
      : v.kind === 'foreign-video'
        ? `video of event ${v.eventId} from ${v.deviceId} (owner ${v.trueOwner}) opened by ${v.receivedBy} (${v.viewer})`
        : v.kind === 'hostile-leak'
          ? hostileLeakText(v)
          : `broken watermark received by ${v.receivedBy} (${v.viewer}): ${v.detail ?? ''}${forgedText(v)}`;
  const lines = [`  ${c.red('✗')} ${what} at t=${(v.receivedAt / 1000).toFixed(2)}s`];
  for (const op of v.cacheOps) {
    lines.push(
      `      via ${op.adapter} ${op.op.toUpperCase()} ${op.key} → ${op.value ?? '(miss)'} ` +
        c.dim(`[op ${op.id}, ${op.outcome}, ${op.latencyMs}ms${op.connectionId ? `, conn ${op.connectionId}` : ''}]`),
    );
  }
  if (v.cacheOps.length === 0 && v.resolvedFrom) lines.push(c.dim(`      resolved from ${v.resolvedFrom}`));
  if (v.activeFaults.length > 0) lines.push(c.dim(`      active faults: ${v.activeFaults.join(', ')}`));
  if (v.blame) lines.push(`      blame: ${c.bold(v.blame.class)} — ${v.blame.reason}`);
  return lines.join('\n');
}

function shardsLine(c: ChalkInstance, x: NonNullable<RunSummary['shards']>): string {
  const skew = x.skewMs === undefined ? '' : `, skew ≤ ${x.skewMs}ms`;
  const late = x.lateMs === undefined ? '' : `, clock started ≤ ${x.lateMs}ms late`;
  const what = x.merged !== undefined ? `${x.count} shards merged` : `shard ${x.shard} (this slice only: \`crosswire merge\` judges the run)`;
  return c.cyan(`shards: ${what}; time zero ${x.zeroAt} via ${x.via}${skew}${late}`);
}

/** The terminal summary: verdict first, then the numbers that back it, then how to reproduce. */
export function renderConsoleSummary(c: ChalkInstance, s: RunSummary, runDir?: string): string {
  const out: string[] = [];
  const h = s.headline;
  const breached = (s.thresholds ?? []).filter((t) => !t.ok).length;
  const note = breached > 0 ? `  ${c.yellow(`${breached} threshold${breached === 1 ? '' : 's'} breached (exit 3)`)}` : '';
  out.push(`${verdictBadge(c, s.verdict)}${note}  ${c.bold(s.scenario.name)}  seed ${c.bold(String(s.scenario.seed))}  cache ${s.cache.adapter}  verify ${s.cache.verify}`);
  out.push(
    `fleet: ${s.fleet.devices} cameras, ${s.fleet.accounts} accounts, ${s.fleet.viewers} viewers over ${fleetTransports(s.fleet)}${brokerNote(s.fleet)}; ` +
      `${s.realSeconds}s wall clock (${clockOf(s)})`,
  );
  if (s.shards !== undefined) out.push(shardsLine(c, s.shards));
  const e = exposureOf(s);
  const exposure = `${e.accountsExposed} accounts exposed, ${e.accountsTapped} accounts that tapped; ${h.accountsWithForeignThumbnail} accounts received a foreign thumbnail, ${h.accountsOpenedForeignVideo} opened a foreign video, ${h.devicesExposed} devices exposed, ${h.foreignDeliveries} foreign deliveries`;
  out.push(s.violationCount > 0 ? c.red(exposure) : exposure);
  if (s.violationPairs !== undefined && s.violationPairs.count > 0) out.push(c.red(`violation pairs: ${s.violationPairs.count} (receiving account, device, owner; sha256 ${s.violationPairs.sha256.slice(0, 12)})`));
  if (s.blocked.total > 0) {
    const layers = Object.entries(s.blocked.byLayer).map(([layer, n]) => `${layer} ${n}`).join(', ');
    out.push(c.cyan(`blocked by verification: ${s.blocked.total} (${layers}; push ${s.blocked.push}, tap ${s.blocked.tap})`));
  }
  for (const storm of s.storms) {
    const t = storm.timeToReconnect;
    out.push(
      `storm after ${storm.fault}: ${storm.reconnected}/${storm.dropped} cameras back (${(storm.reconnectShare * 100).toFixed(2)}%), ` +
        `reconnect p50 ${(t.p50 / 1000).toFixed(2)}s p99 ${(t.p99 / 1000).toFixed(2)}s max ${(t.max / 1000).toFixed(2)}s, ` +
        `${storm.connectsPerSecondMean} connects/s (peak ${storm.connectsPerSecondPeak}), ${storm.failedAttempts} failed attempts`,
    );
  }
  const a = s.accounting;
  const dropped = Object.entries(a.dropped).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(', ') || 'none';
  const indeterminate = Object.entries(a.indeterminate).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(', ') || 'none';
  out.push(`events: ${a.published} published, ${a.delivered} delivered, dropped: ${dropped}; indeterminate: ${indeterminate}${a.gap > 0 ? c.yellow(`; unaccounted ${a.gap}`) : ''}`);
  const cs = s.cache.stats;
  out.push(
    `cache: ${cacheGetsText(cs)}, ${cs.sets} sets, ${cs.deletes} deletes, ${cs.errors} errors in all; ` +
      `latency p50 ${cs.latency.p50}ms p99 ${cs.latency.p99}ms`,
  );
  out.push('checks:');
  for (const check of checkRows(s)) {
    const mark = check.status === 'pass' ? c.green('✓') : check.status === 'fail' ? c.red('✗') : c.yellow('?');
    out.push(`  ${mark} ${check.name}: ${check.detail}`);
  }
  if (s.violations.length > 0) {
    const all = runDir ? `; all in violations.ndjson, accounts in affected-accounts.csv` : '';
    out.push(`violations (${violationsText(s)}; first ${Math.min(SHOWN_VIOLATIONS, s.violations.length)}${all}):`);
    for (const v of s.violations.slice(0, SHOWN_VIOLATIONS)) out.push(describeViolation(c, v));
  }
  for (const warning of s.warnings ?? []) out.push(c.yellow(`warning: ${warning}`));
  if (runDir) out.push(c.dim(`report: ${runDir}`));
  if (s.verdict !== 'PASS' && s.repro) out.push(`reproduce: ${c.bold(s.repro)}`);
  return out.join('\n');
}

function fleetTransports(f: RunSummary['fleet']): string {
  const apart = [f.cameraTransport && `cameras over ${f.cameraTransport}`, f.viewerTransport && `viewers over ${f.viewerTransport}`].filter(Boolean);
  return apart.length === 0 ? f.transport : `${f.transport} (${apart.join(', ')})`;
}

function brokerNote(f: RunSummary['fleet']): string {
  if (f.brokerThread === 'worker') return ' (broker in its own thread)';
  if (f.brokerThread === 'external') return ` to the external broker ${f.brokerUrl ?? ''}`.trimEnd();
  return '';
}
