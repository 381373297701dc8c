import { describe, expect, it } from 'vitest';
import { skipSummary, type Skip } from './support/server-skip.ts';

const log = (...skips: Skip[]) => skips.map((s) => JSON.stringify(s)).join('\n') + '\n';
const memjs: Skip = { group: 'memjs contract checks', file: 'test/cache-contract.test.ts', missing: 'memcached not on PATH', install: 'apt-get install memcached' };
const browser: Skip = { group: 'report.html in headless Chromium', file: 'test/report-browser.test.ts', missing: '/usr/bin/chromium not found', install: 'apt-get install -y chromium' };

describe('the skip summary npm test ends with', () => {
  it('says nothing and passes when nothing was skipped', () => {
    expect(skipSummary('', false)).toEqual({ lines: [], fail: false });
  });

  it('names each skipped group once, with the missing binary and how to install it, and fails', () => {
    const { lines, fail } = skipSummary(log(memjs, browser, memjs), false);
    expect(lines[0]).toBe('SKIPPED: memjs contract checks (test/cache-contract.test.ts) — memcached not on PATH (apt-get install memcached)');
    expect(lines[1]).toBe('SKIPPED: report.html in headless Chromium (test/report-browser.test.ts) — /usr/bin/chromium not found (apt-get install -y chromium)');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('CROSSWIRE_ALLOW_SKIPS=1');
    expect(fail).toBe(true);
  });

  it('passes with CROSSWIRE_ALLOW_SKIPS=1, still naming every group', () => {
    const { lines, fail } = skipSummary(log(memjs), true);
    expect(lines[0]).toMatch(/^SKIPPED: memjs contract checks/);
    expect(fail).toBe(false);
  });
});
