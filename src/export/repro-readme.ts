import type { ExportTarget } from './export-target.ts';
import type { ReproPlan } from './repro-plan.ts';

/** How each drop is told: in a title, in a sentence, as the script stages it. */
const DROPS: Record<ReproPlan['drop']['fault'], { title: string; what: string; short: string; staged: string; fault: string }> = {
  'cache-reset': { title: 'a connection reset', what: 'the connection to the server is reset', short: 'reset', staged: 'resets the connection (an RST to the client)', fault: 'chaos proxy (cache-reset)' },
  'cache-outage': { title: 'the cache was unreachable', what: 'the connection to the server is closed and the server unreachable for a while', short: 'close', staged: 'closes the connection and refuses new ones', fault: 'cache outage (cache-outage)' },
  'cache-restart': { title: 'a server restart', what: 'the server restarts (its connections closed, its data gone)', short: 'server restart', staged: 'closes the connection, refuses new ones and empties the keys', fault: 'server restart (cache-restart)' },
};

/** The published fix of each library's mechanism, and its version. */
const FIXES: Record<string, { text: string; version: string }> = {
  redis: { text: 'node_redis 2.3.0 rejects the commands in flight when the connection is lost (redis/node-redis#898)', version: '2.3.0' },
  ioredis: { text: 'ioredis 4.16.1 aborts every pipeline and transaction a reconnect cut short (redis/ioredis#800, fixed by #1084)', version: '4.16.1' },
};

/** README.md for the maintainer: what the script shows, where it came from, how to run it, what it prints. */
export function reproReadme(plan: ReproPlan, target: ExportTarget, origin: string): string {
  const w = plan.wrong;
  const inFlight = plan.commands.filter((c) => c.phase === 'in-flight').length;
  const after = plan.commands.length - inFlight;
  // a key the run's restart emptied holds nothing until written again
  const emptied = plan.drop.empty === true && plan.commands.some((c) => c.id === w.id && c.phase === 'after-drop');
  const expected = emptied ? undefined : plan.seed.find((s) => s.key === w.key)?.value;
  // as the script prints a reply: the string as it is
  const show = (v: string | undefined) => (v === undefined ? '(nil)' : v);
  const holder = plan.seed.find((s) => s.value === w.received)?.key;
  const library = `${target.packageName}@${target.version}`;
  const fix = FIXES[target.packageName];
  const drop = DROPS[plan.drop.fault];
  const commandLines = plan.commands.map((c) => `| ${c.id} | ${c.op === 'delete' ? 'DEL' : c.op.toUpperCase()} | \`${c.key}\` | +${Math.round(c.atMs)} ms | ${c.phase === 'in-flight' ? `in flight at the ${drop.short}` : `after the ${drop.short}`} |`);
  return [
    `# ${library}: a GET answered with another key's value after ${drop.title}`,
    '',
    `\`repro.mjs\` reproduces, with nothing but \`${library}\` and a Redis server, a wrong reply that`,
    `[crosswire](https://www.npmjs.com/package/crosswire) observed in a chaos run: ${story(inFlight, after, drop.what)}, so`,
    `\`GET ${w.key}\` returns ${holder ? `the value of \`${holder}\`` : `\`${show(w.received)}\`, another command's reply`} — no error, no warning.`,
    '',
    '## Run it',
    '',
    '```sh',
    'npm install',
    'REDIS_URL=redis://127.0.0.1:6379 node repro.mjs',
    '```',
    '',
    'The script writes the keys below on that server (and deletes those the run never wrote), then',
    'connects the client through a small TCP proxy inside the script. The proxy holds the server\'s',
    `replies back${plan.latencyMs !== undefined ? ` (as the run's ${plan.latencyMs} ms of cache latency did)` : ''} so the first ${inFlight} command(s) are still waiting when,`,
    `${Math.round(plan.drop.atMs)} ms after the first command, it ${drop.staged}${plan.drop.downMs > 0 ? ` for ${Math.round(plan.drop.downMs)} ms` : ''} — what the run's ${drop.fault} did.`,
    ...(plan.drop.insideTransaction
      ? ['The run\'s replies came in slices (cache-slice), so its reset could land inside a transaction\'s replies: the', 'proxy passes the replies up to a transaction\'s first `+QUEUED`, then resets.']
      : []),
    ...(target.writes === 'multi' ? ['Each SET goes out as `MULTI; SET; PEXPIRE; EXEC`, as the run\'s adapter wrote a record with its TTL.'] : []),
    `The commands go out with the run's keys, order and timing (scaled to wall clock). It tries the`,
    'sequence up to 5 times (`ATTEMPTS=n` to change that) and says which attempt showed the wrong reply.',
    '',
    '| exit | meaning |',
    '|---|---|',
    '| 1 | a reply was wrong: the key asked, the value expected and the value received are printed |',
    '| 0 | every reply was right, or the command was rejected with an error (the correct behaviour) |',
    '| 2 | the script could not run: no server at `REDIS_URL`, or the library is not installed |',
    '',
    '## Expected output',
    '',
    `With ${library}:`,
    '',
    '```',
    `WRONG REPLY: GET ${w.key}`,
    `  expected ${show(expected)}`,
    `  received ${show(w.received)}${holder ? `   (the value of ${holder})` : ''}`,
    '```',
    '',
    'with a WRONG REPLY block for each other command that got another\'s reply, and a last line',
    `\`FAIL: ${library} returned N wrong replies on attempt 1 of at most 5\`; exit code 1.`,
    '',
    fix ? `${fix.text}; with it the script exits 0: \`npm install ${target.packageName}@${fix.version} && node repro.mjs\`.` : '',
    '',
    '## Where it comes from',
    '',
    `Run \`${origin}\` (scenario \`${plan.scenario.name}\`, seed ${plan.scenario.seed}, time scale ${plan.scenario.timeScale}×): the`,
    `first wrong read was op ${w.id}, \`GET ${w.key}\`, started at ${w.startedAt} ms and answered at ${w.completedAt} ms`,
    `(scenario time)${w.connection ? ` on connection \`${w.connection}\`` : ''} with \`${show(w.received)}\`, a value only ever written under`,
    `${w.writtenUnder.length > 0 ? w.writtenUnder.map((k) => `\`${k}\``).join(', ') : 'no key at all'}. The cache connection dropped at ${plan.drop.at} ms (${plan.drop.fault})` +
      `${plan.latencyMs !== undefined ? `, under ${plan.latencyMs} ms of added reply latency` : ''} (active faults: ${plan.activeFaults.join(', ') || 'none'}).`,
    `The commands are those of the run that were waiting at that ${drop.short} up to the wrong read, and as`,
    'many of those sent after it as the wrong read\'s place in the queue:',
    '',
    '| op | command | key | sent at | |',
    '|---|---|---|---|---|',
    ...commandLines,
    '',
  ].join('\n');
}

/** What happened to the queue, in a sentence. */
function story(inFlight: number, after: number, what: string): string {
  if (inFlight === 0) return `${what}; of the ${after} commands sent from then on, while the client reconnects, some get replies meant for others`;
  return `${inFlight} command(s) are waiting for their replies when ${what}; the client reconnects and sends ${after} more; the replies to the new commands are handed to the old ones`;
}

/** package.json: the one dependency, pinned exactly. */
export function reproPackageJson(plan: ReproPlan, target: ExportTarget): string {
  const name = `repro-${target.packageName}-${target.version.replace(/\./g, '-')}-${plan.scenario.name}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 100);
  return JSON.stringify({ name, version: '1.0.0', private: true, type: 'module', description: `${target.packageName}@${target.version}: a wrong reply after a connection reset with commands in flight`, scripts: { start: 'node repro.mjs' }, dependencies: { [target.packageName]: target.version } }, null, 2) + '\n';
}
