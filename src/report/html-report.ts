import { chartsSection } from './html-charts.ts';
import { dossierSection, GROUPS_PER_PAGE, ROWS_PER_GROUP_PAGE, ROWS_PER_PAGE } from './html-dossier.ts';
import { pagerCss } from './html-pager.ts';
import { clockOf, exposureOf, type RunSummary } from './summary.ts';
import { escapeXml as x } from './xml-text.ts';
import { checkRows } from './threshold-rows.ts';

const verdictColour = { PASS: '#1b7f3b', FAIL: '#b00020', INCONCLUSIVE: '#9a6700' } as const;
const checkMark = { pass: '✓', fail: '✗', inconclusive: '?' } as const;
const verdictMeaning = {
  PASS: 'nothing leaked, and the run exercised what it claims',
  FAIL: 'a leak or a broken invariant',
  INCONCLUSIVE: 'the run did not exercise what it claims',
} as const;
const n = (v: number) => v.toLocaleString('en-US');
const sec = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1d;background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:0 1em 3em}
.banner{color:#fff;padding:1em 1.5em;margin:0 0 1em}
.banner h1{margin:0;font-size:2em;letter-spacing:.03em}
.banner p{margin:.3em 0}
.banner code{background:rgba(255,255,255,.15);color:#fff;padding:.1em .4em;border-radius:3px;user-select:all}
.banner ul{margin:.4em 0 0;padding-left:1.2em}
h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
h3{display:inline;font-size:1.05em;margin:0}
.cards{display:flex;flex-wrap:wrap;gap:.6em}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6em .9em;min-width:10em}
.card b{display:block;font-size:1.6em}
.card.bad b{color:#b00020}
table{border-collapse:collapse;background:#fff;margin:.5em 0;width:100%}
th,td{border:1px solid #e0e0e0;padding:.25em .5em;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.violations{font-size:12.5px}
code{font-size:.95em}
table.violations code{white-space:nowrap}
table.violations .op code{white-space:normal;word-break:break-all}
.dim{color:#666}
.ok{color:#1b7f3b}
.warn{color:#9a6700}
.count{background:#b00020;color:#fff;border-radius:1em;padding:0 .6em;font-size:.8em}
details.group{background:#fff;border:1px solid #e0e0e0;border-radius:4px;margin:.3em 0;padding:.3em .6em}
details.view>summary{margin:.8em 0 .3em;cursor:pointer}
figure.chart{background:#fff;border:1px solid #e0e0e0;border-radius:6px;margin:1em 0;padding:.6em}
figure.chart p{margin:.2em 0 .4em}
.s-pass{color:#1b7f3b}.s-fail{color:#b00020}.s-inconclusive{color:#9a6700}
`;

/** The verdict as an SVG badge too: coloured by attributes, so even a style-blocking viewer shows it in colour. */
function badge(s: RunSummary): string {
  const w = 24 + s.verdict.length * 13;
  return (
    `<svg data-badge="verdict" width="${w}" height="34" viewBox="0 0 ${w} 34" role="img" aria-label="verdict ${s.verdict}">` +
    `<rect width="${w}" height="34" rx="5" fill="${verdictColour[s.verdict]}" stroke="#ffffff" stroke-width="2"/>` +
    `<text x="${w / 2}" y="23" text-anchor="middle" fill="#ffffff" font-family="system-ui, sans-serif" font-size="18" font-weight="700">${s.verdict}</text></svg>`
  );
}

function banner(s: RunSummary): string {
  const lib = s.versions.cacheLibrary;
  const interrupted = s.exitCode === 130 ? ' — interrupted, partial report' : '';
  const warned = (s.warnings ?? []).map((w) => `<li class="warning">warning: ${x(w)}</li>`);
  const reasons = s.reasons.length + warned.length > 0 ? `<ul>${s.reasons.map((r) => `<li>${x(r)}</li>`).join('')}${warned.join('')}</ul>` : '';
  const repro = s.repro ? `<p>reproduce: <code data-repro>${x(s.repro)}</code></p>` : '';
  return (
    `<header class="banner" id="verdict" data-verdict="${s.verdict}" style="background:${verdictColour[s.verdict]}">` +
    `<h1>${badge(s)} <span data-verdict-text>${verdictMeaning[s.verdict]}${interrupted}</span></h1>` +
    `<p><strong>${x(s.scenario.name)}</strong> · seed ${s.scenario.seed} · cache <code>${x(s.cache.adapter)}</code>${lib ? ` (${x(lib.name)} ${x(lib.version)})` : ''} · ` +
    `verify <code>${x(s.cache.verify)}</code> · exit code ${s.exitCode}</p>${repro}${reasons}</header>`
  );
}

function headline(s: RunSummary): string {
  const h = s.headline;
  const card = (label: string, v: number, bad = v > 0) => `<div class="card${bad ? ' bad' : ''}"><b>${n(v)}</b>${x(label)}</div>`;
  const e = exposureOf(s);
  return (
    '<section id="headline"><h2>Exposure</h2><div class="cards">' +
    card('accounts exposed', e.accountsExposed) +
    card('accounts that tapped', e.accountsTapped) +
    card('accounts received a foreign thumbnail', h.accountsWithForeignThumbnail) +
    card('accounts opened a foreign video', h.accountsOpenedForeignVideo) +
    card('devices exposed', h.devicesExposed) +
    card('foreign deliveries', h.foreignDeliveries) +
    (h.corruptMedia > 0 ? card('broken watermarks', h.corruptMedia) : '') +
    (s.blocked.total > 0 ? card('leaks blocked by verification', s.blocked.total, false) : '') +
    '</div></section>'
  );
}

function checks(s: RunSummary): string {
  const rows = checkRows(s).map((c) => `<tr><td class="s-${c.status}">${checkMark[c.status]} ${c.status}</td><td>${x(c.name)}</td><td>${x(c.detail)}</td></tr>`).join('');
  return `<section id="checks"><h2>Checks</h2><table><thead><tr><th>status</th><th>check</th><th>detail</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function table(head: string[], rows: (string | number)[][]): string {
  const th = head.map((h) => `<th>${x(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => (typeof c === 'number' ? `<td class="num">${n(c)}</td>` : `<td>${x(c)}</td>`)).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

function details(s: RunSummary): string {
  const a = s.accounting;
  const cs = s.cache.stats;
  const parts = ['<section id="details"><h2>Numbers</h2>'];
  if (s.storms.length > 0) {
    parts.push('<h3>Storms</h3>');
    parts.push(
      table(
        ['after', 'outage', 'restored', 'cameras back', 'p50', 'p99', 'max', 'connects/s (peak)', 'failed attempts'],
        s.storms.map((st) => [st.fault, sec(st.outageAt), sec(st.restoredAt), `${n(st.reconnected)}/${n(st.dropped)} (${(st.reconnectShare * 100).toFixed(2)}%)`, sec(st.timeToReconnect.p50), sec(st.timeToReconnect.p99), sec(st.timeToReconnect.max), `${n(st.connectsPerSecondMean)} (${n(st.connectsPerSecondPeak)})`, st.failedAttempts]),
      ),
    );
  }
  if (s.faults.length > 0) {
    parts.push('<h3>Fault windows</h3>');
    parts.push(
      table(
        ['fault', 'scheduled', 'injected', 'healed', 'effect'],
        s.faults.map((f) => [`${f.id}: ${f.description}`, `${sec(f.scheduledAt)}–${sec(f.scheduledHealAt)}`, f.injectedAt === undefined ? 'never' : sec(f.injectedAt), f.healedAt === undefined ? 'never' : sec(f.healedAt), f.effect ?? '']),
      ),
    );
  }
  parts.push('<h3>Events</h3>');
  const reasons = [...Object.entries(a.dropped).map(([k, v]) => [`dropped: ${k}`, v] as const), ...Object.entries(a.indeterminate).map(([k, v]) => [`indeterminate: ${k}`, v] as const)].filter(([, v]) => v > 0);
  parts.push(table(['', 'events'], [['published', a.published], ['delivered', a.delivered], ...reasons.map(([k, v]) => [k, v]), ['unaccounted', a.gap]]));
  parts.push('<h3>Cache</h3>');
  parts.push(
    table(
      ['gets', 'hits', 'misses', 'failed gets', 'sets', 'deletes', 'errors in all', 'p50 ms', 'p99 ms', 'max ms'],
      [[cs.gets, cs.hits, cs.misses, cs.getErrors ?? '—', cs.sets, cs.deletes, cs.errors, String(cs.latency.p50), String(cs.latency.p99), String(cs.latency.max)]],
    ),
  );
  const lib = s.versions.cacheLibrary;
  parts.push('<h3>Run</h3>');
  parts.push(
    table(
      ['', ''],
      [
        ['started', s.startedAt],
        ['wall clock', `${s.realSeconds}s (${clockOf(s)})`],
        ['fleet', `${n(s.fleet.devices)} cameras, ${n(s.fleet.accounts)} accounts, ${n(s.fleet.viewers)} viewers over ${s.fleet.transport}`],
        ['scenario file', s.scenario.file ?? 'built-in default'],
        ['versions', `crosswire ${s.versions.crosswire}, Node ${s.versions.node}${lib ? `, ${lib.name} ${lib.version}` : ''}`],
      ],
    ),
  );
  parts.push('</section>');
  return parts.join('\n');
}

/** Pages the report may need: enough CSS rules for the largest pager it holds. */
function maxPages(s: RunSummary): number {
  const sizes = (key: (v: RunSummary['violations'][number]) => string) => {
    const counts = new Map<string, number>();
    for (const v of s.violations) counts.set(key(v), (counts.get(key(v)) ?? 0) + 1);
    return [...counts.values()];
  };
  const accounts = sizes((v) => v.receivedBy);
  const devices = sizes((v) => v.deviceId);
  return Math.max(
    1,
    Math.ceil(Math.max(accounts.length, devices.length) / GROUPS_PER_PAGE),
    Math.ceil(Math.max(0, ...accounts, ...devices) / ROWS_PER_GROUP_PAGE),
    Math.ceil(s.violations.length / ROWS_PER_PAGE),
  );
}

/**
 * report.html: one self-contained file (no script, no external URL, nothing fetched). The verdict
 * and the charts are inline SVG and HTML that render with scripts and styles blocked; CSS only
 * adds layout and the dossier's paging.
 */
export function renderHtml(s: RunSummary): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${x(`${s.verdict} · ${s.scenario.name} · seed ${s.scenario.seed} · crosswire`)}</title>`,
    `<style>${CSS}${pagerCss(maxPages(s))}</style>`,
    '</head><body>',
    banner(s),
    '<main>',
    headline(s),
    checks(s),
    dossierSection(s),
    chartsSection(s),
    details(s),
    `<footer class="dim"><p>crosswire ${x(s.versions.crosswire)} · re-render with <code>crosswire report &lt;run-dir&gt;</code></p></footer>`,
    '</main></body></html>',
    '',
  ].join('\n');
}
