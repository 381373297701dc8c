import { createHash } from 'node:crypto';

/**
 * Keys that break careless adapters: ids past memcached's 250-byte limit, separators that key
 * builders join with, whitespace and control bytes that text protocols choke on, unicode whose
 * byte length differs from its character length, case and prefix near-misses, and a key shaped
 * like a hashed key (`h:` + sha256 hex of another key in this list), so an adapter that hashes
 * long keys must keep its raw and hashed forms apart. The last two keys differ only in their
 * final character (the contract deletes one and checks the other survives).
 */
export function adversarialKeys(ns: string): string[] {
  const longId = 'cam-' + '0123456789abcdef'.repeat(12).slice(0, 196); // 200 characters
  const sharedPrefix = `${ns}owner:${'device-'.repeat(50)}`; // ≈ 350+ bytes before the tail
  const keys = [
    `${ns}owner:${longId}`,
    `${ns}owner:${longId}x`,
    `${ns}${'k'.repeat(1024)}`,
    `${ns}owner:a:b`,
    `${ns}owner:a/b`,
    `${ns}owner:a|b`,
    `${ns}owner:a b`,
    `${ns}owner:a  b`,
    `${ns}owner:a\tb`,
    `${ns}owner:a\r\nb`,
    `${ns}owner:a\u0000b`,
    `${ns}owner:dev-1`,
    `${ns}owner:dev-10`,
    `${ns}owner:Device-A`,
    `${ns}owner:device-a`,
    `${ns}owner:caméra-ü`,
    `${ns}owner:came\u0301ra-ü`, // same text as above, decomposed: different bytes, different key
    `${ns}owner:📷-カメラ-${'ж'.repeat(130)}`, // 130 Cyrillic chars = 260 bytes
  ];
  keys.push(`h:${createHash('sha256').update(keys[2], 'utf8').digest('hex')}`);
  keys.push(`${sharedPrefix}tail-0001`, `${sharedPrefix}tail-0002`);
  return keys;
}
