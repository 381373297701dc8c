/**
 * The cache key under which a device's owner is kept: part of the world's naming, like device
 * ids, so the service (which reads and writes it) and the checker (which follows lookups of a
 * transferred device) agree without either depending on the other.
 */
const PREFIX = 'owner:';

export function ownerKey(deviceId: string): string {
  return `${PREFIX}${deviceId}`;
}

/** The device a key names, or undefined for a key that is not an owner key. */
export function deviceOfOwnerKey(key: string): string | undefined {
  return key.startsWith(PREFIX) ? key.slice(PREFIX.length) : undefined;
}
