import { randomBytes } from 'node:crypto';
import { mkdir, realpath, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { usageError } from '../errors.ts';

/**
 * Checks an output directory before a run starts, so a bad `--out-dir` is exit 2 naming the flag
 * and the path, not an internal error (or a hang) once the run is under way. Refuses kernel
 * pseudo file systems outright (Node's recursive mkdir loops for ever under /proc), makes the
 * missing directories one level at a time, and proves the place writable by writing a small
 * probe file and removing it. Every step is bounded: a file system that does not answer within
 * PROBE_MS is refused too.
 */

const PROBE_MS = 5000;

/** Kernel file systems that hold no files of ours (linux/magic.h). */
const PSEUDO_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x1cd1, 'devpts'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0x65735543, 'fusectl'],
  [0x19800202, 'mqueue'],
  [0x42494e4d, 'binfmt_misc'],
  [0xf97cff8c, 'selinuxfs'],
  [0x6e736673, 'nsfs'],
  [0x958458f6, 'hugetlbfs'],
]);

const PSEUDO_ROOTS = ['/proc', '/sys'];

const under = (path: string, root: string) => path === root || path.startsWith(`${root}/`);

class Refusal extends Error {}

const why = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'it is on a read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return (error as Error).message;
  }
};

/** Throws a usage error (exit 2) naming `flag` and the path when runs cannot be written under `dir`. */
export async function checkOutDir(dir: string, flag = '--out-dir'): Promise<void> {
  const path = resolve(dir);
  const refuse = (reason: string) => usageError('OUT_DIR_UNUSABLE', `${flag} ${dir}: ${reason}`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Refusal(`${path} did not answer within ${PROBE_MS / 1000} s (a hung network file system?)`)), PROBE_MS);
    timer.unref();
  });
  try {
    await Promise.race([probe(path), timeout]);
  } catch (error) {
    if (error instanceof Refusal) throw refuse(error.message);
    throw refuse(`cannot write run directories there: ${why(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

async function probe(path: string): Promise<void> {
  refusePseudo(path);
  const existing = await deepestExisting(path);
  const real = await realpath(existing);
  refusePseudo(real);
  const kind = PSEUDO_FILE_SYSTEMS.get((await statfs(real)).type);
  if (kind !== undefined) throw new Refusal(`${real} is on ${kind}, a kernel pseudo file system: it cannot hold run directories`);
  // one level at a time: what cannot be made fails here, naming the level
  const missing: string[] = [];
  for (let p = path; p !== existing; p = dirname(p)) missing.unshift(p);
  // another process starting beside this one (a shard, a CI matrix job) may make a level first
  for (const level of missing) {
    await mkdir(level).catch(async (error: unknown) => {
      const isDir = (error as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(level).then((s) => s.isDirectory(), () => false));
      if (!isDir) throw error;
    });
  }
  const file = join(path, `.crosswire-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  await writeFile(file, 'crosswire: can a run directory be written here?\n', { flag: 'wx' });
  await rm(file, { force: true });
}

function refusePseudo(path: string): void {
  const root = PSEUDO_ROOTS.find((r) => under(path, r));
  if (root === undefined) return;
  throw new Refusal(`${path === root ? `${root} is` : `${path} is under ${root},`} a kernel pseudo file system: it cannot hold run directories`);
}

/** The path itself or its nearest ancestor that exists; a file on the way is refused. */
async function deepestExisting(path: string): Promise<string> {
  for (let p = path; ; p = dirname(p)) {
    try {
      const s = await stat(p);
      if (s.isDirectory()) return p;
      throw new Refusal(p === path ? `${path} exists and is not a directory` : `${p} is a file, so ${path} cannot be made under it`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && p !== dirname(p)) continue;
      throw error;
    }
  }
}
