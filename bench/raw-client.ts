import mqttPacket from 'mqtt-packet';
import type { ClientTransport, Link, LinkHandler } from '../src/transport/link.ts';

/** What a set of raw clients reports: CONNACKs seen (accepted / refused) and closes. */
export interface RawTally {
  accepted: number;
  refused: number;
  closed: number;
  /** performance.now() of the last accepted CONNACK. */
  lastConnackAt: number;
  /** Called when `accepted` reaches `waitFor`. */
  waitFor: number;
  onAllAccepted: (() => void) | undefined;
}

export function newTally(): RawTally {
  return { accepted: 0, refused: 0, closed: 0, lastConnackAt: 0, waitFor: Infinity, onAllAccepted: undefined };
}

/**
 * A CONNACK is 4 bytes: 0x20 0x02 flags code. aedes (mqtt-packet's writeToStream) writes it
 * field by field into a corked stream; MemoryLink hands the corked fields over as one chunk, but
 * the client does not count on it: it counts bytes and reads the 4th. The CONNACK is the first
 * thing the broker sends.
 */
const CONNACK = 0x20;

/**
 * The smallest MQTT client that can take part in a storm: it sends a CONNECT it is handed
 * (pre-generated once per client, outside any timed section, and not kept by the client) and
 * counts the CONNACK. No parser, no keep-alive, no state machine: the baseline for "what does a
 * connect cost the broker", and for "what does a connected client cost the heap".
 */
export class RawClient implements LinkHandler {
  link: Link | null = null;
  private got = 0;
  private type = 0;
  private readonly tally: RawTally;

  constructor(tally: RawTally) {
    this.tally = tally;
  }

  open(transport: ClientTransport, connect: Buffer): void {
    this.got = 0;
    this.link = transport.connect(this);
    this.link.send(connect);
  }

  onLinkData(chunk: Buffer): void {
    const got = this.got;
    if (got >= 4) return; // past the CONNACK (nothing else is expected)
    this.got = got + chunk.length;
    if (got === 0) this.type = chunk[0];
    if (this.got < 4 || this.type !== CONNACK) return;
    const code = chunk[3 - got];
    const t = this.tally;
    if (code === 0) {
      t.accepted++;
      t.lastConnackAt = performance.now();
      this.accepted();
      if (t.accepted === t.waitFor) t.onAllAccepted?.();
    } else t.refused++;
  }

  /** After an accepted CONNACK: what a client of a richer baseline does next (subscribe, publish). */
  protected accepted(): void {}

  onLinkClose(): void {
    this.link = null;
    this.tally.closed++;
  }
}

/** A CONNECT for MQTT 3.1.1, clean session, keep-alive off (as cameras send it). */
export function connectPacket(clientId: string, username?: string, password?: string): Buffer {
  return mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive: 0,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password: Buffer.from(password) }),
  });
}

/** Same slice as ScaledClock uses for due timers: 2000 per event-loop turn, then setImmediate. */
export const CONNECT_SLICE = 2000;

/**
 * Opens every client in slices of CONNECT_SLICE per event-loop turn, the same way the
 * scenario clock fires a herd of due reconnect timers, and resolves when `expected` of them
 * (all, by default) are accepted on `tally` (or rejects after `timeoutMs`).
 */
export function openAll(
  clients: RawClient[],
  packets: Buffer[],
  transport: ClientTransport,
  tally: RawTally,
  timeoutMs: number,
  /** Called synchronously at the last CONNACK (e.g. to read process.cpuUsage()). */
  atLast?: () => void,
  /** CONNACKs on `tally` to wait for: all the clients, unless some count on a tally of their own. */
  expected = clients.length,
): Promise<void> {
  return new Promise((resolve, reject) => {
    tally.waitFor = tally.accepted + expected;
    const timer = setTimeout(
      () => reject(new Error(`only ${tally.accepted} of ${tally.waitFor} CONNACKs after ${timeoutMs} ms`)),
      timeoutMs,
    );
    tally.onAllAccepted = () => {
      atLast?.();
      clearTimeout(timer);
      tally.onAllAccepted = undefined;
      resolve();
    };
    let next = 0;
    const slice = (): void => {
      const end = Math.min(clients.length, next + CONNECT_SLICE);
      for (; next < end; next++) clients[next].open(transport, packets[next]);
      if (next < clients.length) setImmediate(slice);
    };
    slice();
  });
}
