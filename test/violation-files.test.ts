import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Violation } from '../src/oracle/violation.ts';
import { RUN_FILES } from '../src/store/run-store.ts';
import { AFFECTED_ACCOUNTS_HEADER, ViolationSpool, writeViolationFiles } from '../src/store/violation-files.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswire-violation-files-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function violation(i: number, over: Partial<Violation> = {}): Violation {
  return {
    kind: 'foreign-thumbnail',
    eventId: i,
    deviceId: `cam-${String(i % 7).padStart(7, '0')}`,
    trueOwner: 'acct-000001',
    receivedBy: `acct-${String(i % 3).padStart(6, '0')}`,
    viewer: `acct-${String(i % 3).padStart(6, '0')}~v1`,
    publishedAt: 1000 * i,
    receivedAt: 1000 * i + 50,
    cacheOps: [],
    resolvedFrom: 'cache',
    activeFaults: [],
    ...over,
  };
}

describe('the run directory\'s violation files', () => {
  it('hold every violation with its blame, and one row per affected account', async () => {
    const spool = new ViolationSpool(dir);
    const count = 5000; // well past the 64 KiB buffer: written in several flushes
    for (let i = 0; i < count; i++) spool.add(violation(i));
    spool.add(violation(count, { kind: 'foreign-video', receivedBy: 'acct-000002', deviceId: 'cam-0000003', receivedAt: 3_725_004 }));
    spool.add(violation(count + 1, { kind: 'corrupt-media', receivedBy: 'acct,"odd"', deviceId: '?' }));
    const result = await writeViolationFiles(dir, spool, (v) => ({ class: v.eventId % 2 === 0 ? 'wrong-key' : 'stale', reason: 'test' }));
    expect(result).toEqual({ violations: count + 2, affectedAccounts: 3, accountsTapped: 1 });

    const lines = (await readFile(join(dir, RUN_FILES.violations), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Violation);
    expect(lines).toHaveLength(count + 2);
    expect(lines.map((v) => v.eventId)).toEqual(Array.from({ length: count + 2 }, (_, i) => i));
    expect(lines[4].blame).toEqual({ class: 'wrong-key', reason: 'test' });
    expect(lines[5].blame?.class).toBe('stale');

    const csv = (await readFile(join(dir, RUN_FILES.affectedAccounts), 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe(AFFECTED_ACCOUNTS_HEADER);
    // corrupt media proves no foreign camera: it is in violations.ndjson, not an affected account
    expect(csv.slice(1).map((r) => r.split(',')[0])).toEqual(['acct-000000', 'acct-000001', 'acct-000002']);
    const last = csv[3].split(',');
    expect(last[1].split(';')).toEqual(['cam-0000000', 'cam-0000001', 'cam-0000002', 'cam-0000003', 'cam-0000004', 'cam-0000005', 'cam-0000006']);
    expect(last.slice(2, 8)).toEqual([String(Math.ceil((count - 2) / 3) + 1), String(Math.ceil((count - 2) / 3)), '1', 'yes', '+00:00:02.050', '+01:23:17.050']);
    expect(csv[1].split(',')[5]).toBe('no');
    // the spool is gone; nothing half-written is left
    expect((await readdir(dir)).sort()).toEqual([RUN_FILES.affectedAccounts, RUN_FILES.violations]);
  });

  it('are written, empty, when nothing leaked', async () => {
    const spool = new ViolationSpool(dir);
    expect(await writeViolationFiles(dir, spool, () => ({ class: 'undetermined', reason: '' }))).toEqual({ violations: 0, affectedAccounts: 0, accountsTapped: 0 });
    expect(await readFile(join(dir, RUN_FILES.violations), 'utf8')).toBe('');
    expect(await readFile(join(dir, RUN_FILES.affectedAccounts), 'utf8')).toBe(AFFECTED_ACCOUNTS_HEADER + '\n');
  });
});
