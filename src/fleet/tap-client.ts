import { Agent, request } from 'node:http';

export interface TapResponse {
  status: number;
  body: Buffer;
}

/** How a viewer asks the service for an event's video: `GET /events/{id}/video` with a bearer token. */
export interface TapClient {
  video(eventId: number, bearerToken: string): Promise<TapResponse>;
  close(): void;
}

/** Over HTTP, as an app would: the real path, with keep-alive connections shared by all viewers. */
export function httpTapClient(baseUrl: string): TapClient {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  return {
    video: (eventId, token) =>
      new Promise((resolve, reject) => {
        const req = request(`${baseUrl}/events/${eventId}/video`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

/**
 * Straight into the service's request handler, no socket: for the virtual clock, where real
 * I/O would make the order of events depend on the machine.
 */
export function inProcessTapClient(answer: (path: string, authorization: string) => Promise<TapResponse>): TapClient {
  return {
    video: (eventId, token) => answer(`/events/${eventId}/video`, `Bearer ${token}`),
    close: () => {},
  };
}

/**
 * A sharded run: each shard's service keeps the clips of its own cameras, so a tap goes to the
 * service of the shard that published the event (`shardOf`), at the address that shard announced
 * (`urls`, filled in when the shards meet; until then, and for unknown shards, `fallback`).
 */
export function shardedTapClient(fallback: TapClient, shardOf: (eventId: number) => number, urls: readonly string[]): TapClient {
  const clients = new Map<string, TapClient>();
  const clientFor = (eventId: number): TapClient => {
    const url = urls[shardOf(eventId)];
    if (url === undefined) return fallback;
    let client = clients.get(url);
    if (client === undefined) clients.set(url, (client = httpTapClient(url)));
    return client;
  };
  return {
    video: (eventId, token) => clientFor(eventId).video(eventId, token),
    close: () => {
      fallback.close();
      for (const client of clients.values()) client.close();
    },
  };
}
