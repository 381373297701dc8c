import { expect, it } from 'vitest';
import { expectedCredentialsText, startInteropBroker } from './support/interop-brokers.ts';
import { mqttJsClient } from './support/interop-mqttjs.ts';
import { interopSuite } from './support/interop-suite.ts';

// mqtt.js (the `mqtt` npm package) against `crosswire broker-serve` and, as a baseline, Mosquitto
interopSuite((broker) => mqttJsClient(broker.host, broker.port));

it('crosswire broker-serve --credentials-file writes every principal of the seed, as broker-config --plaintext does', async () => {
  const broker = await startInteropBroker('crosswire');
  try {
    expect(broker.credentialsText).toBe(await expectedCredentialsText());
    expect(broker.credentialsText).toMatch(/^svc-reference:[0-9a-f]{32}\n/);
  } finally {
    await broker.stop();
  }
});
