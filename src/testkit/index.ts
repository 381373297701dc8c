/** crosswire/testkit: the conformance suites plug-in authors run against their own code. */
export {
  assertCacheAdapterContract,
  contractCheckNames,
  runCacheAdapterContract,
  type AdapterFactory,
  type ContractCheckName,
  type ContractOptions,
  type ContractResult,
} from './cache-adapter-contract.ts';
export { adversarialKeys } from './adversarial-keys.ts';
// a private redis-server or memcached on a free loopback port, for contract tests of network adapters
export { serverBinaryAvailable, startPrivateServer, type PrivateServer, type PrivateServerOptions, type ServerKind } from '../servers/private-server.ts';
