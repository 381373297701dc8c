import { CrosswireError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { LeanMqttClient } from '../mqtt/lean-client.ts';
import type { Credentials } from '../registry/credentials.ts';
import { serviceUsername } from '../registry/credentials.ts';
import type { ClientTransport } from '../transport/link.ts';

/** How long the probe waits for the broker's CONNACK (wall clock). */
const PROBE_TIMEOUT_MS = 10_000;

/** CONNACK return codes [MQTT-3.2.2-3] and what they mean for a probe. */
const refusals: Record<number, string> = {
  1: 'unacceptable protocol version (crosswire speaks MQTT 3.1.1)',
  2: 'client identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

class Probe extends LeanMqttClient {
  private readonly credentialsSource: Credentials;
  private settle: ((outcome: { code: number } | { closed: true }) => void) | undefined;
  constructor(transport: ClientTransport, credentials: Credentials, settle: (outcome: { code: number } | { closed: true }) => void) {
    super(transport);
    this.credentialsSource = credentials;
    this.settle = settle;
  }
  get clientId(): string {
    return `${serviceUsername('reference')}~probe`;
  }
  protected credentials(): [string, string] {
    const name = serviceUsername('reference');
    return [name, this.credentialsSource.password(name)];
  }
  protected override onConnected(): void {
    this.settle?.({ code: 0 });
    this.settle = undefined;
    this.close();
  }
  protected override onRefused(code: number): void {
    this.settle?.({ code });
    this.settle = undefined;
  }
  protected override onDisconnected(): void {
    this.settle?.({ closed: true });
    this.settle = undefined;
  }
}

/**
 * Before the fleet starts, one CONNECT as the reference service: an external broker that is not
 * there, or does not know this run's credentials, stops the run at once (exit 69) with what to do,
 * rather than as a storm that never comes back.
 */
export async function probeExternalBroker(url: string, transport: ClientTransport, credentials: Credentials, seed: number): Promise<void> {
  let probe: Probe | undefined;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await new Promise<{ code: number } | { closed: true } | { timeout: true }>((resolve) => {
    timer = setTimeout(() => resolve({ timeout: true }), PROBE_TIMEOUT_MS);
    probe = new Probe(transport, credentials, resolve);
    probe.open();
  });
  clearTimeout(timer);
  if ('code' in outcome && outcome.code === 0) return;
  probe?.close();
  const configHint = `its password and ACL files must come from \`crosswire broker-config mosquitto --seed ${seed}\` (same scenario, seed and CROSSWIRE_BROKER_SECRET)`;
  let why: string;
  if ('timeout' in outcome) why = `no CONNACK within ${PROBE_TIMEOUT_MS / 1000}s`;
  else if ('closed' in outcome) why = 'the connection closed before a CONNACK (nothing listening there, or a TLS or WebSocket handshake that failed)';
  else why = `CONNECT refused: ${refusals[outcome.code] ?? `return code ${outcome.code}`}; ${configHint}`;
  throw new CrosswireError('BROKER_UNREACHABLE', `external broker ${url}: ${why}`, ExitCode.unavailable);
}
