import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { within } from './async.ts';
import type { Connection, InteropClient, Login, Message, Published, QoS, Received } from './interop-client.ts';
import { recordSkip } from './server-skip.ts';

const SCRIPT = fileURLToPath(new URL('../interop/paho_client.py', import.meta.url));

/** The first Python that can import paho (pip's, else Debian's python3-paho-mqtt under /usr/bin). */
export const PAHO_PYTHON = [process.env.PAHO_PYTHON, 'python3', '/usr/bin/python3'].find(
  (python) => python !== undefined && python !== '' && spawnSync(python, ['-c', 'import paho.mqtt.client'], { stdio: 'ignore' }).status === 0,
);

/** Skip locally with the install hint (recorded for the SKIPPED summary); under CI a missing paho fails. */
export function skipWithoutPaho(group: string): boolean {
  if (PAHO_PYTHON !== undefined || process.env.CI) return false;
  recordSkip({ group, missing: 'no python3 that can import paho.mqtt', install: 'pip install paho-mqtt, or apt-get install python3-paho-mqtt' });
  return true;
}

type Reply = Record<string, unknown> & { reply?: number; event?: string; handle?: string; error?: string };

class PahoConnection implements Connection {
  code: number | undefined;
  sessionPresent: boolean | undefined;
  granted: number[] = [];
  received: Received[] = [];
  closedByBroker = false;
  private readonly handle: string;
  private readonly ask: (request: Record<string, unknown>) => Promise<Reply>;
  constructor(handle: string, ask: (request: Record<string, unknown>) => Promise<Reply>) {
    this.handle = handle;
    this.ask = ask;
  }
  async disconnect(): Promise<void> {
    await this.ask({ op: 'disconnect', handle: this.handle });
  }
  async drop(): Promise<void> {
    await this.ask({ op: 'drop', handle: this.handle });
  }
}

/** The Eclipse Paho Python client, driven through test/interop/paho_client.py (JSON lines). */
export async function pahoClient(host: string, port: number): Promise<InteropClient> {
  if (PAHO_PYTHON === undefined) throw new Error('no python3 with paho-mqtt');
  const child: ChildProcessWithoutNullStreams = spawn(PAHO_PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const waiting = new Map<number, (reply: Reply) => void>();
  const connections = new Map<string, PahoConnection>();
  let next = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const reply = JSON.parse(line) as Reply;
    if (reply.event === 'message') {
      connections.get(reply.handle!)?.received.push({ topic: reply.topic as string, payload: reply.payload as string, qos: reply.qos as QoS, retain: reply.retain as boolean });
    } else if (reply.event === 'closed') {
      const connection = connections.get(reply.handle!);
      if (connection !== undefined) connection.closedByBroker = true;
    } else if (reply.reply !== undefined) {
      waiting.get(reply.reply)?.(reply);
      waiting.delete(reply.reply);
    }
  });
  const ask = async (request: Record<string, unknown>): Promise<Reply> => {
    const id = next++;
    const answer = new Promise<Reply>((resolve) => waiting.set(id, resolve));
    child.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
    const reply = await within(answer, 15_000, `paho_client.py to answer ${JSON.stringify(request.op)} (stderr: ${stderr})`);
    if (reply.error !== undefined && request.op !== 'refuse') throw new Error(`paho_client.py: ${reply.error}`);
    return reply;
  };
  const wire = (login: Login) => ({ host, port, client_id: login.clientId, username: login.username, password: login.password, clean: login.clean, will: login.will ?? null });
  const version = (await ask({ op: 'version' })).version as string;
  return {
    name: `paho-mqtt ${version} (Python)`,
    async open(login, filters = []) {
      const handle = `h${next}`;
      const connection = new PahoConnection(handle, ask);
      connections.set(handle, connection);
      const reply = await ask({ op: 'open', handle, login: wire(login), filters });
      connection.code = (reply.code as number | null) ?? undefined;
      connection.sessionPresent = connection.code === 0 ? (reply.session_present as boolean) : undefined;
      connection.granted = reply.granted as number[];
      return connection;
    },
    async publish(login, message: Message): Promise<Published> {
      const reply = await ask({ op: 'publish', login: wire(login), message });
      return { code: (reply.code as number | null) ?? undefined, completed: reply.completed as boolean };
    },
    refuses: {
      // Paho raises ValueError("A client id must be provided if clean session is False.")
      emptyIdUnclean: async () => (await ask({ op: 'refuse', login: wire({ username: 'nobody', password: 'x', clientId: '', clean: false }) })).error as string,
    },
    async close() {
      child.stdin.end();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await within(exited, 10_000, 'paho_client.py to exit').catch(() => child.kill('SIGKILL'));
    },
  };
}
