import net from 'node:net';

/**
 * The proxy's listening socket, which can be closed (clients then get ECONNREFUSED, as from a
 * dead server) and opened again on the same port. Start/stop calls run one after another, so a
 * flapping caller never has the socket opened twice.
 */
export class Listener {
  private readonly server: net.Server;
  private readonly host: string;
  private listening = false;
  private chain: Promise<void> = Promise.resolve();
  port = 0;

  constructor(host: string, onConnection: (socket: net.Socket) => void) {
    this.host = host;
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, onConnection);
    this.server.on('error', () => {}); // listen errors are reported by start() itself
  }

  /** Listens (on `port`, or on the last port once it has one). Rejects if the port stays taken. */
  start(port = this.port): Promise<void> {
    return this.enqueue(() => this.listen(port));
  }

  /** Stops accepting; resolves once every accepted socket is closed too (net.Server semantics). */
  stop(): Promise<void> {
    return this.enqueue(() => this.unlisten());
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => {});
    next.catch(() => {}); // a caller that does not await must not see an unhandled rejection
    return next;
  }

  private async listen(port: number): Promise<void> {
    if (this.listening) return;
    // The port was free when we gave it up, but an outgoing connection may have been handed the
    // same number meanwhile (it is in the ephemeral range): retry for a second before giving up.
    for (let attempt = 0; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => {
          this.server.once('error', reject);
          this.server.listen({ host: this.host, port }, () => {
            this.server.off('error', reject);
            resolve();
          });
        });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20 || port === 0) {
          throw new Error(`chaos proxy could not listen on ${this.host}:${port}: ${(error as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    this.listening = true;
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  private async unlisten(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
