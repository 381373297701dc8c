import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDossier } from '../src/report/dossier.ts';
import { writeRunDirectory } from '../src/store/run-store.ts';
import { runScenario, type RunResult } from '../src/runner/run-scenario.ts';
import { defaultScenario } from './support/default-scenario.ts';
import { parseXml } from './support/xml-parse.ts';

/** A FAIL run (a cache that truncates keys, so similar device ids collide): the dossier must name who got whose media. */
let out: string;
let dir: string;
let run: RunResult;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'crosswire-dossier-'));
  run = await runScenario(
    await defaultScenario((s) => {
      s.fleet.devices = 300;
      s.cache.adapter = 'faulty:key-collision';
    }),
    { repro: 'npm start -- --devices 300 --cache faulty:key-collision --seed 1' },
  );
  dir = await writeRunDirectory(out, run.summary);
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe("a FAIL run's dossier", () => {
  it('is a FAIL with violations', () => {
    expect(run.summary.verdict).toBe('FAIL');
    expect(run.summary.violations.length).toBeGreaterThan(0);
  });

  it('names, for every violation, the camera, its true owner by the ground truth, and a different receiving account', () => {
    const { registry } = run.world;
    for (const v of run.summary.violations) {
      expect(registry.indexOfDevice(v.deviceId)).toBeDefined();
      expect(registry.indexOfAccount(v.receivedBy)).toBeDefined();
      expect(registry.ownerAt(v.deviceId, v.publishedAt)).toBe(v.trueOwner);
      expect(v.receivedBy).not.toBe(v.trueOwner);
      if (v.kind === 'foreign-thumbnail') {
        // the evidence: the cache answered this device's key with another device's record, owned by the receiver
        const get = v.cacheOps.find((op) => op.op === 'get' && op.key.endsWith(v.deviceId));
        expect(get, `cache op behind event ${v.eventId}`).toBeDefined();
        expect(JSON.parse(get!.value!).owner).toBe(v.receivedBy);
      }
    }
  });

  it('report.html groups them by receiving account and by camera, with the right counts', async () => {
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    const d = buildDossier(run.summary.violations, run.summary.violationCount);
    const byAccount = new Map<string, number>();
    for (const v of run.summary.violations) byAccount.set(v.receivedBy, (byAccount.get(v.receivedBy) ?? 0) + 1);
    expect(new Map(d.byAccount.map((g) => [g.key, g.violations.length]))).toEqual(byAccount);
    for (const g of d.byAccount) {
      const block = html.slice(html.indexOf(`data-group="account:${g.key}"`)).split('</details>')[0];
      expect(block).toContain(`<code>${g.key}</code> received`);
      expect(block.match(/<tr data-violation>/g)).toHaveLength(g.violations.length);
    }
    for (const g of d.byDevice) {
      expect(html).toContain(`data-group="device:${g.key}"`);
      expect(g.owners).toEqual([...new Set(run.summary.violations.filter((v) => v.deviceId === g.key).map((v) => v.trueOwner))].sort());
    }
  });

  it('each row of report.html reads: camera, true owner, receiving account, the cache operation, in that order', async () => {
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    const inOrder = html.slice(html.indexOf('data-view="in-order"'));
    const rows = inOrder.split('<tr data-violation>').slice(1);
    expect(rows.length).toBe(run.summary.violations.length);
    run.summary.violations.forEach((v, i) => {
      const row = rows[i].split('</tr>')[0];
      const at = (s: string) => row.indexOf(s);
      expect(at(`<code>${v.deviceId}</code>`)).toBeGreaterThan(0);
      expect(at(`<code>${v.trueOwner}</code>`)).toBeGreaterThan(at(`<code>${v.deviceId}</code>`));
      expect(at(`<code>${v.receivedBy}</code>`)).toBeGreaterThan(at(`<code>${v.trueOwner}</code>`));
      if (v.cacheOps[0]) expect(row).toContain(`op ${v.cacheOps[0].id}`);
    });
  });

  it('junit.xml and summary.md name the first leak and the command that reproduces it', async () => {
    const first = run.summary.violations[0];
    const suite = parseXml(await readFile(join(dir, 'junit.xml'), 'utf8')).children[0];
    const failure = suite.children.find((c) => c.attributes.name === 'isolation')!.children[0];
    expect(failure.name).toBe('failure');
    expect(failure.text).toContain(`from ${first.deviceId} (owner ${first.trueOwner})`);
    expect(failure.text).toContain(first.receivedBy);
    expect(failure.text).toContain('reproduce: npm start -- --devices 300 --cache faulty:key-collision --seed 1');
    const md = await readFile(join(dir, 'summary.md'), 'utf8');
    expect(md.split('\n')[0]).toBe('## ❌ FAIL — reconnect-storm, seed 1');
    expect(md).toContain(`| ${buildDossier(run.summary.violations, 0).byAccount[0].key} |`);
    expect(md).toContain('Reproduce: `npm start -- --devices 300 --cache faulty:key-collision --seed 1`');
  });
});
