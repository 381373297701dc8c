import { describe } from 'vitest';
import { mosquittoClients, skipWithoutMosquittoClients } from './support/interop-mosquitto-clients.ts';
import { interopSuite } from './support/interop-suite.ts';

// mosquitto_pub / mosquitto_sub (Debian's mosquitto-clients) against `crosswire broker-serve`
// and, as a baseline, Mosquitto
describe.skipIf(skipWithoutMosquittoClients('interop with mosquitto_pub and mosquitto_sub'))('mosquitto-clients', () => {
  interopSuite((broker) => mosquittoClients(broker.host, broker.port));
});
