import type { Principal } from '../registry/credentials.ts';

/**
 * Topic access rules. Topics: cameras publish `devices/{id}/events`, the service publishes
 * `accounts/{account}/events`, viewers subscribe under their own `accounts/{account}/`.
 * A filter is judged by every topic it could match, not by its string prefix.
 */

export function eventTopicOf(deviceId: string): string {
  return `devices/${deviceId}/events`;
}

export function accountTopicOf(accountId: string): string {
  return `accounts/${accountId}/events`;
}

export const SERVICE_EVENT_FILTER = 'devices/+/events';

/**
 * `strict`: the rules below. Each `weakened-…` mode makes ONE rule too broad, as a positive
 * control for the hostile-tenant attempts (`hostile:`): it must be caught.
 * `weakened-read`: a viewer may read every account's topic (`accounts/+/…`: only the first level
 * checked); `weakened-publish`: a viewer may publish on any camera's event topic.
 */
/** The rules a positive control makes too broad, on the embedded broker and in Mosquitto's ACL alike. */
export const weakenedRules = ['read', 'publish'] as const;
export type WeakenedRule = (typeof weakenedRules)[number];
export const aclModes = ['strict', ...weakenedRules.map((rule) => `weakened-${rule}` as const)] as const;
export type AclMode = (typeof aclModes)[number];

export function canPublish(principal: Principal, topic: string, mode: AclMode = 'strict'): boolean {
  // [MQTT-4.7.2-1] `$` topics are the server's; [MQTT-3.3.2-2] no wildcards in a topic name
  if (topic.startsWith('$') || topic.includes('+') || topic.includes('#')) return false;
  const levels = topic.split('/');
  switch (principal.role) {
    case 'camera':
      return levels.length >= 3 && levels[0] === 'devices' && levels[1] === principal.id;
    case 'service':
      return (levels.length === 3 && levels[0] === 'accounts' && levels[2] === 'events' && levels[1] !== '') || isControlTopic(topic);
    case 'viewer':
      return mode === 'weakened-publish' && levels.length === 3 && levels[0] === 'devices' && levels[2] === 'events';
  }
}

export function canSubscribe(principal: Principal, filter: string, mode: AclMode = 'strict'): boolean {
  if (filter.startsWith('$') || !isValidFilter(filter)) return false;
  const levels = filter.split('/');
  switch (principal.role) {
    case 'viewer':
      // The first two levels must be literal: `+` or `#` there could match another account.
      // `accounts/{me}/#` also matches `accounts/{me}` itself [MQTT-4.7.1-2]: still its own.
      if (mode === 'weakened-read') return levels.length >= 3 && levels[0] === 'accounts';
      return levels.length >= 3 && levels[0] === 'accounts' && levels[1] === principal.id;
    case 'service':
      // all events, one camera's (an instance of a sharded service takes its own cameras'), or the shards' control topic
      return filter === SERVICE_EVENT_FILTER || isOneCameraEvents(levels) || isControlTopic(filter);
    case 'camera':
      return false;
  }
}

/** Where the shards of one run meet (a barrier): the service principal only. */
export const CONTROL_TOPIC_PREFIX = 'crosswire/shards/';

function isControlTopic(topic: string): boolean {
  return topic.startsWith(CONTROL_TOPIC_PREFIX) && !topic.includes('#') && !topic.includes('+');
}

function isOneCameraEvents(levels: string[]): boolean {
  return levels.length === 3 && levels[0] === 'devices' && levels[2] === 'events' && levels[1] !== '' && levels[1] !== '+' && levels[1] !== '#';
}

/** [MQTT-4.7.1-2] `#` only last and alone in its level; [MQTT-4.7.1-3] `+` alone in its level. */
export function isValidFilter(filter: string): boolean {
  if (filter.length === 0) return false;
  const levels = filter.split('/');
  return levels.every((level, i) => {
    if (level.includes('#')) return level === '#' && i === levels.length - 1;
    if (level.includes('+')) return level === '+';
    return true;
  });
}
