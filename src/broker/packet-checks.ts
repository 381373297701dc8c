import type { ConnectPacket } from 'aedes';
import type { Packet } from 'mqtt-packet';

/**
 * What aedes and its parser let through that MQTT 3.1.1 says a server MUST close the connection
 * on; the embedded broker closes it. Found by `crosswire fuzz` (test/fixtures/fuzz-regressions/).
 */

/**
 * Ill-formed UTF-8 [MQTT-1.5.3-1]: the parser decodes it to U+FFFD instead of refusing it. No
 * crosswire id or topic contains U+FFFD, so a string that does is treated as ill-formed.
 */
export function isIllFormed(text: string): boolean {
  return text.includes('\ufffd');
}

/** Why a CONNECT must be closed without a CONNACK [MQTT-3.1.4-1], or undefined when it is well-formed. */
export function connectProblem(packet: ConnectPacket): string | undefined {
  if (isIllFormed(packet.clientId) || (packet.username !== undefined && isIllFormed(packet.username))) return 'ill-formed UTF-8 in the client id or user name [MQTT-1.5.3-1]';
  if (packet.will === undefined || packet.will === null) return undefined;
  // the parser checks the will flags only when the will flag is 0
  if ((packet.will.qos ?? 0) > 2) return 'will QoS 3 [MQTT-3.1.2-14]';
  const will = packet.will.topic;
  // the will topic is a topic name: at least one character [MQTT-4.7.3-1], no wildcards [MQTT-3.3.2-2]
  if (will.length === 0) return 'empty will topic [MQTT-4.7.3-1]';
  if (will.includes('+') || will.includes('#')) return 'wildcard in the will topic [MQTT-3.3.2-2]';
  if (isIllFormed(will)) return 'ill-formed UTF-8 in the will topic [MQTT-1.5.3-1]';
  return undefined;
}

/**
 * Why a packet after CONNECT must close the connection, for what aedes handles without asking:
 * an UNSUBSCRIBE without filters [MQTT-3.10.3-2], packet id 0 where one is required [MQTT-2.3.1-1].
 */
export function packetProblem(packet: Packet): string | undefined {
  const needsId = packet.cmd === 'subscribe' || packet.cmd === 'unsubscribe' || (packet.cmd === 'publish' && packet.qos > 0);
  if (needsId && packet.messageId === 0) return `${packet.cmd} with packet id 0 [MQTT-2.3.1-1]`;
  if (packet.cmd === 'unsubscribe' && packet.unsubscriptions.length === 0) return 'UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2]';
  if (packet.cmd === 'unsubscribe' && packet.unsubscriptions.some(isIllFormed)) return 'ill-formed UTF-8 in a topic filter [MQTT-1.5.3-1]';
  return undefined;
}
