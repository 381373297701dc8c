import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketMsFor, MAX_BUCKETS } from '../src/metrics/time-series.ts';
import { writeRunDirectory } from '../src/store/run-store.ts';
import { summaryJsonSchema, summarySchema } from '../src/report/summary-schema.ts';
import { appendStepSummary } from '../src/report/write-reports.ts';
import { runScenario, type RunResult } from '../src/runner/run-scenario.ts';
import { defaultScenario } from './support/default-scenario.ts';
import { expectJunitShape, properties } from './support/junit-shape.ts';
import { parseXml } from './support/xml-parse.ts';

/** A real (small) run's directory: every file is there and parses. */
let out: string;
let dir: string;
let run: RunResult;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-report-files-'));
  run = await runScenario(await defaultScenario((s) => (s.fleet.devices = 300)), { repro: 'npm start -- --devices 300 --seed 1' });
  dir = await writeRunDirectory(out, run.summary);
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('the run directory', () => {
  it('holds summary.json, junit.xml, summary.md and report.html, and reports/latest points at it', async () => {
    expect((await readdir(dir)).sort()).toEqual(expect.arrayContaining(['junit.xml', 'report.html', 'summary.json', 'summary.md']));
    expect(await readFile(join(out, 'latest', 'summary.json'), 'utf8')).toBe(await readFile(join(dir, 'summary.json'), 'utf8'));
  });

  it('summary.json validates against its own schema', async () => {
    const doc = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    const parsed = summarySchema.safeParse(doc);
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
    expect(doc.verdict).toBe('PASS');
    expect(doc.versions.node).toBe(process.version);
    // the JSON Schema form names what a consumer may rely on
    const schema = summaryJsonSchema();
    expect(schema.$schema).toContain('2020-12');
    expect(schema.required).toEqual(expect.arrayContaining(['schemaVersion', 'verdict', 'exitCode', 'versions', 'violations', 'faults', 'storms']));
    expect(summarySchema.safeParse({ ...doc, verdict: 'MAYBE' }).success).toBe(false);
    expect(summarySchema.safeParse({ ...doc, schemaVersion: 99 }).success).toBe(false);
  });

  it('junit.xml is well-formed JUnit: one testcase per check, the seed and versions as properties', async () => {
    const root = parseXml(await readFile(join(dir, 'junit.xml'), 'utf8'));
    expectJunitShape(root);
    const suite = root.children[0];
    expect(suite.attributes.name).toBe('reconnect-storm');
    expect(suite.children.filter((c) => c.name === 'testcase').map((c) => c.attributes.name)).toEqual(run.summary.checks.map((c) => c.name));
    expect(suite.attributes.failures).toBe('0');
    const props = properties(root);
    expect(props.seed).toBe('1');
    expect(props['crosswire.version']).toBe(run.summary.versions.crosswire);
    expect(props['node.version']).toBe(process.version);
    expect(props['cache.library']).toMatch(/^lru-cache@\d/);
  });

  it('summary.md leads with the verdict', async () => {
    const md = await readFile(join(dir, 'summary.md'), 'utf8');
    expect(md.split('\n')[0]).toMatch(/^## ✅ PASS — reconnect-storm, seed 1$/);
    expect(md).toContain('| ✅ | isolation |');
  });

  it('report.html is one self-contained page: no script, no stylesheet link, nothing fetched', async () => {
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import|\bsrc=|href="(?!#)|url\(/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html.match(/<svg data-chart="[^"]+"/g)).toEqual(['timeline', 'connected', 'connect-attempts', 'reconnect-1', 'thumbnails', 'cache-latency', 'cache-rates'].map((id) => `<svg data-chart="${id}"`));
    expect(html).toContain('data-verdict="PASS"');
  });

  it('the time series covers the run, one bucket per scenario second', () => {
    const ts = run.summary.timeSeries!;
    const seconds = run.summary.scenario.durationMs / 1000;
    expect(ts.bucketMs).toBe(1000);
    // from the world's start (building it takes a moment of scenario time) to the end
    expect(ts.t.length).toBeGreaterThan(seconds - 5);
    expect(ts.t.length).toBeLessThanOrEqual(seconds);
    expect(ts.t.slice(1, -1).every((t) => t % 1000 === 0)).toBe(true);
    expect(ts.t.at(-1)).toBe(run.summary.scenario.durationMs);
    for (const column of Object.values(ts)) if (Array.isArray(column)) expect(column).toHaveLength(ts.t.length);
    // the whole fleet up before the outage, none during it, back after
    const at = (ms: number) => ts.t.findIndex((t) => t >= ms);
    expect(ts.camerasConnected[at(18_000)]).toBe(300);
    expect(ts.camerasConnected[at(30_000)]).toBe(0);
    expect(ts.camerasConnected[ts.t.length - 1]).toBe(300);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(ts.events)).toBe(run.summary.stats.eventsPublished);
    expect(sum(ts.cacheGets)).toBeLessThanOrEqual(run.summary.cache.stats.gets);
    expect(sum(ts.cacheGets)).toBeGreaterThan(run.summary.cache.stats.gets * 0.95);
    expect(sum(ts.cacheHits) + sum(ts.cacheMisses) + sum(ts.cacheErrors)).toBe(sum(ts.cacheGets));
    expect(sum(ts.thumbnails)).toBeGreaterThan(0);
    const storm = run.summary.storms[0];
    expect(storm.timeToReconnectBins!.counts.reduce((a, b) => a + b, 0)).toBe(storm.reconnected);
  });

  it('appends summary.md to $GITHUB_STEP_SUMMARY when set, and does nothing otherwise', async () => {
    const target = join(out, 'step-summary.md');
    expect(await appendStepSummary(run.summary, {})).toBeUndefined();
    await appendStepSummary(run.summary, { GITHUB_STEP_SUMMARY: target });
    await appendStepSummary(run.summary, { GITHUB_STEP_SUMMARY: target });
    const text = await readFile(target, 'utf8');
    expect(text.match(/^## ✅ PASS/gm)).toHaveLength(2);
  });
});

describe('bucket size', () => {
  it('is one second, or coarser so that a long run has at most 600 buckets', () => {
    expect(bucketMsFor(70_000)).toBe(1000);
    expect(bucketMsFor(600_000)).toBe(1000);
    expect(bucketMsFor(601_000)).toBe(2000);
    expect(bucketMsFor(2 * 3600_000)).toBe(12_000);
    expect((2 * 3600_000) / bucketMsFor(2 * 3600_000)).toBeLessThanOrEqual(MAX_BUCKETS);
  });
});
