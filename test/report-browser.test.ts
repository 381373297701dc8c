import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html-report.ts';
import { M } from '../src/report/svg-chart.ts';
import { syntheticSummary } from './support/synthetic-summary.ts';
import { recordSkip } from './support/server-skip.ts';

/**
 * report.html in a real browser: Debian's chromium, driven by playwright-core (which downloads no
 * browser of its own; .ci/run installs chromium). Skipped locally without it, with the install
 * hint; under CI a missing browser fails.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Kept after the test (the run directory is not), to look at. */
const SCREENSHOT = join(tmpdir(), 'crosswire-report-browser', 'report.png');
const available = existsSync(CHROMIUM);
if (!available && !process.env.CI) recordSkip({ group: 'report.html in headless Chromium', missing: `${CHROMIUM} not found`, install: 'apt-get install -y chromium, or CHROMIUM_PATH=<binary>' });

const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const CHARTS = ['timeline', 'connected', 'connect-attempts', 'reconnect-1', 'thumbnails', 'cache-latency', 'cache-rates'];

let out: string;
let runDir: string;
let browser: Browser;
let quiet: { status: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  if (!available) {
    if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for this test`);
    return;
  }
  out = await mkdtemp(join(tmpdir(), 'crosswire-browser-'));
  // a real FAIL run, through the CLI as a user runs it (--quiet: the verdict line, the run directory, the repro line)
  quiet = spawnSync(process.execPath, [cli, 'run', '--quiet', '--devices', '300', '--cache', 'faulty:key-collision', '--out-dir', out], { encoding: 'utf8' });
  runDir = await realpath(join(out, 'latest'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

/** Opens a file with scripts off, and collects every URL the page asks for. */
async function open(file: string): Promise<{ page: Page; requests: string[] }> {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  return { page, requests };
}

async function expectChartsDrawn(page: Page): Promise<void> {
  const charts = page.locator('svg[data-chart]');
  expect(await charts.evaluateAll((els) => els.map((e) => e.getAttribute('data-chart')))).toEqual(CHARTS);
  for (let i = 0; i < CHARTS.length; i++) {
    const chart = charts.nth(i);
    await expect.poll(() => chart.isVisible()).toBe(true);
    const box = (await chart.boundingBox())!;
    expect(box.width, CHARTS[i]).toBeGreaterThan(300);
    expect(box.height, CHARTS[i]).toBeGreaterThan(50);
    // something is drawn in it: a line with points or a bar with height
    const marks = await chart.evaluate((svg) =>
      [...svg.querySelectorAll('path[data-series], rect[data-fault], rect > title')].filter((el) => {
        const r = (el.tagName === 'title' ? el.parentElement! : el).getBoundingClientRect();
        return r.width > 0 && r.height > 0;
      }).length,
    );
    expect(marks, CHARTS[i]).toBeGreaterThan(0);
    // nothing drawn above the plot's top gridline or below its axis: the y scale covers every value
    const overflow = await chart.evaluate((svg, margin) => {
      type Box = { y: number; height: number };
      const height = (svg as unknown as { viewBox: { baseVal: Box } }).viewBox.baseVal.height;
      return [...svg.querySelectorAll('path[data-series]')]
        .map((p) => (p as unknown as { getBBox(): Box }).getBBox())
        .filter((b) => b.y < margin.top - 0.5 || b.y + b.height > height - margin.bottom + 0.5).length;
    }, M);
    expect(overflow, `${CHARTS[i]}: a line is clipped`).toBe(0);
  }
}

describe.skipIf(!available && !process.env.CI)('report.html in headless Chromium', () => {
  it('--quiet printed only the verdict line, and on this FAIL the run directory and repro line', () => {
    expect(quiet.status).toBe(1);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toMatch(/^FAIL reconnect-storm seed=1 cache=faulty:key-collision violations=\d+\nrun directory: .+\nreproduce: npm start -- .+\n$/);
  });

  it('shows the verdict and every chart, with scripts off, fetching nothing; a screenshot is kept', async () => {
    const { page, requests } = await open(join(runDir, 'report.html'));
    const banner = page.locator('header[data-verdict]');
    expect(await banner.getAttribute('data-verdict')).toBe('FAIL');
    expect(await banner.isVisible()).toBe(true);
    const badge = page.locator('svg[data-badge="verdict"]');
    expect(await badge.isVisible()).toBe(true);
    expect(await badge.locator('text').textContent()).toBe('FAIL');
    expect(await page.locator('[data-repro]').textContent()).toContain('--cache faulty:key-collision --seed 1');
    await expectChartsDrawn(page);
    expect(await page.locator('details.group').count()).toBeGreaterThan(0);
    expect(requests).toEqual([pathToFileURL(join(runDir, 'report.html')).href]);
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect((await stat(SCREENSHOT)).size).toBeGreaterThan(20_000);
  });

  it('still draws the charts and the coloured verdict under a CSP that blocks every style and script', async () => {
    const html = await readFile(join(runDir, 'report.html'), 'utf8');
    const strict = join(runDir, 'report-strict-csp.html');
    await writeFile(strict, html.replace('<head>', `<head><meta http-equiv="Content-Security-Policy" content="default-src 'none'">`));
    const { page } = await open(strict);
    // the <style> element really is blocked: the banner loses its layout padding
    expect(await page.locator('header[data-verdict]').evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).paddingTop)).toBe('0px');
    expect(await page.locator('svg[data-badge="verdict"] rect').evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).fill)).toBe('rgb(176, 0, 32)');
    await expectChartsDrawn(page);
  });

  it('pages a large dossier with CSS alone', async () => {
    const file = join(out, 'large.html');
    await writeFile(file, renderHtml(syntheticSummary({ violations: 3000, accounts: 400, devices: 1000 })));
    const { page } = await open(file);
    const firstGroup = page.locator('details[data-view="by-account"] > .pager > div.page').nth(0);
    const secondGroup = page.locator('details[data-view="by-account"] > .pager > div.page').nth(1);
    expect(await firstGroup.isVisible()).toBe(true);
    expect(await secondGroup.isVisible()).toBe(false);
    await page.locator('details[data-view="by-account"] > .pager > nav label[for="by-account-2"]').click();
    expect(await firstGroup.isVisible()).toBe(false);
    expect(await secondGroup.isVisible()).toBe(true);
    // a group opens to its rows without any script
    const group = secondGroup.locator('details.group').first();
    await group.locator('summary').click();
    expect(await group.locator('tr[data-violation]').first().isVisible()).toBe(true);
  });
});
