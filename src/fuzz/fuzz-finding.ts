import type { Principal } from '../registry/credentials.ts';
import { canPublish, canSubscribe } from '../broker/acl.ts';

/**
 * What a fuzz case can find. crash: the broker's process reported an uncaught exception or an
 * unhandled rejection, or stopped serving. hang: a well-behaved client could not round-trip, or a
 * connection neither closed nor answered. bypass: a message or a grant the reference ACL forbids,
 * or a CONNACK 0 without the right credentials. spec: the broker kept a connection open after
 * a packet the specification says it MUST close the connection on.
 */
export const findingKinds = ['crash', 'hang', 'bypass', 'spec'] as const;
export type FindingKind = (typeof findingKinds)[number];

export interface Finding {
  kind: FindingKind;
  what: string;
}

/**
 * The reference ACL the oracle judges by: src/broker/acl.ts as shipped, whatever ACL the broker
 * under test was given (a positive control plants a faulty one there, never here).
 */
export function mayReceive(principal: Principal | undefined, topic: string): boolean {
  if (principal === undefined) return false;
  // a topic name is a filter matching only itself: may the principal subscribe to exactly it?
  if (canSubscribe(principal, topic)) return true;
  // `accounts/{me}/#` also matches `accounts/{me}` [MQTT-4.7.1-2]
  return principal.role === 'viewer' && topic === `accounts/${principal.id}`;
}

export function mayPublish(principal: Principal | undefined, topic: string): boolean {
  return principal !== undefined && canPublish(principal, topic);
}

export function maySubscribe(principal: Principal | undefined, filter: string): boolean {
  return principal !== undefined && canSubscribe(principal, filter);
}
