import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EmbeddedBroker } from '../../broker/embedded-broker.ts';
import { CrosswireError } from '../../errors.ts';
import { ExitCode } from '../../exit-codes.ts';
import { serviceUsername, viewerClientId } from '../../registry/credentials.ts';
import { TcpServerTransport } from '../../transport/tcp-transport.ts';
import { WsServerTransport } from '../../transport/ws-transport.ts';
import { brokerPrincipals, plaintextPasswords, type FleetFlags } from '../broker-principals.ts';

export interface BrokerServeOptions extends FleetFlags {
  host: string;
  /** 0: a free port. */
  port: number;
  /** A WebSocket listener beside TCP (0: a free port); none when absent. */
  wsPort?: number;
  /** Write `username:password` lines of every principal here (mode 0600). */
  credentialsFile?: string;
  /** One JSON line (urls, seed, credentials file, sample principals) instead of the text. */
  json?: boolean;
}

/**
 * `crosswire broker-serve [scenario]`: the embedded broker as a run configures it (aedes with
 * crosswire's authentication, client-id binding and ACL), on TCP and optionally WebSocket, for the
 * scenario's principals and seed, until SIGINT or SIGTERM. For pointing independent MQTT clients
 * at it; the passwords are the ones `broker-config` writes for the same seed.
 */
export async function brokerServeCommand(file: string | undefined, options: BrokerServeOptions, signal?: AbortSignal): Promise<number> {
  const principals = await brokerPrincipals(file, options);
  const { scenario, registry, credentials, about } = principals;
  const tcp = new TcpServerTransport(options.host, options.port);
  const ws = options.wsPort === undefined ? undefined : new WsServerTransport(options.host, options.wsPort);
  let broker: EmbeddedBroker;
  try {
    broker = await EmbeddedBroker.start(tcp, credentials, registry, scenario.broker, ws);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new CrosswireError('BROKER_LISTEN', `broker-serve: cannot listen on ${options.host} (--port ${options.port}${ws ? `, --ws-port ${options.wsPort}` : ''}): ${(error as Error).message}`, ExitCode.usage);
    }
    throw error;
  }
  const credentialsFile = options.credentialsFile === undefined ? undefined : resolve(options.credentialsFile);
  if (credentialsFile !== undefined) await writeFile(credentialsFile, plaintextPasswords(principals), { mode: 0o600 });
  const account = registry.accountIds[0];
  const info = {
    url: `mqtt://${options.host}:${tcp.port}`,
    wsUrl: ws?.url,
    seed: scenario.seed,
    cameras: registry.deviceIds.length,
    accounts: registry.accountIds.length,
    credentialsFile,
    service: serviceUsername('reference'),
    camera: registry.deviceIds[0],
    account,
    viewerClientId: account === undefined ? undefined : viewerClientId(account, 1),
  };
  const seedFlags = `--seed ${scenario.seed}${options.devices !== undefined ? ` --devices ${options.devices}` : ''}${options.accounts !== undefined ? ` --accounts ${options.accounts}` : ''}`;
  process.stdout.write(
    options.json
      ? `${JSON.stringify(info)}\n`
      : [
          `crosswire broker (aedes with crosswire's auth and ACL), ${about}`,
          `mqtt: ${info.url}`,
          ...(info.wsUrl ? [`ws:   ${info.wsUrl}`] : []),
          credentialsFile !== undefined
            ? `credentials: ${credentialsFile} (username:password, one principal a line)`
            : `credentials: --credentials-file <file>, or crosswire broker-config mosquitto${file ? ` ${file}` : ''} ${seedFlags} --plaintext --out-dir <dir>`,
          `principals: service ${info.service} (client id ${info.service} or ${info.service}~<any>, publishes accounts/<account>/events, reads devices/+/events)`,
          `            camera ${info.camera} (client id = username, publishes devices/${info.camera}/…)`,
          `            viewer ${info.account} (client id ${info.viewerClientId}, reads accounts/${info.account}/…)`,
          `run against it: crosswire run${file ? ` ${file}` : ''} ${seedFlags} --broker ${info.url}`,
          'Ctrl-C stops it.',
          '',
        ].join('\n'),
  );
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  await broker.close();
  return ExitCode.pass;
}
