import type { ConnectPacket } from 'aedes';

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
  const will = packet.will?.topic;
  if (will === undefined) return undefined;
  // the will topic is a topic name: at least one character [MQTT-4.7.3-1], no wildcards [MQTT-3.3.2-2]
  if (will.length === 0) return 'empty will topic [MQTT-4.7.3-1]';
  if (will.includes('+') || will.includes('#')) return 'wildcard in the will topic [MQTT-3.3.2-2]';
  if (isIllFormed(will)) return 'ill-formed UTF-8 in the will topic [MQTT-1.5.3-1]';
  return undefined;
}
