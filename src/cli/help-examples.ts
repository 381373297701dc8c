import type { Command } from 'commander';

/** Examples under each command's `--help` (and in docs/cli-reference.md): the commands people type first. */
const examples: Record<string, string[]> = {
  run: [
    'crosswire run                                      # the built-in reconnect storm, in-memory cache',
    'crosswire run --cache ioredis                      # a private redis-server is started on a free port',
    'crosswire run scenarios/controls/cache-chaos-storm.yaml --cache ./my-adapter.js',
    'crosswire run --cache faulty:crossed-replies --seed 7 --quiet',
    'crosswire run --devices 500 --set fleet.eventInterval=2s --out-dir /tmp/reports',
  ],
  explore: [
    'crosswire explore --cache faulty:crossed-replies --budget 2m',
    'crosswire explore scenarios/controls/cache-chaos-storm.yaml --cache redis@2.2.5 --seed 7',
    'crosswire explore scenarios/controls/cache-chaos-storm.yaml --cache redis@2.2.5 --export /tmp/repro',
  ],
  fuzz: [
    'crosswire fuzz --budget 60s --seed 1             # the embedded broker as crosswire configures it, loopback TCP',
    'crosswire fuzz --broker mqtt://127.0.0.1:1884 --seed 1   # a broker set up by `crosswire broker-config mosquitto --seed 1`',
    'crosswire fuzz --replay test/fixtures/fuzz-regressions   # every saved case, byte for byte',
  ],
  export: ['crosswire export reports/latest                    # writes reports/latest/repro/', 'crosswire export reports/latest --out /tmp/redis-repro --json'],
  selftest: ['crosswire selftest', 'crosswire selftest --only ioredis --seed 3'],
  validate: ['crosswire validate scenarios/*.yaml', 'crosswire validate --quiet my-storm.yaml'],
  schema: ['crosswire schema --out scenarios/scenario.schema.json'],
  check: ['crosswire check reports/latest', 'crosswire check reports/reconnect-storm/2026-01-01T120000Z-seed1 --json'],
  replay: ['crosswire replay reports/latest', 'crosswire replay reports/latest --quiet --out-dir /tmp/replays'],
  report: ['crosswire report reports/latest'],
  prune: ['crosswire prune --keep 20', 'crosswire prune --older-than 7d --dry-run', 'crosswire prune --out-dir /tmp/reports --keep 5 --json'],
  list: ['crosswire list adapters', 'crosswire list faults', 'crosswire list scenarios'],
  init: ['crosswire init adapter my-cache               # my-cache.js and my-cache.contract.test.js', 'crosswire init adapter my-cache --ts --dir test/cache'],
  merge: [
    'crosswire merge reports/reconnect-storm/*-shard*of3          # the three shards of one run, judged as one',
    'crosswire merge shard0/ shard1/ --out-dir /tmp/merged --quiet',
  ],
  'broker-config': [
    'crosswire broker-config mosquitto --seed 1         # print mosquitto.conf, passwd and acl for the default storm',
    'crosswire broker-config mosquitto scenarios/partial-partition.yaml --seed 3 --out-dir /tmp/broker --port 1884',
    'crosswire broker-config mosquitto --devices 500 --plaintext --out-dir /tmp/emqx   # username:password lines',
    'crosswire broker-config mosquitto scenarios/hostile-tenants.yaml --weaken read --out-dir /tmp/weak   # a control: must FAIL',
  ],
  'broker-serve': [
    'crosswire broker-serve --seed 1 --devices 4 --port 1884 --credentials-file /tmp/creds.txt',
    'crosswire broker-serve --seed 1 --ws-port 0 --json     # free ports, printed as one JSON line',
  ],
  completion: [
    'source <(crosswire completion bash)                # this shell; add the line to ~/.bashrc to keep it',
    'crosswire completion zsh > "${fpath[1]}/_crosswire"',
    'crosswire completion fish > ~/.config/fish/completions/crosswire.fish',
  ],
};

/** Adds an `Examples:` block after the help of every command that has some; returns the names it covered. */
export function addHelpExamples(program: Command): string[] {
  const covered: string[] = [];
  for (const command of program.commands) {
    const lines = examples[command.name()];
    if (lines === undefined) continue;
    command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`);
    covered.push(command.name());
  }
  return covered;
}
