import net from 'node:net';
import type { CacheOpRef, WrongValue } from '../cache-adapter.ts';
import { ConfessionLog } from '../faulty/confession-log.ts';
import { encodeCommand, RespError, RespParser, type RespReply } from './resp-codec.ts';

/**
 * A small Redis client built the way most clients are: one connection, a pending FIFO, and reply i
 * handed to the head of the FIFO. Two switches reintroduce the two historical ways that FIFO goes
 * wrong (mechanisms A1, A2 in docs/mechanisms.md); both only bite when the network misbehaves.
 *
 * Besides the FIFO the client keeps, per connection, the list of requests in the order they were
 * written to that socket: the truth about which request each reply answers. When the FIFO hands
 * a GET a reply that belongs to another key's request, the client confesses it.
 */
export interface FifoRespClientOptions {
  host: string;
  port: number;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** Wait before reconnecting after a drop, ms. */
  reconnectDelayMs?: number;
  connectTimeoutMs?: number;
  /** A1: a timed-out request leaves the FIFO, but its reply still comes on the same socket. */
  dropOnTimeout?: boolean;
  /** A2: requests in flight at a drop stay in the FIFO (neither rejected nor resent). */
  keepQueueOnReconnect?: boolean;
  /** Label for confessions, e.g. 'A1 crossed-replies'. */
  mechanism?: string;
  /** Time stamp for confessions (scenario time). */
  now?: () => number;
}

export class WireError extends Error {
  override readonly name = 'WireError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

type Kind = 'GET' | 'SET' | 'DEL';

interface Request {
  kind: Kind;
  key: string;
  frame: Buffer;
  op: CacheOpRef | undefined;
  resolve: (reply: RespReply) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Answered, timed out or failed: a slot still in the FIFO after this is abandoned. */
  settled: boolean;
  writtenAt: number;
}

interface Connection {
  id: number;
  socket: net.Socket;
  parser: RespParser;
  /** What was written on this socket, in order: reply i really answers sent[i]. */
  sent: Request[];
  open: boolean;
}

export class FifoRespClient {
  private readonly options: Required<FifoRespClientOptions>;
  private readonly log = new ConfessionLog();
  /** The FIFO that replies are handed to. */
  private pending: Request[] = [];
  /** Requests issued while disconnected; written, in order, once connected. */
  private offline: Request[] = [];
  private conn: Connection | undefined;
  private nextConnId = 1;
  private lastServedBy: number | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** Successful connects so far (1 after the first, 2 after the first reconnect…). */
  connections = 0;
  lastError: Error | undefined;

  constructor(options: FifoRespClientOptions) {
    this.options = {
      host: options.host,
      port: options.port,
      timeoutMs: options.timeoutMs,
      reconnectDelayMs: options.reconnectDelayMs ?? 50,
      connectTimeoutMs: options.connectTimeoutMs ?? 1000,
      dropOnTimeout: options.dropOnTimeout ?? false,
      keepQueueOnReconnect: options.keepQueueOnReconnect ?? false,
      mechanism: options.mechanism ?? 'wire FIFO',
      now: options.now ?? Date.now,
    };
    this.connect();
  }

  get wrongValues(): readonly WrongValue[] {
    return this.log.entries;
  }

  get connected(): boolean {
    return this.conn?.open === true;
  }

  connectionId(): string | undefined {
    return this.lastServedBy === undefined ? undefined : `wire-conn-${this.lastServedBy}`;
  }

  async get(key: string, op?: CacheOpRef): Promise<string | undefined> {
    const reply = await this.send('GET', key, ['GET', key], op);
    return reply === null ? undefined : String(reply);
  }

  async set(key: string, value: string, ttlMs?: number, op?: CacheOpRef): Promise<void> {
    const ttl = ttlMs !== undefined && ttlMs > 0 ? ['PX', Math.ceil(ttlMs)] : [];
    await this.send('SET', key, ['SET', key, value, ...ttl], op);
  }

  async del(key: string, op?: CacheOpRef): Promise<void> {
    await this.send('DEL', key, ['DEL', key], op);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const error = new WireError('ECLOSED', 'client closed');
    for (const request of [...this.pending, ...this.offline]) this.fail(request, error);
    this.pending = [];
    this.offline = [];
    const socket = this.conn?.socket;
    if (socket === undefined || socket.destroyed) return;
    const gone = new Promise<void>((resolve) => socket.once('close', resolve));
    socket.destroy();
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 200).unref())]);
  }

  private send(kind: Kind, key: string, args: (string | number)[], op: CacheOpRef | undefined): Promise<RespReply> {
    if (this.closed) return Promise.reject(new WireError('ECLOSED', 'client closed'));
    return new Promise<RespReply>((resolve, reject) => {
      const request: Request = { kind, key, frame: encodeCommand(args), op, resolve, reject, timer: undefined, settled: false, writtenAt: 0 };
      request.timer = setTimeout(() => this.onTimeout(request), this.options.timeoutMs);
      if (this.conn?.open && !this.conn.socket.destroyed) this.write(this.conn, request);
      else this.offline.push(request);
    });
  }

  private write(conn: Connection, request: Request): void {
    request.writtenAt = Date.now();
    this.pending.push(request);
    conn.sent.push(request);
    conn.socket.write(request.frame);
  }

  private onTimeout(request: Request): void {
    if (request.settled) return;
    this.fail(request, new WireError('ETIMEDOUT', `${request.kind} ${request.key}: no reply within ${this.options.timeoutMs}ms`));
    const unsent = this.offline.indexOf(request);
    if (unsent >= 0) {
      this.offline.splice(unsent, 1); // never written: nothing will answer it
      return;
    }
    if (this.options.dropOnTimeout) {
      // A1: forget the request but not the reply still on its way
      const i = this.pending.indexOf(request);
      if (i >= 0) this.pending.splice(i, 1);
    }
    // Correct: the slot stays in the FIFO, abandoned, and eats its own reply when it comes.
    // Every mode: when the oldest write on the socket has waited far too long, the connection
    // is dead in the water (a black hole): start over.
    const oldest = this.conn?.sent[0];
    if (oldest !== undefined && Date.now() - oldest.writtenAt > 10 * this.options.timeoutMs) this.conn?.socket.destroy();
  }

  private fail(request: Request, error: Error): void {
    if (request.settled) return;
    request.settled = true;
    clearTimeout(request.timer);
    request.reject(error);
  }

  private connect(): void {
    const id = this.nextConnId++;
    const socket = net.connect({ host: this.options.host, port: this.options.port });
    const conn: Connection = { id, socket, parser: new RespParser(), sent: [], open: false };
    this.conn = conn;
    socket.setNoDelay(true);
    const connectTimer = setTimeout(() => socket.destroy(), this.options.connectTimeoutMs);
    socket.on('connect', () => {
      clearTimeout(connectTimer);
      conn.open = true;
      this.connections++;
      for (const request of this.offline.splice(0)) this.write(conn, request);
    });
    socket.on('data', (chunk: Buffer) => {
      let replies: RespReply[];
      try {
        replies = conn.parser.push(chunk);
      } catch (error) {
        this.lastError = error as Error;
        socket.destroy(); // unparseable stream: nothing after this can be paired safely
        return;
      }
      for (const reply of replies) this.onReply(conn, reply);
    });
    socket.on('error', (error) => {
      this.lastError = error;
    });
    socket.on('close', () => {
      clearTimeout(connectTimer);
      this.onDrop(conn);
    });
  }

  private onDrop(conn: Connection): void {
    conn.open = false;
    if (this.conn !== conn) return;
    this.conn = undefined;
    if (!this.options.keepQueueOnReconnect) {
      // Correct: nobody will answer these on a new socket; they may or may not have run.
      const error = new WireError('ECONNLOST', `connection wire-conn-${conn.id} lost with the request in flight`);
      for (const request of this.pending) this.fail(request, error);
      this.pending = [];
    }
    // A2 (node_redis 2.0–2.2.5): the FIFO survives and the new socket's replies go to its head.
    if (!this.closed) this.reconnectTimer = setTimeout(() => this.connect(), this.options.reconnectDelayMs);
  }

  private onReply(conn: Connection, reply: RespReply): void {
    if (this.conn !== conn) return;
    const truth = conn.sent.shift();
    const handed = this.pending.shift();
    if (handed === undefined || handed.settled) return; // unsolicited, or an abandoned slot's reply
    handed.settled = true;
    clearTimeout(handed.timer);
    this.lastServedBy = conn.id;
    if (reply instanceof RespError) {
      handed.reject(reply);
      return;
    }
    if (handed.kind === 'GET' && reply !== null && truth !== handed && !(truth?.kind === 'GET' && truth.key === handed.key)) {
      this.confess(handed, String(reply), truth, conn.id);
    }
    handed.resolve(reply);
  }

  private confess(handed: Request, returned: string, truth: Request | undefined, connId: number): void {
    const source = truth === undefined ? 'an unsolicited reply' : `the reply to ${truth.kind} ${truth.key}`;
    this.log.record({
      opId: handed.op?.id,
      key: handed.key,
      returned,
      // unknown here: in crosswire every value embeds its key, so another key's value is wrong
      expected: undefined,
      mechanism: `${this.options.mechanism}: GET ${handed.key} got ${source} (wire-conn-${connId})`,
      at: this.options.now(),
    });
  }
}
