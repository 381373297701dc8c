import { accountTopicOf, eventTopicOf, CONTROL_TOPIC_PREFIX, SERVICE_EVENT_FILTER } from '../broker/acl.ts';
import { identityOf, type AttackerRole, type FuzzCast } from './fuzz-cast.ts';

/**
 * Topic names and filters a fuzz packet carries: named relative to the cast (the attacker's own
 * topics, the victim's, wildcards over accounts, `$SYS`, the shards' control topic), then
 * mutated at the byte level (NUL, ill-formed UTF-8, U+FFFF, a stray wildcard, 65535 bytes).
 */
export const topicBases = [
  'own',
  'own-filter',
  'victim-account',
  'victim-subtree',
  'victim-device',
  'account-level',
  'all',
  'plus-accounts',
  'accounts-hash',
  'plus-plus-plus',
  'plus-hash',
  'sys',
  'sys-topic',
  'control',
  'service-filter',
  'empty',
  'double-slash',
  'leading-slash',
] as const;
export type TopicBase = (typeof topicBases)[number];

export const topicMutations = ['none', 'nul', 'invalid-utf8', 'surrogate', 'overlong-slash', 'ffff', 'trailing-slash', 'plus', 'hash', 'long'] as const;
export type TopicMutation = (typeof topicMutations)[number];

export interface TopicDraft {
  base: TopicBase;
  mutation: TopicMutation;
}

/** What a topic's bytes break, for the expectation of the packet carrying it. */
export interface TopicFacts {
  bytes: Buffer;
  /** Ill-formed UTF-8 [MQTT-1.5.3-1]: the receiver MUST close the connection. */
  illFormed: boolean;
  empty: boolean;
  hasWildcard: boolean;
}

export function topicText(cast: FuzzCast, role: AttackerRole, base: TopicBase): string {
  const victim = cast.victimAccount;
  switch (base) {
    case 'own':
      return ownTopic(cast, role);
    case 'own-filter':
      return role === 'camera' ? eventTopicOf(cast.attackerCamera) : role === 'service' ? SERVICE_EVENT_FILTER : `accounts/${cast.attackerAccount}/#`;
    case 'victim-account':
      return accountTopicOf(victim);
    case 'victim-subtree':
      return `accounts/${victim}/#`;
    case 'victim-device':
      return eventTopicOf(cast.victimCamera);
    case 'account-level':
      return `accounts/${victim}`;
    case 'all':
      return '#';
    case 'plus-accounts':
      return 'accounts/+/events';
    case 'accounts-hash':
      return 'accounts/#';
    case 'plus-plus-plus':
      return '+/+/+';
    case 'plus-hash':
      return '+/#';
    case 'sys':
      return '$SYS/#';
    case 'sys-topic':
      return `$SYS/${victim}/events`;
    case 'control':
      return `${CONTROL_TOPIC_PREFIX}fuzz`;
    case 'service-filter':
      return SERVICE_EVENT_FILTER;
    case 'empty':
      return '';
    case 'double-slash':
      return `accounts//${victim}/events`;
    case 'leading-slash':
      return `/accounts/${victim}/events`;
  }
}

/** The topic each role may publish on (a viewer and nobody may not publish at all). */
function ownTopic(cast: FuzzCast, role: AttackerRole): string {
  switch (role) {
    case 'camera':
      return eventTopicOf(cast.attackerCamera);
    case 'service':
      return `${CONTROL_TOPIC_PREFIX}${identityOf(cast, role, 0).clientId}`;
    case 'viewer':
    case 'anonymous':
      return accountTopicOf(cast.attackerAccount);
  }
}

const MAX_STRING = 0xffff;

export function topicBytes(cast: FuzzCast, role: AttackerRole, draft: TopicDraft): TopicFacts {
  const text = topicText(cast, role, draft.base);
  const plain = Buffer.from(text, 'utf8');
  // mutations go after the second level, where the ACL looks: `accounts/<id><here>/…`
  const cut = secondLevelEnd(text);
  const splice = (insert: Buffer | number[]) => Buffer.concat([plain.subarray(0, cut), Buffer.from(insert), plain.subarray(cut)]);
  let bytes: Buffer;
  let illFormed = false;
  switch (draft.mutation) {
    case 'none':
      bytes = plain;
      break;
    case 'nul':
      bytes = splice([0x00]);
      break;
    case 'invalid-utf8':
      bytes = splice([0xff, 0xfe]);
      illFormed = true;
      break;
    case 'surrogate':
      // U+D800 encoded: UTF-8 forbids surrogates [MQTT-1.5.3-1]
      bytes = splice([0xed, 0xa0, 0x80]);
      illFormed = true;
      break;
    case 'overlong-slash':
      // `/` as an over-long two-byte sequence: a lax decoder would split the level here
      bytes = splice([0xc0, 0xaf]);
      illFormed = true;
      break;
    case 'ffff':
      bytes = splice([0xef, 0xbf, 0xbf]);
      break;
    case 'trailing-slash':
      bytes = Buffer.concat([plain, Buffer.from('/')]);
      break;
    case 'plus':
      bytes = splice(Buffer.from('+'));
      break;
    case 'hash':
      bytes = Buffer.concat([plain, Buffer.from('/#')]);
      break;
    case 'long':
      bytes = Buffer.concat([plain, Buffer.from('/'), Buffer.alloc(Math.max(0, MAX_STRING - plain.length - 1), 0x78)]).subarray(0, MAX_STRING);
      break;
  }
  return { bytes, illFormed, empty: bytes.length === 0, hasWildcard: bytes.includes(0x2b) || bytes.includes(0x23) };
}

function secondLevelEnd(text: string): number {
  const first = text.indexOf('/');
  if (first < 0) return Buffer.byteLength(text);
  const second = text.indexOf('/', first + 1);
  return Buffer.byteLength(second < 0 ? text : text.slice(0, second));
}
