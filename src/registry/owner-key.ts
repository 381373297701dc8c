/**
 * The cache key under which a device's owner is kept: part of the world's naming, like device
 * ids, so the service (which reads and writes it) and the checker (which follows lookups of a
 * transferred device) agree without either depending on the other. A scenario shapes it with a
 * template holding `{device}` once (`tenant:eu-1/owner/{device}`); the default is `owner:{device}`.
 */
export const DEVICE_SLOT = '{device}';
export const DEFAULT_KEY_TEMPLATE = `owner:${DEVICE_SLOT}`;

export interface OwnerKeys {
  readonly template: string;
  key(deviceId: string): string;
  /** The device a key names, or undefined for a key that is not an owner key. */
  deviceOf(key: string): string | undefined;
}

/** Why a template cannot name owner keys, or undefined when it can. */
export function keyTemplateProblem(template: string): string | undefined {
  const slots = template.split(DEVICE_SLOT).length - 1;
  if (slots !== 1) return `must hold ${DEVICE_SLOT} exactly once (found ${slots})`;
  const rest = template.replace(DEVICE_SLOT, '');
  if (/[{}]/.test(rest)) return `only ${DEVICE_SLOT} may be written in braces`;
  if (/[\s\x00-\x1f\x7f]/.test(template)) return 'must not hold whitespace or control characters (memcached and RESP inline keys cannot)';
  return undefined;
}

export function ownerKeys(template: string = DEFAULT_KEY_TEMPLATE): OwnerKeys {
  const problem = keyTemplateProblem(template);
  if (problem !== undefined) throw new TypeError(`key template ${JSON.stringify(template)} ${problem}`);
  const at = template.indexOf(DEVICE_SLOT);
  const prefix = template.slice(0, at);
  const suffix = template.slice(at + DEVICE_SLOT.length);
  return {
    template,
    key: (deviceId) => prefix + deviceId + suffix,
    deviceOf: (key) =>
      key.length > prefix.length + suffix.length && key.startsWith(prefix) && key.endsWith(suffix)
        ? key.slice(prefix.length, key.length - suffix.length)
        : undefined,
  };
}
