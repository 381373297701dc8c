import { cacheAdapters, isAdapterModulePath, unknownAdapterMessage } from '../cache/builtin-adapters.ts';
import { loadCacheAdapter } from '../cache/load-adapter.ts';
import { usageError } from '../errors.ts';

export type SideRole = 'baseline' | 'candidate';

/**
 * One side of a gate: a cache adapter (a built-in id or a module path), and optionally the
 * installed package (an npm alias) its client library is loaded from, e.g. `ioredis` with
 * module `ioredis-next` after `npm install ioredis-next@npm:ioredis@6`.
 */
export interface GateSide {
  role: SideRole;
  adapter: string;
  module?: string;
  /** How tables name it: `redis@2.3.0`, or `ioredis (ioredis-next)`. */
  label: string;
}

const PACKAGE_NAME = /^(@[a-z0-9._-]+\/)?[a-z0-9._-]+$/i;

/** Checks a side before anything runs, so a typo is exit 2 at once rather than after the baseline's runs. */
export async function gateSide(role: SideRole, adapter: string | undefined, module: string | undefined): Promise<GateSide> {
  const flag = `--${role}`;
  if (adapter === undefined || adapter === '') {
    throw usageError('GATE_SIDE_MISSING', `${flag} is required: a cache adapter id (see \`crosswire list adapters\`) or a module path like ./my-adapter.js`);
  }
  if (isAdapterModulePath(adapter)) {
    await loadCacheAdapter(adapter, flag); // refuses a missing or invalid module with exit 2
    if (module !== undefined) throw usageError('GATE_MODULE_WITH_PATH', `${flag}-module: ${adapter} is an adapter module; it loads its own client library`);
  } else {
    const definition = cacheAdapters.get(adapter);
    if (definition === undefined) {
      // `--candidate ioredis-next` names the alias, not the adapter: say how to give both
      const alias = PACKAGE_NAME.test(adapter) ? `; for a library installed under an npm alias, give the adapter over it and the package: ${flag} <ioredis|node-redis|memjs> ${flag}-module ${adapter}` : '';
      throw usageError('UNKNOWN_CACHE_ADAPTER', `${flag}: ${unknownAdapterMessage(adapter)}${alias}`);
    }
    if (module !== undefined && definition.server === undefined) {
      throw usageError('GATE_MODULE_IN_PROCESS', `${flag}-module: ${adapter} is an in-process adapter with no client library to load from ${JSON.stringify(module)}`);
    }
  }
  if (module !== undefined && !PACKAGE_NAME.test(module)) {
    throw usageError('GATE_MODULE_INVALID', `${flag}-module: expected an installed package name such as ioredis-next, found ${JSON.stringify(module)}`);
  }
  return { role, adapter, module, label: module === undefined ? adapter : `${adapter} (${module})` };
}
