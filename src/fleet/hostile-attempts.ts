import { accountTopicOf, eventTopicOf } from '../broker/acl.ts';
import { viewerClientId } from '../registry/credentials.ts';
import type { AttemptKind } from '../scenario/hostile-schema.ts';

/**
 * What a hostile tenant tries: an app user holding VALID credentials for its own account who
 * wants another account's cameras. Each kind (listed in the scenario's `hostile.kinds`) is one
 * connection with one purpose; the broker's answer and every message it then receives go into the
 * history, where the oracle judges them.
 */

export interface AttemptPlan {
  kind: AttemptKind;
  clientId: string;
  username: string;
  clean: boolean;
  /** What the attempt is about: the filter, topic, client id or username it tried. */
  target: string;
  will?: { topic: string; payload: Buffer };
  subscribe?: { filters: string[]; qos: 0 | 1 | 2 };
  publish?: { topic: string; payload: Buffer };
  /** End by dropping the link (no DISCONNECT), so a will falls due. */
  abrupt: boolean;
}

/** Who the attempt is by and against; the forged payload is made by the caller (it holds no watermark key). */
export interface AttemptTargets {
  /** The attacker's account id, and a number unique to this attempt (for its client id). */
  me: string;
  seq: number;
  /** Another account (one that owns a camera), one of its cameras, and another tenant's account. */
  victim: string;
  victimDevice: string;
  otherTenant: string;
  /** A camera the attacker's account owned at the start and no longer owns, if a transfer took one. */
  lostDevice: string | undefined;
  forged: () => Buffer;
  /** Which of the `+`/`#` variants this round tries. */
  round: number;
}

const own = (t: AttemptTargets) => ({ clientId: `${t.me}~vh${t.seq}`, username: t.me, clean: true, abrupt: false });
const sub = (t: AttemptTargets, kind: AttemptKind, filter: string, qos: 0 | 1 = 0): AttemptPlan => ({
  ...own(t),
  kind,
  target: filter,
  subscribe: { filters: [filter], qos },
});

/** The persistent session's client id of a tenant: the same every round, so its session is resumed. */
export function persistentClientId(account: string): string {
  return `${account}~vp`;
}

export function planAttempt(kind: AttemptKind, t: AttemptTargets): AttemptPlan {
  const wildcard = t.round % 2 === 0 ? '+' : '#';
  switch (kind) {
    case 'subscribe-all':
      return sub(t, kind, '#');
    case 'subscribe-levels':
      return sub(t, kind, '+/+/+');
    case 'subscribe-accounts':
      return sub(t, kind, 'accounts/+/events');
    case 'subscribe-other-account':
      return sub(t, kind, `accounts/${t.victim}/#`);
    case 'subscribe-device-events':
      return sub(t, kind, 'devices/+/events');
    case 'subscribe-sys':
      return sub(t, kind, '$SYS/#');
    case 'subscribe-shared':
      return sub(t, kind, '$share/g/accounts/+/events');
    case 'publish-forged': {
      const topic = eventTopicOf(t.victimDevice);
      return { ...own(t), kind, target: topic, publish: { topic, payload: t.forged() } };
    }
    case 'takeover-client-id': {
      const clientId = viewerClientId(t.victim, 1);
      return { ...own(t), kind, clientId, clean: false, target: clientId, subscribe: { filters: [accountTopicOf(t.victim)], qos: 1 } };
    }
    case 'wildcard-client-id':
      return { ...own(t), kind, clientId: wildcard, target: wildcard, subscribe: { filters: [accountTopicOf(t.me)], qos: 0 } };
    case 'wildcard-username':
      return { ...own(t), kind, username: wildcard, target: wildcard, subscribe: { filters: [accountTopicOf(t.me)], qos: 0 } };
    case 'will-foreign': {
      // straight to the victim's app one round, through the service as the victim's camera the next
      const topic = t.round % 2 === 0 ? accountTopicOf(t.victim) : eventTopicOf(t.victimDevice);
      return { ...own(t), kind, target: topic, will: { topic, payload: t.forged() }, abrupt: true };
    }
    case 'retained-after-transfer':
      return sub(t, kind, eventTopicOf(t.lostDevice ?? t.victimDevice));
    case 'persistent-after-transfer': {
      // QoS 1 one round, QoS 2 the next: either queues for a persistent session [MQTT-3.1.2-5]
      const clientId = persistentClientId(t.me);
      return { ...own(t), kind, clientId, clean: false, target: clientId, subscribe: { filters: [accountTopicOf(t.me)], qos: t.round % 2 === 0 ? 1 : 2 } };
    }
    case 'takeover-persistent': {
      const clientId = persistentClientId(t.otherTenant);
      return { ...own(t), kind, clientId, clean: false, target: clientId, subscribe: { filters: [accountTopicOf(t.me)], qos: 1 } };
    }
  }
}
