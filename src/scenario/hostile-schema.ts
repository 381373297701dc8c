import { z } from 'zod';
import { duration, durationWithin } from '../fields/field-schemas.ts';

/**
 * The `hostile:` section: tenants holding VALID credentials for their own account (a viewer of an
 * account from the seed) who try, at the scenario times in `rounds`, every way in `kinds` to see
 * another account's cameras. What each kind does: src/fleet/hostile-attempts.ts.
 */
export const attemptKinds = [
  'subscribe-all',
  'subscribe-levels',
  'subscribe-accounts',
  'subscribe-other-account',
  'subscribe-device-events',
  'subscribe-sys',
  'subscribe-shared',
  'publish-forged',
  'takeover-client-id',
  'wildcard-client-id',
  'wildcard-username',
  'will-foreign',
  'retained-after-transfer',
  'persistent-after-transfer',
  'takeover-persistent',
] as const;
export type AttemptKind = (typeof attemptKinds)[number];

/** One line per kind, for the scenario reference and the docs. */
export const attemptDescriptions: Record<AttemptKind, string> = {
  'subscribe-all': 'SUBSCRIBE `#`',
  'subscribe-levels': 'SUBSCRIBE `+/+/+`',
  'subscribe-accounts': 'SUBSCRIBE `accounts/+/events`',
  'subscribe-other-account': "SUBSCRIBE `accounts/<victim>/#`, another account's topic",
  'subscribe-device-events': "SUBSCRIBE `devices/+/events`, every camera's raw events",
  'subscribe-sys': 'SUBSCRIBE `$SYS/#`',
  'subscribe-shared': 'SUBSCRIBE `$share/g/accounts/+/events`, a shared subscription over every account',
  'publish-forged': "PUBLISH (QoS 1) a forged event on a camera it does not own (`devices/<victim's camera>/events`)",
  'takeover-client-id': "CONNECT (clean=false) with a victim's viewer client id, then SUBSCRIBE its account topic",
  'wildcard-client-id': 'CONNECT with client id `+` or `#`, then SUBSCRIBE its own account topic',
  'wildcard-username': 'CONNECT with username `+` or `#` and its own password',
  'will-foreign': "CONNECT with a will (a forged event) on another account's topic (or, every other round, on the victim's camera's topic), then drop the link so the will falls due",
  'retained-after-transfer': 'SUBSCRIBE the event topic of a camera its account lost in a transfer (a retained message there is the new owner\'s)',
  'persistent-after-transfer': 'CONNECT clean=false with QoS 1 (or, every other round, 2) on its own account topic each round: whatever was queued while away must be its own',
  'takeover-persistent': "CONNECT clean=false under another tenant's persistent client id, to resume that session's queue",
};


const MINUTE = 60_000;

export const hostileSchema = z.strictObject({
  /** How many accounts turn hostile (drawn from the seed among accounts that own a camera). */
  attackers: z.number().int().min(1).max(50).default(2),
  /** Scenario times at which every attacker tries every kind (before, during and after the storm, after transfers). */
  rounds: z.array(duration).min(1).max(50),
  /** The kinds tried (default: all). */
  kinds: z.array(z.enum(attemptKinds)).min(1).default([...attemptKinds]),
  /** How long each attempt's connection stays and listens, scenario time. */
  listen: durationWithin(100, 10 * MINUTE).default(3_000),
});

export type HostileSpec = z.output<typeof hostileSchema>;
