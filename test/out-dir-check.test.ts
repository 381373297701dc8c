import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutDir } from '../src/store/out-dir-check.ts';
import { CrosswireError } from '../src/errors.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crosswire-out-dir-'));
  await writeFile(join(dir, 'a-file'), 'not a directory\n');
});
afterAll(async () => {
  await chmod(join(dir, 'locked'), 0o755).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

/** The usage error checkOutDir throws (exit 2, naming the flag and the path). */
async function refusal(path: string): Promise<string> {
  const error = await checkOutDir(path).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CrosswireError);
  expect((error as CrosswireError).exitCode).toBe(2);
  expect((error as CrosswireError).message.startsWith(`--out-dir ${path}: `)).toBe(true);
  return (error as CrosswireError).message;
}

describe('checkOutDir', () => {
  it('lets processes started together make the same missing directory (shards sharing --out-dir)', async () => {
    const path = join(dir, 'together', 'reports');
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => checkOutDir(path)));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('fulfilled'));
    expect(await readdir(path)).toEqual([]);
  });

  it('makes a missing directory, level by level, and leaves no probe behind', async () => {
    const target = join(dir, 'new', 'nested', 'reports');
    await checkOutDir(target);
    expect(await readdir(target)).toEqual([]);
  });

  it('accepts a directory that is there', async () => {
    await expect(checkOutDir(dir)).resolves.toBeUndefined();
  });

  it('refuses a file', async () => {
    expect(await refusal(join(dir, 'a-file'))).toContain('exists and is not a directory');
  });

  it('refuses a path under a file', async () => {
    expect(await refusal(join(dir, 'a-file', 'reports'))).toContain(`${join(dir, 'a-file')} is a file`);
  });

  it.each(['/proc', '/proc/crosswire-reports', '/proc/self/fd', '/sys/kernel/crosswire', '/dev/fd/crosswire'])('refuses %s (a kernel pseudo file system) at once', async (path) => {
    const started = performance.now();
    expect(await refusal(path)).toContain('a kernel pseudo file system');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  // root writes anywhere: as root, the check runs in a child process dropped to `nobody`
  it('refuses a directory it may not write to', async () => {
    const locked = join(dir, 'locked');
    await mkdir(locked);
    if (process.getuid?.() !== 0) {
      await chmod(locked, 0o555);
      expect(await refusal(join(locked, 'reports'))).toContain('permission denied');
      return;
    }
    await chmod(dir, 0o755);
    const module = fileURLToPath(new URL('../src/store/out-dir-check.ts', import.meta.url));
    const script = `import(${JSON.stringify(module)}).then((m) => m.checkOutDir(${JSON.stringify(join(locked, 'reports'))})).then(() => console.log('accepted'), (e) => console.log(e.code + ' ' + e.message))`;
    const child = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-e', script], { encoding: 'utf8' });
    expect(child.stdout).toContain(`OUT_DIR_UNUSABLE --out-dir ${join(locked, 'reports')}: cannot write run directories there: permission denied`);
  });
});
