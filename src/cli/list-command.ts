import { cacheAdapters } from '../cache/adapter-registry.ts';
import { usageError } from '../errors.ts';
import { faultKinds } from '../faults/fault-registry.ts';

/** `crosswire list adapters|faults`: the names a scenario or flag may use, one per line. */
export function listCommand(what: string): number {
  if (what === 'adapters') {
    for (const d of cacheAdapters.values()) {
      const where = d.server ? `needs ${d.server}` : 'in-process';
      process.stdout.write(`${d.id.padEnd(30)} ${where.padEnd(16)} ${d.description}\n`);
    }
  } else if (what === 'faults') {
    for (const id of Object.keys(faultKinds)) process.stdout.write(`${id}\n`);
  } else {
    throw usageError('UNKNOWN_LIST', `list ${what}: expected adapters or faults`);
  }
  return 0;
}
