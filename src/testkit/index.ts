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
