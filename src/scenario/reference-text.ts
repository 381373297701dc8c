import type { ThresholdMetric } from './threshold-expression.ts';

/**
 * The words of the scenario reference (docs/scenario-reference.md): what each field means, kept
 * beside the schema because zod carries types, bounds and defaults but not these sentences.
 * scenario-reference.ts takes everything else from the schema itself; its test fails when a field
 * has no sentence here, or a sentence names a field the schema no longer has.
 */

/** What each scenario field is, by dotted path. Units the schema cannot say go here. */
export const fieldText: Readonly<Record<string, string>> = {
  name: 'names the report directory',
  description: 'free text, shown nowhere but the file',
  seed: 'fixes fleet, ownership, events, fault picks, transfers and every jitter draw',
  timeScale: 'real clock only: scenario time runs this many times faster than the wall clock',
  clock: '`virtual`: no real timers or I/O, the same seed gives the same history byte for byte; `real`: wall-clock time compressed by `timeScale`; `auto`: virtual wherever it can be (see [Clocks and determinism](clocks.md))',
  duration: 'scenario time the run lasts',
  drain: 'cameras stop publishing this long before the end; shorter than `duration`; every step must end before then',
  'fleet.devices': 'cameras: the fleet size (ignored when `fleet.accounts` is set); at most 500,000 on the `memory` transport, 8,000 on `tcp`',
  'fleet.retainSnapshots': 'cameras publish their online snapshot retained (a "last thumbnail"), so the broker replays every camera\'s to the service on each (re)subscribe, across transfers; cleared as each camera leaves ([Hostile tenants](hostile-tenants.md#retained-and-persistent-state-across-transfers))',
  'fleet.accounts': 'exactly this many accounts, each drawing its cameras from `devicesPerAccount`',
  'fleet.devicesPerAccount': 'cameras per account: a uniform draw per account',
  'fleet.viewersPerAccount': 'app sessions per account: a uniform draw per account',
  'fleet.eventInterval': "mean time between one camera's motion events (exponential gaps)",
  'fleet.tapShare': 'share of received thumbnails a viewer opens (asks for the video)',
  'fleet.transport': '`memory`: in-process streams (100k+ devices); `tcp`: loopback sockets; ignored with `broker.url` (its scheme decides)',
  'fleet.cameraTransport': '`fleet`: cameras use the fleet\'s transport (`fleet.transport`, or the scheme of `broker.url`); `ws`: MQTT over WebSocket (the embedded broker\'s WebSocket listener, or `broker.wsUrl`); real clock only (see [External brokers](external-brokers.md))',
  'fleet.viewerTransport': '`fleet` or `ws`, as `cameraTransport`, for the viewers (the phone apps)',
  'fleet.keepalive': 'seconds: keep-alive announced in CONNECT (0: none)',
  'fleet.backoff.kind': 'reconnect delay: 0, `base`, or base · 2^(attempt−1) capped at `cap`; `none` needs a real clock (see [Scenarios](scenarios.md))',
  'fleet.backoff.jitter': 'on a delay d: d, U[0,d], U[d/2,d], or min(cap, U[base, 3·previous])',
  'fleet.backoff.base': 'first delay',
  'fleet.backoff.cap': 'longest delay',
  'fleet.backoff.maxAttempts': 'attempts: give up after this many failures in a row; 0 = never',
  'identities.devices': "how device ids look: `sequential` (`cam-0000001`), `mac` (`ac:cc:8e:4f:02:9b`, a few vendor prefixes shared by the fleet), `uuid` (version 4 layout), `serial` (`CW2-7KQ9M4XPZ3RT`); drawn from the seed, unique (see [Scenarios](scenarios.md#realistic-ids-and-keys))",
  'identities.accounts': 'how account ids look: `sequential` (`acct-000001`) or `uuid`; a transfer\'s `to` still names accounts by ordinal (`acct-000001` is the first)',
  'identities.keyTemplate': 'the cache key of a device\'s ownership record: `{device}` exactly once, any other text around it (no spaces or braces), e.g. `tenant:eu-west-1/owner/{device}`',
  'broker.connectTimeout':
    '**wall clock**: how long a new connection may take to send its CONNECT before the broker closes it (aedes\' own timer); in a herd a slow broker drops what it cannot read in time, and those cameras retry',
  'broker.acl': 'the embedded broker\'s topic rules: `strict`, or a positive control with ONE rule too broad — `weakened-read` (a viewer may read every account\'s topic) or `weakened-publish` (a viewer may publish on any camera\'s topic) — which a `hostile:` scenario must FAIL on; not with `broker.url` (an external broker\'s rules: `broker-config mosquitto --weaken`) ([Hostile tenants](hostile-tenants.md))',
  'broker.thread': 'where aedes runs: `inline` = in the run\'s own thread; `worker` = a worker thread of its own (real clock and memory transport only; otherwise exit 2), see [The broker\'s thread](clocks.md#the-brokers-thread)',
  'broker.url': 'a broker crosswire does not own, instead of the embedded one: `mqtt://`, `mqtts://`, `ws://` or `wss://` host:port (no credentials: each principal brings its own, see [External brokers](external-brokers.md)); real clock only',
  'broker.wsUrl': "the external broker's WebSocket listener (`ws://host:port/path`), for `fleet.cameraTransport` / `viewerTransport`: `ws` when `url` is `mqtt://` or `mqtts://`",
  'broker.ca': 'path of a PEM file: the CA that signed the external broker\'s certificate (`mqtts://`, `wss://`; default: the system\'s roots)',
  'broker.cert': 'path of a PEM client certificate for the external broker (with `key`)',
  'broker.key': 'path of the PEM key of `cert`',
  'broker.restartCommand': 'shell command a `broker-restart` step runs against the external broker while the fleet is cut off; the heal waits for it to exit 0',
  'broker.restartTimeout': '**wall clock**: how long `restartCommand` may take; past it, it is killed and the fault fails (the run cannot PASS)',
  'cache.adapter': 'the cache under test: an adapter id or a module path such as `./my-adapter.js` (see [Cache adapters](adapters.md))',
  'cache.url': 'network adapters: use this server (`redis://…`, `memcached://…`) instead of starting a private one',
  'cache.module': 'package name: load the client library from this installed package (an npm alias)',
  'cache.proxy': 'network adapters: the chaos proxy between service and server (cache faults need it)',
  'cache.ttl': 'TTL of cached ownership records',
  'cache.createTimeout': "**wall clock**: how long the adapter's `create()` may take; past it the run stops with exit 5",
  'cache.closeTimeout': "**wall clock**: how long the adapter's `close()` may take at the end; past it, a warning (the verdict stands)",
  'cache.operationTimeout': '**wall clock**: how long one get/set/delete may take before it is recorded as failed (its effect unknown); `0` never',
  'cache.options': 'adapter-specific knobs, passed as they are',
  'service.verify': "the service's verification layer: `envelope` (the value must echo the key asked for), `source-of-truth` (re-check the owner in the database before acting)",
  'service.sourceOfTruthLatency': 'latency of the database behind the cache',
  timeline: 'what happens when: a list of steps, or `{ stages: [...] }` (below)',
  'checks.minReconnectShare': 'the storm check: this share of the cameras cut off must come back after each heal',
  'checks.everyAccountDelivered': 'the deliveries check: every account the pipeline owed a thumbnail (an event of its camera delivered, or lost by a failed lookup) got one of its own',
  'checks.minTransfersTested': 'the transfers-tested check: share of transferred cameras whose owner was looked up through the cache after the transfer',
  thresholds: 'metric → list of expressions: k6-style limits (`reconnect_seconds: ["p(99)<30"]`); breached alone, exit 3 (below)',
  shard: 'this process runs shard `i/N` (i from 0): its slice of accounts with their cameras and viewers, and its own service instance; needs `broker.url`; usually given as `--shard` (see [Shards](shards.md))',
  workers: 'run as this many worker processes on this machine: the parent serves the embedded broker over loopback TCP and the cache server, each worker runs shard `i/N`, one merged verdict; a real clock, no `broker.url`; also `--workers` (see [Workers](shards.md#workers-one-machine-one-command))',
  'limits.historyBytes': 'the history cap: past it the run stops early, INCONCLUSIVE (see [Scenarios](scenarios.md#the-history-cap))',
  'hostile.attackers': 'accounts that turn hostile, drawn from the seed among accounts that own a camera; each uses its own viewer credentials, and each has another account as its victim ([Hostile tenants](hostile-tenants.md))',
  'hostile.rounds': 'scenario times at which every attacker tries every kind (a few ms apart): put them before, during and after the storm and after a transfer; each round plus `listen` must end within `duration`',
  'hostile.kinds': 'the attempt kinds tried; default: every kind ([what each does](hostile-tenants.md#what-is-tried))',
  'hostile.listen': 'how long each attempt\'s connection stays and listens after its SUBSCRIBE, PUBLISH or CONNECT, scenario time',
  'explore.devices': 'fleet sizes to draw (`fleet.devices`); the `explore:` section holds the bounds of `crosswire explore` and a run ignores it ([Explore](explore.md#bounds))',
  'explore.devicesPerAccount': 'the largest `fleet.devicesPerAccount.max` to draw',
  'explore.viewersPerAccount': 'the largest `fleet.viewersPerAccount.max` to draw',
  'explore.duration': 'scenario lengths to draw',
  'explore.eventInterval': 'mean times between one camera\'s events to draw',
  'explore.faults': 'fault kinds the timeline draws its steps from; default: every kind the adapter can be put under',
  'explore.steps': 'how many fault steps a timeline gets',
  'explore.faultWindow': 'how long a drawn fault lasts',
  'explore.transfers': 'how many ownership-transfer steps a timeline gets',
  'explore.transferShare': 'share of devices one transfer moves',
  'explore.backoff': 'backoff families to draw (`fixed`, `exponential`)',
  'explore.backoffBase': 'first reconnect delays to draw',
  'explore.backoffCap': 'longest reconnect delays to draw (never below the drawn base)',
  'explore.ttl': 'cache TTLs to draw',
  'explore.identities': 'device id shapes to draw',
  'explore.keyTemplates': 'owner-key templates to draw from',
  'explore.options': 'adapter options to draw: each name takes one of its listed values, e.g. `timeout: [50, 100, 400]`',
  'explore.attempts': 'real clock: how many times in a row a shrunk candidate must FAIL to be kept',
};


/** The fields of a stage (`timeline: { stages: [...] }`). */
export const stageFieldText: Readonly<Record<string, string>> = {
  name: 'names the stage in messages and reports',
  gap: "wait this long after the previous stage's last heal (the first stage: after the run starts)",
  steps: "the stage's steps; they start together: their `at` (default `0`) and `heal` count from the stage's start",
};

/** What each threshold metric measures. */
export const thresholdText: Readonly<Record<ThresholdMetric, string>> = {
  reconnect_seconds: "scenario seconds from a restore (outage, restart, storm, partition heal) to each camera's reconnect",
  thumbnail_latency_ms: "scenario ms from a camera's publish to a viewer's receipt",
  cache_latency_ms: 'wall-clock ms of each cache operation (0 on a virtual clock)',
  cache_errors: 'share of cache operations that failed',
  events_dropped: 'share of published events dropped for a stated reason',
  violations: 'leaks the oracle saw',
  failed_connects: 'camera connection attempts that failed',
};
