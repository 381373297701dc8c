import { cacheAdapters, isAdapterModulePath, isFaultyAdapterId } from '../cache/builtin-adapters.ts';
import { usageError } from '../errors.ts';

/**
 * The client library a standalone repro depends on: its npm name and exact version, and the
 * script template that drives it. Only a published library can be handed upstream; crosswire's
 * own clients, in-process adapters and user modules have no maintainer to hand it to.
 */
export interface ExportTarget {
  /** The adapter id the run used. */
  adapter: string;
  /** npm package name the script imports, and the exact version package.json pins. */
  packageName: string;
  version: string;
  template: 'node-redis-2' | 'ioredis-4';
  /** How the run's adapter wrote a record with a TTL: one SET, or `MULTI; SET; PEXPIRE; EXEC`. */
  writes: 'set' | 'multi';
}

/** Adapters whose library has a script template, by id; `cache.module` aliases by package. */
const TARGETS: Record<string, Omit<ExportTarget, 'adapter'>> = {
  'redis@2.2.5': { packageName: 'redis', version: '2.2.5', template: 'node-redis-2', writes: 'set' },
  'redis@2.3.0': { packageName: 'redis', version: '2.3.0', template: 'node-redis-2', writes: 'set' },
  'ioredis@4.16.0': { packageName: 'ioredis', version: '4.16.0', template: 'ioredis-4', writes: 'multi' },
  'ioredis@4.16.1': { packageName: 'ioredis', version: '4.16.1', template: 'ioredis-4', writes: 'multi' },
};
const MODULE_VERSIONS: Record<string, { packageName: string; version: string }> = {
  'redis-2.2.5': { packageName: 'redis', version: '2.2.5' },
  'redis-2.3.0': { packageName: 'redis', version: '2.3.0' },
  'ioredis-4.16.0': { packageName: 'ioredis', version: '4.16.0' },
  'ioredis-4.16.1': { packageName: 'ioredis', version: '4.16.1' },
};

export const EXPORTABLE_ADAPTERS = Object.keys(TARGETS);

/** The target for `adapter` (loaded from `module` when the run named one), or exit 2 saying why there is none. */
export function exportTarget(adapter: string, module?: string): ExportTarget {
  const supported = `export writes scripts for ${EXPORTABLE_ADAPTERS.join(', ')}`;
  if (isAdapterModulePath(adapter)) {
    throw usageError('EXPORT_USER_MODULE', `cache adapter ${adapter} is a module of your own: crosswire cannot tell which library it wraps or how, so it writes no standalone script for it; replay the run directory instead (crosswire replay)`);
  }
  if (adapter.startsWith('faulty:wire-')) {
    throw usageError('EXPORT_OWN_CLIENT', `cache adapter ${adapter} is crosswire's own RESP client with a bug switched on, not a published library: there is nobody upstream to hand a repro to (${supported})`);
  }
  if (isFaultyAdapterId(adapter) || cacheAdapters.get(adapter)?.server === undefined) {
    throw usageError('EXPORT_IN_PROCESS', `cache adapter ${adapter} runs inside crosswire (no network, no client library): its mechanism cannot be reproduced at the library level (${supported})`);
  }
  const target = TARGETS[adapter];
  if (target === undefined) {
    throw usageError('EXPORT_LIBRARY_UNSUPPORTED', `cache adapter ${adapter}: no standalone script template for its library yet (${supported})`);
  }
  if (module !== undefined) {
    const loaded = MODULE_VERSIONS[module];
    if (loaded?.packageName !== target.packageName) {
      throw usageError('EXPORT_LIBRARY_UNSUPPORTED', `cache.module ${JSON.stringify(module)}: export cannot tell which version of ${target.packageName} it is (it knows ${Object.keys(MODULE_VERSIONS).join(', ')})`);
    }
    return { adapter, ...target, version: loaded.version };
  }
  return { adapter, ...target };
}
