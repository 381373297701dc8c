import { describe, expect, it } from 'vitest';
import { buildDossier } from '../src/report/dossier.ts';
import { renderHtml } from '../src/report/html-report.ts';
import { renderJunit } from '../src/report/junit-report.ts';
import { renderMarkdown } from '../src/report/markdown-report.ts';
import { summarySchema } from '../src/report/summary-schema.ts';
import { expectJunitShape } from './support/junit-shape.ts';
import { syntheticSummary } from './support/synthetic-summary.ts';
import { parseXml } from './support/xml-parse.ts';

const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0;

describe('renderers, on made-up summaries', () => {
  it('the made-up summary is a valid summary document', () => {
    const parsed = summarySchema.safeParse(syntheticSummary({ violations: 20, hostile: true }));
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
  });

  it('escape whatever the cache under test returned: markup, quotes, pipes, control characters', () => {
    const s = syntheticSummary({ violations: 20, hostile: true });
    const junit = renderJunit(s);
    expectJunitShape(parseXml(junit)); // well-formed despite <, &, ]]> and \u0001 in the values
    expect(junit).not.toMatch(/[\u0001\u0007]/);
    const html = renderHtml(s);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(/[\u0001\u0007]/);
    const md = renderMarkdown(s);
    expect(md).not.toContain('<script');
    for (const table of md.split('\n\n').filter((block) => block.startsWith('|'))) {
      const rows = table.split('\n').filter((l) => l.startsWith('|'));
      const cells = (row: string) => row.replace(/\\\|/g, '').split('|').length;
      for (const row of rows) expect(cells(row), row).toBe(cells(rows[0]));
    }
  });

  it('a FAIL puts the first violations and the repro line in the failure body, an INCONCLUSIVE is an error', () => {
    const s = syntheticSummary({ violations: 30 });
    const suite = parseXml(renderJunit(s)).children[0];
    const isolation = suite.children.find((c) => c.attributes.name === 'isolation')!;
    const failure = isolation.children.find((c) => c.name === 'failure')!;
    expect(failure.text).toContain(`opened by ${s.violations[0].receivedBy}`);
    expect(failure.text).toContain(`delivered to ${s.violations[1].receivedBy}`);
    expect(failure.text).toContain(s.violations[9].deviceId);
    expect(failure.text).not.toContain(`event ${s.violations[10].eventId} `);
    expect(failure.text).toContain(`reproduce: ${s.repro}`);
    const deliveries = suite.children.find((c) => c.attributes.name === 'deliveries')!;
    expect(deliveries.children.map((c) => c.name)).toEqual(['error']);
    expect(suite.attributes).toMatchObject({ tests: '3', failures: '1', errors: '1' });
  });

  it('a few violations: every one shown, no paging', () => {
    const s = syntheticSummary({ violations: 3, accounts: 2, devices: 3 });
    const html = renderHtml(s);
    expect(count(html, /<tr data-violation>/g)).toBe(3 * 3); // by account, by camera, in order
    expect(html).not.toContain('type="radio"');
    expect(count(html, /data-group="account:/g)).toBe(2);
    expect(count(html, /data-group="device:/g)).toBe(3);
  });

  it('thousands of violations: grouped by account and by camera, paged, the page stays a sane size', () => {
    const s = syntheticSummary({ violations: 3000, accounts: 400, devices: 1000 });
    const html = renderHtml(s);
    expect(count(html, /data-group="account:/g)).toBe(400);
    expect(count(html, /data-group="device:/g)).toBe(1000);
    // 20 groups per page: 20 pages of accounts, 50 of cameras, 60 of the time-ordered list
    expect(count(html, /name="by-account"/g)).toBe(20);
    expect(count(html, /name="by-device"/g)).toBe(50);
    expect(count(html, /name="in-order"/g)).toBe(60);
    // and the CSS can show every one of those pages
    expect(html).toContain('.pager>input:nth-of-type(60):checked~div.page:nth-of-type(60)');
    expect(html.length).toBeLessThan(12_000_000);
    const d = buildDossier(s.violations, s.violationCount);
    expect(d.byAccount[0].violations).toHaveLength(8); // 3000 / 400, rounded up for the first ones
    expect(d.byAccount.reduce((n, g) => n + g.violations.length, 0)).toBe(3000);
    const md = renderMarkdown(s);
    expect(md).toContain('| … 390 more accounts |');
    expect(md.length).toBeLessThan(20_000);
  });

  it('charts: the timeline, connected devices, the reconnect distribution, thumbnails and two cache charts', () => {
    const html = renderHtml(syntheticSummary({ violations: 5 }));
    const charts = [...html.matchAll(/<svg data-chart="([^"]+)"/g)].map((m) => m[1]);
    expect(charts).toEqual(['timeline', 'connected', 'reconnect-1', 'thumbnails', 'cache-latency', 'cache-rates']);
    // styled by attributes only, so a strict CSP that blocks inline styles still draws them
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g)!;
    for (const svg of svgs) expect(svg).not.toMatch(/\sstyle=|\sclass=/);
  });

  it('a summary from before the time series still renders, with the timeline and the reconnect histogram', () => {
    const s = syntheticSummary({ violations: 2 });
    delete s.timeSeries;
    const html = renderHtml(s);
    expect([...html.matchAll(/<svg data-chart="([^"]+)"/g)].map((m) => m[1])).toEqual(['timeline', 'reconnect-1']);
    expect(html).toContain('has no time series');
  });

  it('summary.md starts with the verdict, and an interrupted run says so', () => {
    expect(renderMarkdown(syntheticSummary({ violations: 4 })).split('\n')[0]).toBe('## ❌ FAIL — synthetic, seed 7');
    const interrupted = { ...syntheticSummary(), verdict: 'INCONCLUSIVE' as const, exitCode: 130 };
    expect(renderMarkdown(interrupted).split('\n')[0]).toBe('## ⚠️ INCONCLUSIVE (interrupted: partial run) — synthetic, seed 7');
    expect(renderHtml(interrupted)).toContain('interrupted, partial report');
  });
});
