import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

function crosswire(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('crosswire selftest', () => {
  it('exits 0 when a positive control FAILs as expected, and prints its row', async () => {
    const { code, stdout } = await crosswire(['selftest', '--only', 'faulty:key-collision', '--json']);
    const result = JSON.parse(stdout) as { ok: boolean; rows: { adapter: string; expected: string; verdict: string; violations: number; ok: boolean }[] };
    expect(code).toBe(0);
    expect(result.ok).toBe(true);
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({ adapter: 'faulty:key-collision', expected: 'FAIL', verdict: 'FAIL', ok: true });
    expect(result.rows[0].violations).toBeGreaterThan(0);
  });

  it('lists every adapter the controls name', async () => {
    const { code, stdout } = await crosswire(['list', 'adapters']);
    expect(code).toBe(0);
    for (const id of ['memory', 'ioredis', 'node-redis', 'memjs', 'redis@2.2.5', 'redis@2.3.0', 'faulty:wire-stale-queue']) {
      expect(stdout).toMatch(new RegExp(`^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`, 'm'));
    }
  });

  it('refuses an unknown list with exit 2', async () => {
    const { code, stderr } = await crosswire(['list', 'colours']);
    expect(code).toBe(2);
    expect(stderr).toContain('expected adapters, faults or scenarios');
  });
});
