import { buildDossier, violationEvidence } from './dossier.ts';
import { cacheGetsText, clockOf, exposureOf, violationsText, type RunSummary } from './summary.ts';
import { checkRows } from './threshold-rows.ts';

const VIOLATION_ROWS = 10;
const GROUP_ROWS = 10;

const mark = { PASS: '✅', FAIL: '❌', INCONCLUSIVE: '⚠️' } as const;
const checkMark = { pass: '✅', fail: '❌', inconclusive: '⚠️' } as const;

/** A table cell: one line, no pipes, no HTML (GitHub renders HTML inside Markdown). */
function cell(text: string | number): string {
  return String(text)
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|');
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.replace(/[\r\n]+/g, ' ')}${fence}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
const n = (v: number) => v.toLocaleString('en-US');

/** summary.md: verdict first, for a CI step summary ($GITHUB_STEP_SUMMARY) or a pull request comment. */
export function renderMarkdown(s: RunSummary): string {
  const out: string[] = [];
  const lib = s.versions.cacheLibrary;
  const interrupted = s.exitCode === 130 ? ' (interrupted: partial run)' : '';
  out.push(`## ${mark[s.verdict]} ${s.verdict}${interrupted} — ${cell(s.scenario.name)}, seed ${s.scenario.seed}`, '');
  out.push(
    `cache ${code(s.cache.adapter)}${lib ? ` (${cell(lib.name)} ${cell(lib.version)})` : ''} · verify ${code(s.cache.verify)} · ` +
      `${n(s.fleet.devices)} cameras, ${n(s.fleet.accounts)} accounts, ${n(s.fleet.viewers)} viewers over ${cell(s.fleet.transport)} · ` +
      `${clockOf(s)} · exit ${s.exitCode} · crosswire ${cell(s.versions.crosswire)}, Node ${cell(s.versions.node)}`,
    '',
  );
  if (s.verdict !== 'PASS' && s.repro) out.push(`Reproduce: ${code(s.repro)}`, '');
  for (const reason of s.reasons) out.push(`- ${cell(reason)}`);
  if (s.reasons.length > 0) out.push('');
  for (const warning of s.warnings ?? []) out.push(`> warning: ${cell(warning)}`);
  if ((s.warnings ?? []).length > 0) out.push('');

  const h = s.headline;
  out.push('| exposure | count |', '|---|---:|');
  const e = exposureOf(s);
  out.push(`| accounts exposed | ${n(e.accountsExposed)} |`);
  out.push(`| accounts that tapped | ${n(e.accountsTapped)} |`);
  out.push(`| accounts that received a foreign thumbnail | ${n(h.accountsWithForeignThumbnail)} |`);
  out.push(`| accounts that opened a foreign video | ${n(h.accountsOpenedForeignVideo)} |`);
  out.push(`| devices exposed | ${n(h.devicesExposed)} |`);
  out.push(`| foreign deliveries | ${n(h.foreignDeliveries)} |`);
  if (h.corruptMedia > 0) out.push(`| deliveries with a broken watermark | ${n(h.corruptMedia)} |`);
  if (s.blocked.total > 0) out.push(`| leaks blocked by verification | ${n(s.blocked.total)} |`);
  out.push('');

  out.push('| | check | detail |', '|---|---|---|');
  for (const c of checkRows(s)) out.push(`| ${checkMark[c.status]} | ${cell(c.name)} | ${cell(c.detail)} |`);
  out.push('');

  if (s.violations.length > 0) {
    const d = buildDossier(s.violations, s.violationCount);
    out.push(`### Violations (${violationsText(s, n)})`, '');
    if (s.violations.length < s.violationCount) out.push(`The first ${n(s.violations.length)} are grouped here; the run directory's \`violations.ndjson\` and \`affected-accounts.csv\` hold every one.`, '');
    out.push('| receiving account | foreign thumbnails | foreign videos | from devices | owners |', '|---|---:|---:|---|---|');
    for (const g of d.byAccount.slice(0, GROUP_ROWS)) {
      out.push(`| ${cell(g.key)} | ${g.thumbnails} | ${g.videos} | ${cell(list(g.counterparts))} | ${cell(list(g.owners))} |`);
    }
    if (d.byAccount.length > GROUP_ROWS) out.push(`| … ${d.byAccount.length - GROUP_ROWS} more accounts | | | | |`);
    out.push('');
    const shown = s.violations.slice(0, VIOLATION_ROWS);
    out.push(`First ${shown.length}:`, '');
    out.push('| t | what | device (owner) | received by | evidence |', '|---:|---|---|---|---|');
    for (const v of shown) {
      out.push(
        `| ${seconds(v.receivedAt)} | ${cell(v.kind)} event ${v.eventId} | ${cell(v.deviceId)} (${cell(v.trueOwner)}) | ` +
          `${cell(v.receivedBy)} (${cell(v.viewer)}) | ${cell(violationEvidence(v).join('; ') || '—')} |`,
      );
    }
    out.push('');
  }

  if (s.storms.length > 0) {
    out.push('| storm after | cameras back | reconnect p50 / p99 / max | connects/s (peak) | failed attempts |', '|---|---:|---|---:|---:|');
    for (const st of s.storms) {
      const t = st.timeToReconnect;
      out.push(
        `| ${cell(st.fault)} at ${seconds(st.outageAt)} | ${n(st.reconnected)}/${n(st.dropped)} (${(st.reconnectShare * 100).toFixed(2)}%) | ` +
          `${seconds(t.p50)} / ${seconds(t.p99)} / ${seconds(t.max)} | ${n(st.connectsPerSecondMean)} (${n(st.connectsPerSecondPeak)}) | ${n(st.failedAttempts)} |`,
      );
    }
    out.push('');
  }
  const cs = s.cache.stats;
  out.push(
    `Cache: ${cacheGetsText(cs, n)}, ${n(cs.errors)} errors in all, latency p50 ${cs.latency.p50} ms, p99 ${cs.latency.p99} ms. ` +
      `Events: ${n(s.accounting.published)} published, ${n(s.accounting.delivered)} delivered.`,
    '',
  );
  return out.join('\n');
}

function list(items: string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} +${items.length - max}`;
}
