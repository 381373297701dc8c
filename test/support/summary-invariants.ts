import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { expect } from 'vitest';
import { renderConsoleSummary } from '../../src/report/console-summary.ts';
import { renderHtml } from '../../src/report/html-report.ts';
import { renderMarkdown } from '../../src/report/markdown-report.ts';
import { violationsText, type RunSummary } from '../../src/report/summary.ts';
import { AFFECTED_ACCOUNTS_HEADER } from '../../src/store/violation-files.ts';

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const plain = new Chalk({ level: 0 });

/**
 * The numbers a summary shows must agree with each other wherever they appear: rates, cache
 * counts, the time series against the run's totals, the event accounting, and the same figure in
 * the console summary, summary.md and report.html. `what` names the run in failure messages.
 */
export function expectSummaryAgrees(s: RunSummary, what: string): void {
  for (const storm of s.storms) {
    expect(storm.connectsPerSecondMean, `${what}: mean connects/s above the peak after ${storm.fault}`).toBeLessThanOrEqual(storm.connectsPerSecondPeak);
    expect(storm.reconnected, `${what}: more cameras back than dropped`).toBeLessThanOrEqual(storm.dropped);
  }

  const cs = s.cache.stats;
  expect(cs.getErrors, `${what}: failed gets not counted`).toBeTypeOf('number');
  expect(cs.hits + cs.misses + cs.getErrors, `${what}: gets ≠ hits + misses + failed gets`).toBe(cs.gets);
  expect(cs.getErrors, `${what}: more failed gets than failed operations`).toBeLessThanOrEqual(cs.errors);
  expect(cs.latency.count, `${what}: latency not recorded once per cache operation`).toBe(cs.gets + cs.sets + cs.deletes);

  const a = s.accounting;
  expect(a.delivered + sum(Object.values(a.dropped)) + sum(Object.values(a.indeterminate)) + a.gap, `${what}: delivered + dropped + indeterminate + unaccounted ≠ published`).toBe(a.published);
  expect(a.published, `${what}: events published differs between the fleet's counters and the accounting`).toBe(s.stats.eventsPublished);
  if (s.verdict === 'PASS') expect(a.gap, `${what}: a PASS with unaccounted events`).toBe(0);

  const ts = s.timeSeries!;
  expect(ts, `${what}: no time series`).toBeDefined();
  expect(sum(ts.thumbnails), `${what}: thumbnails per bucket do not add up to thumbnails received`).toBe(s.stats.thumbnailsReceived);
  expect(sum(ts.events), `${what}: events per bucket do not add up to events published`).toBe(s.stats.eventsPublished);
  expect(sum(ts.connectAttempts ?? []), `${what}: connection attempts per bucket`).toBe(s.stats.connectAttempts);
  expect(sum(ts.cacheGets), `${what}: cache gets per bucket`).toBe(cs.gets);
  expect(sum(ts.cacheHits), `${what}: cache hits per bucket`).toBe(cs.hits);
  expect(sum(ts.cacheMisses), `${what}: cache misses per bucket`).toBe(cs.misses);
  expect(sum(ts.cacheErrors), `${what}: cache errors per bucket`).toBe(cs.errors);
  expect(ts.violations.at(-1) ?? 0, `${what}: the series ends at another violation count`).toBe(s.violationCount);

  const h = s.headline;
  expect(h.accountsExposed, `${what}: accounts exposed`).toBeGreaterThanOrEqual(h.accountsWithForeignThumbnail);
  expect(h.accountsTapped, `${what}: accounts that tapped`).toBe(h.accountsOpenedForeignVideo);
  expect(h.accountsTapped!, `${what}: more accounts tapped than exposed`).toBeLessThanOrEqual(h.accountsExposed!);
  expect(h.foreignDeliveries + h.foreignVideos + h.corruptMedia, `${what}: the headline does not add up to the violations`).toBe(s.violationCount);
  expect(sum(Object.values(s.blame ?? {})), `${what}: the blame tally does not count every violation`).toBe(s.violationCount);

  const console = renderConsoleSummary(plain, s);
  const markdown = renderMarkdown(s);
  const html = renderHtml(s);
  const real = s.history?.clock === 'real';
  for (const [name, text] of [['console', console], ['summary.md', markdown], ['report.html', html]] as const) {
    expect(/time scale/.test(text), `${what}: ${name} shows a time scale ${real ? 'missing on a real clock' : 'for a virtual clock'}`).toBe(real);
    if (!real) expect(text, `${what}: ${name} does not say the clock was virtual`).toContain('virtual clock');
  }
  expect(console).toContain(`${h.accountsExposed} accounts exposed, ${h.accountsTapped} accounts that tapped`);
  expect(console).toContain(`cache: ${cs.gets} gets (${cs.hits} hits, ${cs.misses} misses, ${cs.getErrors} failed)`);
  expect(console).toContain(`events: ${a.published} published, ${a.delivered} delivered`);
  if (s.violationCount > 0) expect(console).toContain(`violations (${violationsText(s)};`);
  const n = (v: number) => v.toLocaleString('en-US');
  expect(markdown).toContain(`| accounts exposed | ${n(h.accountsExposed!)} |`);
  expect(markdown).toContain(`| accounts that tapped | ${n(h.accountsTapped!)} |`);
  expect(html).toContain(`<b>${n(h.accountsExposed!)}</b>accounts exposed`);
  expect(html).toContain(`<b>${n(h.accountsTapped!)}</b>accounts that tapped`);
  for (const storm of s.storms) {
    const rates = `${n(storm.connectsPerSecondMean)} (${n(storm.connectsPerSecondPeak)})`;
    expect(markdown, `${what}: summary.md storm rates`).toContain(rates);
    expect(html, `${what}: report.html storm rates`).toContain(rates);
  }
  const accounting = s.checks.find((c) => c.name === 'accounting');
  if (accounting?.status === 'pass') expect(accounting.detail).toContain(`= published ${a.published}`);
}

/** violations.ndjson and affected-accounts.csv in a run directory agree with its summary. */
export async function expectViolationFilesAgree(dir: string, s: RunSummary): Promise<void> {
  const lines = (await readFile(join(dir, 'violations.ndjson'), 'utf8')).split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(s.violationCount);
  const violations = lines.map((l) => JSON.parse(l) as RunSummary['violations'][number]);
  const tally: Record<string, number> = {};
  for (const v of violations) {
    expect(v.blame?.class, `violation of event ${v.eventId} has no blame`).toBeTypeOf('string');
    tally[v.blame!.class] = (tally[v.blame!.class] ?? 0) + 1;
  }
  expect(tally).toEqual(s.blame ?? {});
  // the first ones are the summary's own, in the same order
  expect(violations.slice(0, s.violations.length).map((v) => [v.kind, v.eventId, v.receivedBy, v.receivedAt])).toEqual(s.violations.map((v) => [v.kind, v.eventId, v.receivedBy, v.receivedAt]));

  const csv = (await readFile(join(dir, 'affected-accounts.csv'), 'utf8')).trimEnd().split('\n');
  expect(csv[0]).toBe(AFFECTED_ACCOUNTS_HEADER);
  const rows = csv.slice(1).map((l) => l.split(','));
  expect(rows).toHaveLength(s.headline.accountsExposed!);
  expect(rows.filter((r) => r[5] === 'yes')).toHaveLength(s.headline.accountsTapped!);
  expect(sum(rows.map((r) => Number(r[2])))).toBe(s.headline.foreignDeliveries + s.headline.foreignVideos);
  for (const r of rows) expect(Number(r[8]), `account ${r[0]}: first after last`).toBeLessThanOrEqual(Number(r[9]));
}
