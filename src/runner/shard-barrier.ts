import { CONTROL_TOPIC_PREFIX } from '../broker/acl.ts';
import { CrosswireError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { ClientState, LeanMqttClient } from '../mqtt/lean-client.ts';
import type { Credentials } from '../registry/credentials.ts';
import { serviceUsername } from '../registry/credentials.ts';
import type { ShardSpec } from '../registry/shard-slice.ts';
import type { ClientTransport } from '../transport/link.ts';

/** How the shards of a run agreed on scenario time zero; recorded in each history and summary. */
export interface ShardStart {
  shard: string;
  /** Scenario time zero, epoch ms, as agreed. */
  zeroAt: number;
  via: 'barrier' | 'start-at';
  /** Each shard's ready instant (epoch ms, by its own clock); only with the barrier. */
  readyAt?: number[];
  /** Largest gap seen between a shard's send instant and its arrival here (clock offset plus latency), ms. */
  skewMs?: number;
  /** Real ms this shard waited at the barrier for the others. */
  waitedMs: number;
  /** How late this shard's clock started after zeroAt (its own timer's lateness), ms. */
  lateMs?: number;
}

export interface BarrierOptions {
  spec: ShardSpec;
  transport: ClientTransport;
  credentials: Credentials;
  /** Names the run on the control topic, so runs sharing a broker do not meet each other. */
  runId: string;
  /** This shard's service, announced to the others (their viewers fetch its cameras' clips there). */
  tapUrl: string;
  timeoutMs: number;
  /** Time zero is this long after the last shard was ready: every shard hears of it before then. */
  marginMs: number;
  signal?: AbortSignal;
}

interface Ready {
  shard: number;
  count: number;
  readyAt: number;
  sentAt: number;
  tap: string;
}

const REPEAT_MS = 250;
const RETRY_CONNECT_MS = 500;

export function barrierTopic(runId: string): string {
  return `${CONTROL_TOPIC_PREFIX}${runId.replace(/[^A-Za-z0-9._-]+/g, '-')}/ready`;
}

/**
 * The shards meet through the broker before time zero: each subscribes to the run's control
 * topic, then publishes "ready" (its index, its ready instant, its service's address) every
 * 250 ms. Once all N are heard, time zero is the latest ready instant plus the margin — the same
 * number on every shard, since each repeats its own first ready instant. A shard keeps repeating
 * until time zero, so a later one still hears it. Plain QoS 0 messages: nothing retained stays
 * on the broker after the run.
 */
export function meetAtBarrier(o: BarrierOptions): Promise<ShardStart & { tapUrls: string[] }> {
  const started = Date.now();
  const topic = barrierTopic(o.runId);
  const heard = new Map<number, Ready>();
  let skewMs = 0;
  let readyAt: number | undefined;
  return new Promise((resolve, reject) => {
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (error: Error | undefined, value?: ShardStart & { tapUrls: string[] }) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      clearInterval(repeat);
      o.signal?.removeEventListener('abort', onAbort);
      client.close();
      if (error) reject(error);
      else resolve(value!);
    };
    const onAbort = () => finish(new CrosswireError('shards-interrupted', 'interrupted while waiting for the other shards', ExitCode.interrupted));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const client = new BarrierClient(o.transport, o.credentials, o.spec.index, {
      connected: () => client.subscribe(1, [topic]),
      subscribed: () => {
        readyAt ??= Date.now();
        announce();
      },
      message: (payload) => {
        const ready = parseReady(payload);
        if (ready === undefined || ready.count !== o.spec.count || ready.shard >= o.spec.count) return;
        skewMs = Math.max(skewMs, Math.abs(Date.now() - ready.sentAt));
        if (!heard.has(ready.shard)) heard.set(ready.shard, ready);
        if (heard.size === o.spec.count && zeroAt === undefined) agreed();
      },
      dropped: () => timers.push(setTimeout(() => client.open(), RETRY_CONNECT_MS)),
    });
    let zeroAt: number | undefined;
    const announce = () => {
      if (readyAt === undefined) return;
      const ready: Ready = { shard: o.spec.index, count: o.spec.count, readyAt, sentAt: Date.now(), tap: o.tapUrl };
      client.publish(topic, Buffer.from(JSON.stringify(ready)));
    };
    const repeat = setInterval(announce, REPEAT_MS);
    const agreed = () => {
      const all = [...heard.values()].sort((a, b) => a.shard - b.shard);
      zeroAt = Math.max(...all.map((r) => r.readyAt)) + o.marginMs;
      // keep announcing until time zero, then stop: every shard has heard every other by then
      timers.push(
        setTimeout(
          () =>
            finish(undefined, {
              shard: `${o.spec.index}/${o.spec.count}`,
              zeroAt: zeroAt!,
              via: 'barrier',
              readyAt: all.map((r) => r.readyAt),
              skewMs: Math.round(skewMs),
              waitedMs: Date.now() - started,
              tapUrls: all.map((r) => r.tap),
            }),
          Math.max(0, zeroAt - Date.now() - REPEAT_MS),
        ),
      );
    };
    timers.push(
      setTimeout(() => {
        const missing = Array.from({ length: o.spec.count }, (_, i) => i).filter((i) => !heard.has(i));
        const connected = client.state === ClientState.connected;
        finish(
          new CrosswireError(
            'shards-did-not-meet',
            `shard ${o.spec.index}/${o.spec.count}: ${connected ? `shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} never announced ready` : 'could not reach the broker'} on ${topic} within ${o.timeoutMs / 1000}s (--barrier-timeout); start every shard of the run with the same scenario, seed, shard count and --run-id`,
            ExitCode.shardsDidNotMeet,
          ),
        );
      }, o.timeoutMs),
    );
    client.open();
  });
}

function parseReady(payload: Buffer): Ready | undefined {
  try {
    const r = JSON.parse(payload.toString('utf8')) as Partial<Ready>;
    const ok = [r.shard, r.count, r.readyAt, r.sentAt].every((n) => Number.isInteger(n) && (n as number) >= 0) && typeof r.tap === 'string';
    return ok ? (r as Ready) : undefined;
  } catch {
    return undefined;
  }
}

class BarrierClient extends LeanMqttClient {
  private readonly creds: Credentials;
  private readonly index: number;
  private readonly on: { connected(): void; subscribed(): void; message(payload: Buffer): void; dropped(): void };

  constructor(transport: ClientTransport, credentials: Credentials, index: number, on: BarrierClient['on']) {
    super(transport);
    this.creds = credentials;
    this.index = index;
    this.on = on;
  }

  get clientId(): string {
    return `${serviceUsername('reference')}~barrier-${this.index}`;
  }

  protected credentials(): [string, string] {
    const name = serviceUsername('reference');
    return [name, this.creds.password(name)];
  }

  protected override onConnected(): void {
    this.on.connected();
  }

  protected override onSuback(_id: number, grants: Buffer): void {
    if (grants[0] !== 0x80) this.on.subscribed();
  }

  protected override onMessage(_topic: string, payload: Buffer): void {
    this.on.message(payload);
  }

  protected override onDisconnected(_wasConnected: boolean, closedByUs: boolean): void {
    if (!closedByUs) this.on.dropped();
  }
}
