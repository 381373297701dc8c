import { defineCacheAdapter, numberOption } from '../cache-adapter.ts';
import { KeyCollisionAdapter } from './key-collision.ts';

/**
 * Mechanism C3 in docs/mechanisms.md, seen only with long keys. A key-hashing layer or a client
 * that caps key length (memcached's 250 bytes, a column sized for "enough") keeps the first
 * `keyLength` characters. crosswire's own keys (`owner:cam-0001234`, 17 characters) fit, so it
 * PASSes on them; a realistic template such as `tenant:eu-west-1/owner/{device}` with MAC ids
 * runs past 32 characters, and every camera whose MAC shares its vendor prefix shares one entry.
 */
export default defineCacheAdapter({
  id: 'faulty:long-key-truncation',
  description: 'C3: keys cut to `keyLength` (32) characters: harmless on short ids, collisions on long templated keys',
  mechanism: 'C3 truncated-key',
  create: ({ clock, options }) => new KeyCollisionAdapter('faulty:long-key-truncation', clock, numberOption(options, 'keyLength', 32)),
});
