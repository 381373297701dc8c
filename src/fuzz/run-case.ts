import { accountTopicOf, eventTopicOf, SERVICE_EVENT_FILTER } from '../broker/acl.ts';
import { encodeConnect, encodePingreq, encodePublish, encodeSubscribe } from '../mqtt/packets.ts';
import type { Principal } from '../registry/credentials.ts';
import type { AttackerRole, FuzzCast } from './fuzz-cast.ts';
import type { RunnableCase } from './fuzz-case.ts';
import { mayPublish, mayReceive, maySubscribe, type Finding } from './fuzz-finding.ts';
import type { FuzzTarget } from './fuzz-target.ts';
import { ProbeConnection } from './probe-connection.ts';
import type { ConnectionPlan } from './connection-plan.ts';

export interface CaseBounds {
  /** How long a well-behaved client may take to CONNECT, SUBSCRIBE or see a PUBLISH round-trip. */
  roundTripMs: number;
  /** How long the broker may take to close a connection the spec says it must close. */
  closeMs: number;
}

export const defaultBounds: CaseBounds = { roundTripMs: 3000, closeMs: 3000 };

/** A fuzz case's clients that are not the attacker. */
interface Harness {
  victim: ProbeConnection;
  observer: ProbeConnection;
  /** Messages each had before the attack (retained ones on an external broker): not judged. */
  victimBefore: number;
  observerBefore: number;
}

/**
 * Runs one case: a victim viewer subscribed to its own account and an observing service
 * subscribed to every camera's events connect first; then each attacker connection writes its
 * bytes and is judged (closed where the spec says close, answering PINGREQ otherwise); a bait
 * published on the victim's account tests what the attacker's subscriptions reach; the attacker
 * connections drop (wills fire); and a fresh camera of the victim round-trips a PUBLISH to the
 * observer and on to the victim. Everything anyone received, and (embedded) every PUBLISH the
 * broker accepted, is judged by the reference ACL.
 */
export async function runCase(target: FuzzTarget, cast: FuzzCast, runnable: RunnableCase, caseNo: number, bounds = defaultBounds): Promise<Finding[]> {
  const findings: Finding[] = [];
  const open: ProbeConnection[] = [];
  const open_ = (c: ProbeConnection) => (open.push(c), c);
  try {
    target.takeAccepted();
    const victim = open_(await harnessClient(target, cast, cast.victimAccount, `${cast.victimAccount}~vfuzz${caseNo}`, [`accounts/${cast.victimAccount}/#`], bounds, findings, 'victim viewer'));
    const observer = open_(await harnessClient(target, cast, cast.service, `${cast.service}~observer${caseNo}`, [SERVICE_EVENT_FILTER], bounds, findings, 'observing service'));
    if (findings.length > 0) return findings;
    const harness: Harness = { victim, observer, victimBefore: victim.publishes.length, observerBefore: observer.publishes.length };

    const attackers: ProbeConnection[] = [];
    for (const connection of runnable.connections) {
      const attacker = open_(new ProbeConnection(target.transport));
      attackers.push(attacker);
      await write(attacker, connection.plan, connection.delivery);
      await judgeEnd(attacker, connection.plan, bounds, findings, connection.marker);
    }

    // bait on the victim's account while the attackers are still connected: whatever they subscribed to is tested
    const bait1 = `bait c${caseNo} account`;
    observer.send(encodePublish(accountTopicOf(cast.victimAccount), Buffer.from(bait1)));
    if (!(await victim.until(() => victim.publishes.some((p) => p.payload === bait1), bounds.roundTripMs))) findings.push({ kind: 'hang', what: `the victim viewer did not receive the service's PUBLISH within ${bounds.roundTripMs} ms` });
    await Promise.all(attackers.filter((a) => !a.closed && a.connacks.includes(0)).map((a) => pingRoundTrip(a, 500)));

    for (const attacker of attackers) attacker.hangUp();
    await Promise.all(attackers.map((a) => a.until(() => a.closed, 1000)));
    await target.settle(2, 1000);

    // (b) a fresh well-behaved client round-trips: a camera of the victim's publishes, the service sees it and forwards
    const bait2 = `bait c${caseNo} camera`;
    const camera = open_(await harnessClient(target, cast, cast.victimCamera, cast.victimCamera, [], bounds, findings, 'fresh camera'));
    camera.send(encodePublish(eventTopicOf(cast.victimCamera), Buffer.from(bait2)));
    if (!(await observer.until(() => observer.publishes.some((p) => p.payload === bait2), bounds.roundTripMs))) findings.push({ kind: 'hang', what: `the service did not receive a fresh camera's PUBLISH within ${bounds.roundTripMs} ms` });
    observer.send(encodePublish(accountTopicOf(cast.victimAccount), Buffer.from(bait2)));
    if (!(await victim.until(() => victim.publishes.some((p) => p.payload === bait2), bounds.roundTripMs))) findings.push({ kind: 'hang', what: `the victim viewer did not receive the round-trip PUBLISH within ${bounds.roundTripMs} ms` });

    judgeDeliveries(cast, runnable, attackers, harness, target.grantIsDecision, findings);
    judgeAccepted(runnable, target, findings);
  } finally {
    for (const connection of open) connection.hangUp();
  }
  return findings;
}

async function harnessClient(target: FuzzTarget, cast: FuzzCast, username: string, clientId: string, filters: string[], bounds: CaseBounds, findings: Finding[], who: string): Promise<ProbeConnection> {
  const client = new ProbeConnection(target.transport);
  client.send(encodeConnect(clientId, username, cast.credentials.password(username), 0));
  if (!(await client.until(() => client.connacks.length > 0 || client.closed, bounds.roundTripMs)) || client.connacks[0] !== 0) {
    findings.push({ kind: 'hang', what: `a fresh ${who} could not CONNECT within ${bounds.roundTripMs} ms (${client.closed ? 'closed' : client.connacks.length > 0 ? `CONNACK ${client.connacks[0]}` : 'no answer'})` });
    return client;
  }
  if (filters.length === 0) return client;
  client.send(encodeSubscribe(1, filters));
  if (!(await client.until(() => client.subacks.length > 0, bounds.roundTripMs)) || client.subacks[0].codes.some((c) => c >= 0x80)) {
    findings.push({ kind: 'hang', what: `a fresh ${who} could not SUBSCRIBE to ${filters.join(', ')} within ${bounds.roundTripMs} ms` });
  }
  return client;
}

async function write(connection: ProbeConnection, plan: ConnectionPlan, delivery: 'whole' | 'per-packet'): Promise<void> {
  const probe = expectsAnswer(plan) ? [encodePingreq()] : [];
  const chunks = [...plan.packets.map((p) => p.bytes), ...probe];
  if (delivery === 'whole') return connection.send(Buffer.concat(chunks));
  for (const chunk of chunks) {
    connection.send(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A connection that must still be open at the end and read every byte: the PINGREQ probe must be answered. */
function expectsAnswer(plan: ConnectionPlan): boolean {
  return plan.mustClose === undefined && !plan.unreadable && !plan.disconnected && plan.accepted !== 'no';
}

function pingsExpected(plan: ConnectionPlan): number {
  return plan.packets.filter((p) => p.label === 'PINGREQ').length + 1;
}

async function judgeEnd(connection: ProbeConnection, plan: ConnectionPlan, bounds: CaseBounds, findings: Finding[], marker: string): Promise<void> {
  if (plan.mustClose !== undefined) {
    if (!(await connection.until(() => connection.closed, bounds.closeMs))) {
      findings.push({ kind: 'spec', what: `connection ${marker}: still open ${bounds.closeMs} ms after packet ${plan.mustClose.index + 1} (${plan.packets[plan.mustClose.index].label}): ${plan.mustClose.rule}` });
    }
    const connectIndex = plan.packets.findIndex((p) => p.label.startsWith('CONNECT'));
    if (plan.mustClose.index === connectIndex && plan.mustRefuseBecause === undefined && connection.connacks.includes(0)) {
      findings.push({ kind: 'spec', what: `connection ${marker}: CONNACK 0 for a CONNECT that must be refused: ${plan.mustClose.rule}` });
    }
    return;
  }
  if (expectsAnswer(plan)) {
    const want = pingsExpected(plan);
    if (!(await connection.until(() => connection.closed || connection.pingresps >= want, bounds.roundTripMs))) {
      findings.push({ kind: 'hang', what: `connection ${marker}: neither closed nor answered PINGREQ within ${bounds.roundTripMs} ms` });
    }
    return;
  }
  // unreadable or after DISCONNECT: give the broker a moment to act on what it could read
  await connection.until(() => connection.closed, 30);
}

function pingRoundTrip(connection: ProbeConnection, ms: number): Promise<boolean> {
  const before = connection.pingresps;
  connection.send(encodePingreq());
  return connection.until(() => connection.closed || connection.pingresps > before, ms);
}

function principalOfRole(cast: FuzzCast, role: AttackerRole): Principal | undefined {
  switch (role) {
    case 'viewer':
      return { role: 'viewer', id: cast.attackerAccount };
    case 'camera':
      return { role: 'camera', id: cast.attackerCamera };
    case 'service':
      return { role: 'service', id: cast.service };
    case 'anonymous':
      return undefined;
  }
}

function judgeDeliveries(cast: FuzzCast, runnable: RunnableCase, attackers: ProbeConnection[], harness: Harness, grantIsDecision: boolean, findings: Finding[]): void {
  const attackerPrincipal = principalOfRole(cast, runnable.attacker);
  runnable.connections.forEach(({ plan, marker }, i) => {
    const got = attackers[i];
    const accepted = got.connacks.includes(0);
    if (accepted && (plan.mustRefuseBecause !== undefined || attackerPrincipal === undefined)) {
      findings.push({ kind: 'bypass', what: `connection ${marker}: CONNACK 0 though the CONNECT must be refused (${plan.mustRefuseBecause ?? 'no principal'})` });
    }
    const principal = accepted ? attackerPrincipal : undefined;
    for (const message of got.publishes) {
      if (!mayReceive(principal, message.topic)) findings.push({ kind: 'bypass', what: `connection ${marker} (${principal ? `${principal.role} ${principal.id}` : 'not authenticated'}) received a PUBLISH on ${JSON.stringify(message.topic)}` });
    }
    for (const suback of got.subacks) {
      const asked = [...plan.subscribes].reverse().find((s) => s.packetId === suback.packetId);
      suback.codes.forEach((code, k) => {
        if (code >= 0x80) return;
        const filter = asked?.filters[k];
        if (principal === undefined || (grantIsDecision && filter !== undefined && !maySubscribe(principal, filter))) {
          findings.push({ kind: 'bypass', what: `connection ${marker}: SUBACK granted QoS ${code} for ${filter === undefined ? 'a filter' : JSON.stringify(filter)} to ${principal ? `${principal.role} ${principal.id}` : 'a connection never accepted'}` });
        }
      });
    }
  });
  // the attacker's own credentials make its messages (and wills) legitimate where its principal may publish,
  // even when the broker closed the connection before its CONNACK went out (a will still fires [MQTT-3.1.2-8])
  const authenticated = attackers.some((a) => a.connacks.includes(0)) || runnable.connections.some((c) => c.plan.accepted !== 'no');
  const legit = (topic: string) => attackerPrincipal !== undefined && authenticated && mayPublish(attackerPrincipal, topic);
  const judgeInbox = (who: string, principal: Principal, connection: ProbeConnection, before: number) => {
    for (const message of connection.publishes.slice(before)) {
      // a retained message arrives because of the subscription, from an earlier case [MQTT-3.3.1-8]; live ones carry retain 0 [MQTT-3.3.1-9]
      if (message.payload.startsWith('bait ') || message.retain) continue;
      if (!mayReceive(principal, message.topic) || !legit(message.topic)) {
        findings.push({ kind: 'bypass', what: `the ${who} received ${JSON.stringify(message.payload.slice(0, 40))} on ${JSON.stringify(message.topic)}, which the attacker (${runnable.attacker}) may not publish` });
      }
    }
    if (connection.closed) findings.push({ kind: 'bypass', what: `the ${who}'s connection was closed during the case (its session taken over?)` });
  };
  judgeInbox('victim viewer', { role: 'viewer', id: cast.victimAccount }, harness.victim, harness.victimBefore);
  judgeInbox('observing service', { role: 'service', id: cast.service }, harness.observer, harness.observerBefore);
  // [MQTT-3.14.4-3] after a DISCONNECT the will is discarded, not published
  for (const { plan, marker } of runnable.connections) {
    if (!plan.disconnected) continue;
    const will = `will ${marker}`;
    const seen = [harness.victim, harness.observer].some((c) => c.publishes.some((p) => p.payload === will));
    if (seen) findings.push({ kind: 'spec', what: `connection ${marker}: its will was published after a DISCONNECT [MQTT-3.14.4-3]` });
  }
}

function judgeAccepted(runnable: RunnableCase, target: FuzzTarget, findings: Finding[]): void {
  const accepted = target.takeAccepted();
  if (accepted === undefined) return;
  for (const publish of accepted) {
    if (!mayPublish(publish.principal, publish.topic)) {
      findings.push({ kind: 'bypass', what: `the broker accepted a PUBLISH on ${JSON.stringify(publish.topic)} from ${publish.clientId ?? 'a client'} (${publish.principal ? `${publish.principal.role} ${publish.principal.id}` : 'not authenticated'})` });
    }
    for (const { plan, marker } of runnable.connections) {
      const what = `connection ${marker}: its will was published after a DISCONNECT [MQTT-3.14.4-3]`;
      // also seen when the broker accepted it, even on a topic nobody here reads; one finding either way
      if (plan.disconnected && publish.payload === `will ${marker}` && !findings.some((f) => f.what === what)) findings.push({ kind: 'spec', what });
    }
  }
}
