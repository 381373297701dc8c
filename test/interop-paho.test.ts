import { describe } from 'vitest';
import { pahoClient, skipWithoutPaho } from './support/interop-paho.ts';
import { interopSuite } from './support/interop-suite.ts';

// the Eclipse Paho Python client (test/interop/paho_client.py) against `crosswire broker-serve`
// and, as a baseline, Mosquitto
describe.skipIf(skipWithoutPaho('interop with the Paho Python client'))('paho-mqtt (Python)', () => {
  interopSuite((broker) => pahoClient(broker.host, broker.port));
});
