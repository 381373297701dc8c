/**
 * Where each test file runs. `unit` (everything not listed here): modules and quick virtual-clock
 * runs, files in parallel. `e2e`: whole runs on a real clock, private servers, CLI processes, a
 * browser — in `npm test`, two files at a time. `long`: end-to-end files too long for `npm test`'s
 * five minutes (every shipped scenario's summary, external brokers, shards, the first hour from a
 * packed tarball, selftest, check and replay of stored runs, the CI examples' gate, prune and
 * explore from the command line, the 66 bad-input cases of the CLI, the interop suite with
 * independent MQTT clients, the fuzzer's positive control and its command line): `npm run test:heavy` runs them with
 * test/heavy/, and CI runs that after `npm test`.
 */
const file = (name: string) => `test/${name}.test.ts`;

export const e2eFiles = [
  'adapter-misbehaviour',
  'cache-contract',
  'chaos-clients',
  'cli-interrupt',
  'gate',
  'init-adapter',
  'honest-adapters',
  'ioredis-pipeline-cut',
  'legacy-node-redis',
  'metrics-port',
  'network-controls',
  'network-faulty-controls',
  'positive-controls',
  'quiet-output',
  'private-server',
  'report-browser',
  'shipped-scenarios',
  'storm-run',
  'tcp-run',
  'thresholds',
  'user-adapter-module',
  'wire-fifo-client',
].map(file);

export const longFiles = [
  'cli-bad-input',
  'workers',
  'workers-live',
  'ci-example-gate',
  'gate-broker',
  'cli-prune',
  'explore-cli',
  'export-repro',
  'cli-selftest',
  'external-broker',
  'first-hour',
  'history-replay',
  'hostile-tenants-brokers',
  'broker-serve',
  'interop-mqttjs',
  'interop-mosquitto-clients',
  'interop-paho',
  'interop-raw-connect',
  'shards',
  'shards-violation-set',
  'summary-invariants',
  'ws-transport',
  'fuzz-control',
  'fuzz-cli',
].map(file);
