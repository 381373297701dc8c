import { createHash } from 'node:crypto';

/**
 * The directory a scenario's runs go in, from its name: any name gives a safe one. Only
 * [a-z0-9._-] (lower case, so a case-insensitive file system sees what others do), anything
 * else collapsed to one `-`, no leading or trailing `.` `_` `-` (no hidden directory, no `..`),
 * at most 64 characters: a longer one is cut and ends in a hash of the whole name, so names
 * that share a beginning still get directories of their own.
 */

const MAX_LENGTH = 64;
const HASH_LENGTH = 8;
/** Names the output directory already uses for itself. */
const RESERVED = new Set(['latest', 'gate']);

const trim = (text: string) => text.replace(/^[._-]+|[._-]+$/g, '');

export function directoryNameFor(name: string): string {
  // NFKD then no marks: `é` is `e`, not a dash
  let slug = trim(name.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-'));
  if (slug === '') slug = 'scenario';
  if (RESERVED.has(slug)) slug = `${slug}-scenario`;
  if (slug.length <= MAX_LENGTH) return slug;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_LENGTH);
  return `${trim(slug.slice(0, MAX_LENGTH - HASH_LENGTH - 1))}-${hash}`;
}
