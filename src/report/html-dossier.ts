import type { Violation } from '../oracle/violation.ts';
import { blameLines, buildDossier, type ViolationGroup } from './dossier.ts';
import { paginate, pager } from './html-pager.ts';
import type { RunSummary } from './summary.ts';
import { escapeXml as x } from './xml-text.ts';

/** Groups per page, rows per page inside a group, rows per page of the time-ordered list. */
export const GROUPS_PER_PAGE = 20;
export const ROWS_PER_GROUP_PAGE = 25;
export const ROWS_PER_PAGE = 50;

const sec = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
const kindLabel = { 'foreign-thumbnail': 'thumbnail', 'foreign-video': 'video', 'corrupt-media': 'broken watermark', 'hostile-leak': 'hostile tenant' } as const;

function evidence(v: Violation): string {
  const ops = v.cacheOps.map(
    (op) =>
      `<div class="op"><code>${x(op.adapter)} ${x(op.op.toUpperCase())} ${x(op.key)}</code> → <code>${x(op.value ?? '(miss)')}</code> ` +
      `<span class="dim">op ${op.id}, ${x(op.outcome)}, ${op.latencyMs} ms${op.connectionId ? `, conn ${x(op.connectionId)}` : ''}${op.error ? `, ${x(op.error)}` : ''}, at ${sec(op.at)}</span></div>`,
  );
  if (ops.length === 0) ops.push(`<span class="dim">${v.resolvedFrom ? `resolved from ${x(v.resolvedFrom)}` : 'no cache operation reported'}</span>`);
  if (v.detail) ops.push(`<div class="dim">${x(v.detail)}</div>`);
  const [headline, ...quoted] = blameLines(v);
  if (headline) ops.push(`<div class="blame"><strong>${x(headline)}</strong>${quoted.map((line) => `<div class="dim">${x(line.trim())}</div>`).join('')}</div>`);
  return ops.join('');
}

function rows(violations: readonly Violation[]): string {
  const body = violations
    .map(
      (v) =>
        `<tr data-violation><td class="num">${sec(v.receivedAt)}</td><td>${kindLabel[v.kind]}</td><td class="num">${v.eventId}</td>` +
        `<td><code>${x(v.deviceId)}</code></td><td><code>${x(v.trueOwner)}</code></td><td><code>${x(v.receivedBy)}</code> <span class="dim">${x(v.viewer.startsWith(v.receivedBy) ? v.viewer.slice(v.receivedBy.length) : v.viewer)}</span></td>` +
        `<td>${evidence(v)}</td><td>${v.activeFaults.length > 0 ? v.activeFaults.map(x).join(', ') : '<span class="dim">none</span>'}</td></tr>`,
    )
    .join('');
  return (
    '<table class="violations"><thead><tr><th>received</th><th>what</th><th>event</th><th>camera</th><th>true owner</th>' +
    `<th>received by</th><th>cache operation behind it</th><th>active faults</th></tr></thead><tbody>${body}</tbody></table>`
  );
}

function list(items: string[], max = 6): string {
  const shown = items.slice(0, max).map((i) => `<code>${x(i)}</code>`).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

function groupBlock(g: ViolationGroup, by: 'account' | 'device', id: string): string {
  const what = [g.thumbnails > 0 ? `${g.thumbnails} foreign thumbnail${g.thumbnails === 1 ? '' : 's'}` : '', g.videos > 0 ? `${g.videos} foreign video${g.videos === 1 ? '' : 's'}` : '', g.corrupt > 0 ? `${g.corrupt} broken` : '']
    .filter(Boolean)
    .join(', ');
  const summary =
    by === 'account'
      ? `<code>${x(g.key)}</code> received ${what} from ${g.counterparts.length} camera${g.counterparts.length === 1 ? '' : 's'} of ${list(g.owners, 3)}`
      : `<code>${x(g.key)}</code> (owner ${list(g.owners, 3)}) leaked to ${g.counterparts.length} account${g.counterparts.length === 1 ? '' : 's'}: ${what}`;
  const pages = paginate(g.violations, ROWS_PER_GROUP_PAGE).map((page) => rows(page));
  const table = pager(id, pages, (i) => `rows ${i * ROWS_PER_GROUP_PAGE + 1}–${Math.min(g.violations.length, (i + 1) * ROWS_PER_GROUP_PAGE)}`);
  return (
    `<details class="group" data-group="${by}:${x(g.key)}"><summary>${summary} <span class="dim">between ${sec(g.firstAt)} and ${sec(g.lastAt)}</span></summary>` +
    `<p>${by === 'account' ? 'cameras' : 'receiving accounts'}: ${list(g.counterparts, 20)}</p>${table}</details>`
  );
}

function groups(id: string, all: ViolationGroup[], by: 'account' | 'device'): string {
  const pages = paginate(all, GROUPS_PER_PAGE).map((page, p) => page.map((g, i) => groupBlock(g, by, `${id}-${p * GROUPS_PER_PAGE + i + 1}`)).join(''));
  return pager(id, pages, (i) => `${by}s ${i * GROUPS_PER_PAGE + 1}–${Math.min(all.length, (i + 1) * GROUPS_PER_PAGE)}`);
}

function tallyLine(label: string, tally: [string, number][]): string {
  if (tally.length === 0) return '';
  const items = tally.slice(0, 8).map(([k, n]) => `<code>${x(k)}</code> ${n}`).join(' · ');
  return `<p><strong>${x(label)}</strong>: ${items}${tally.length > 8 ? ` · ${tally.length - 8} more` : ''}</p>`;
}

/** The violations dossier: who received whose media, when, through which cache operation, under which fault. */
export function dossierSection(s: RunSummary): string {
  if (s.violationCount === 0) {
    return '<section id="dossier"><h2>Violations</h2><p class="ok">No thumbnail or video reached an account that did not own its camera.</p></section>';
  }
  const d = buildDossier(s.violations, s.violationCount);
  const held = d.shown < d.total ? `<p class="warn">This report holds the first ${d.shown} of ${d.total} violations (summary.json keeps the first ${d.shown}); the counts above cover them all, and the run directory's <code>violations.ndjson</code> and <code>affected-accounts.csv</code> hold every one.</p>` : '';
  const timePages = paginate(s.violations, ROWS_PER_PAGE).map((page) => rows(page));
  return [
    '<section id="dossier">',
    `<h2>Violations dossier <span class="count">${d.total}</span></h2>`,
    held,
    `<p>${d.byAccount.length} receiving account${d.byAccount.length === 1 ? '' : 's'}, ${d.byDevice.length} camera${d.byDevice.length === 1 ? '' : 's'} in the violations shown.</p>`,
    tallyLine('active faults at the time', d.byFault),
    tallyLine('blame', d.byBlame),
    tallyLine('owner resolved from', d.byResolution),
    tallyLine('cache connection that answered', d.byConnection),
    '<details open class="view" data-view="by-account"><summary><h3>By receiving account</h3></summary>',
    groups('by-account', d.byAccount, 'account'),
    '</details>',
    '<details class="view" data-view="by-device"><summary><h3>By camera</h3></summary>',
    groups('by-device', d.byDevice, 'device'),
    '</details>',
    '<details class="view" data-view="in-order"><summary><h3>In the order they happened</h3></summary>',
    pager('in-order', timePages, (i) => `violations ${i * ROWS_PER_PAGE + 1}–${Math.min(s.violations.length, (i + 1) * ROWS_PER_PAGE)}`),
    '</details>',
    '</section>',
  ].join('\n');
}
