import { Aedes, type Client } from 'aedes';

/** What aedes keeps per broker and does not declare in its typings. */
interface AedesInternals {
  connectedClients: number;
  clients: Record<string, Client | undefined>;
  deleteClient(clientId: string): void;
}

/**
 * aedes without its `$SYS/<broker>/new/clients` and `…/disconnect/clients` notices. aedes
 * publishes one per connect and one per disconnect, through its whole publish path (a packet,
 * the emitter's topic match, its own listener), for other brokers of a cluster and for
 * `$SYS` subscribers. Its ACL lets no client subscribe to a `$` topic ([MQTT-4.7.2-1]), and
 * when several instances share one bus (a broker per worker) each client id connects to its own
 * worker's instance only, so no other instance has a session of it to close: in a storm they
 * were two publishes per connection for nothing. Registering and forgetting a client, and the
 * `client` and `clientDisconnect` events, are as aedes does them.
 */
export class QuietAedes extends Aedes {
  _finishRegisterClient(client: Client): void {
    const self = this as unknown as AedesInternals;
    self.connectedClients++;
    self.clients[client.id] = client;
    this.emit('client', client);
  }

  unregisterClient(client: Client): void {
    (this as unknown as AedesInternals).deleteClient(client.id);
    this.emit('clientDisconnect', client);
  }
}
