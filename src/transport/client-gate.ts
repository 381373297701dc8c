import type { ClientTransport, Link, LinkHandler } from './link.ts';
import { RefusedLink } from './memory-transport.ts';

/**
 * The fleet's side of the network, for a broker crosswire does not own: every link of every
 * transport wrapped through one gate can be dropped at the same instant, and new ones refused
 * at once (all of them, or those of the client ids a cut names) until the gate reopens. A
 * broker outage against someone else's broker is this cut on the client side.
 */
export class ClientGate {
  private readonly live = new Map<string, GatedLink>();
  private readonly anonymous = new Set<GatedLink>();
  private refusing = false;
  private readonly cuts = new Set<ReadonlySet<string>>();

  /** The transport `inner`, its links counted and cut by this gate. */
  wrap(inner: ClientTransport): ClientTransport {
    return {
      id: inner.id,
      connect: (handler: LinkHandler): Link => {
        if (this.refusing || this.isCut(handler.clientId)) return new RefusedLink(handler);
        return new GatedLink(this, inner, handler);
      },
    };
  }

  get openLinks(): number {
    return this.live.size + this.anonymous.size;
  }

  get isRefusing(): boolean {
    return this.refusing;
  }

  setRefusing(refusing: boolean): void {
    this.refusing = refusing;
  }

  /** Hangs up every link at once; returns how many there were. */
  dropAll(): number {
    const all = [...this.live.values(), ...this.anonymous];
    for (const link of all) link.hangUp();
    return all.length;
  }

  /** Hangs up one client's link; false if it had none. */
  drop(clientId: string): boolean {
    const link = this.live.get(clientId);
    if (link === undefined) return false;
    link.hangUp();
    return true;
  }

  /** The clients in `clientIds` lose their links and are refused until the returned restore(). */
  cut(clientIds: ReadonlySet<string>): { dropped: number; restore(): void } {
    const cut = new Set(clientIds);
    this.cuts.add(cut);
    let dropped = 0;
    for (const id of cut) if (this.drop(id)) dropped++;
    return { dropped, restore: () => void this.cuts.delete(cut) };
  }

  private isCut(clientId: string | undefined): boolean {
    if (clientId === undefined) return false;
    for (const cut of this.cuts) if (cut.has(clientId)) return true;
    return false;
  }

  /** @internal a link tells its gate when it opens and closes */
  opened(link: GatedLink): void {
    if (link.clientId === undefined) this.anonymous.add(link);
    else this.live.set(link.clientId, link);
  }

  /** @internal */
  closed(link: GatedLink): void {
    if (link.clientId === undefined) this.anonymous.delete(link);
    else if (this.live.get(link.clientId) === link) this.live.delete(link.clientId);
  }
}

/** A link through the gate: the inner transport's link, seen by the gate as it opens and closes. */
class GatedLink implements Link, LinkHandler {
  readonly clientId: string | undefined;
  private readonly gate: ClientGate;
  private readonly handler: LinkHandler;
  private readonly inner: Link;
  private hungUp = false;

  constructor(gate: ClientGate, transport: ClientTransport, handler: LinkHandler) {
    this.gate = gate;
    this.handler = handler;
    this.clientId = handler.clientId;
    gate.opened(this);
    this.inner = transport.connect(this);
  }

  onLinkData(chunk: Buffer): void {
    if (!this.hungUp) this.handler.onLinkData(chunk);
  }

  onLinkClose(): void {
    this.gate.closed(this);
    this.handler.onLinkClose();
  }

  send(chunk: Buffer): void {
    if (!this.hungUp) this.inner.send(chunk);
  }

  hangUp(): void {
    // nothing more reaches the client from the instant it is cut, though the socket closes a tick later
    this.hungUp = true;
    this.gate.closed(this);
    this.inner.hangUp();
  }

  get refused(): boolean | undefined {
    return this.inner.refused;
  }
}
