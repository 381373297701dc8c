/**
 * The part of every standalone repro that does not depend on the library: the proxy that stages
 * the drop, seeding, the schedule, judging and the output. It calls the library only through the
 * hooks a client file defines before it (openClient, connected, send, quit, end, LIBRARY). Plain
 * JavaScript without template literals, so it sits in String.raw.
 */
export const SCRIPT_BODY = String.raw`
const ATTEMPTS = Math.max(1, Number(process.env.ATTEMPTS || 5));
/** How long a command may wait for its reply once the connection is back. */
const REPLY_TIMEOUT_MS = 1500;
/** What happened to the connection, as the output says it. */
const DROP = { reset: 'reset', close: PLAN.drop.empty ? 'server restart' : 'close' }[PLAN.drop.kind];

const server = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
const HOST = server.hostname;
const PORT = Number(server.port || 6379);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** As redis-cli shows a reply: a bulk string as it is, nil, or an integer. */
const show = (value) => (value === null ? '(nil)' : value === undefined ? '(nothing)' : typeof value === 'number' ? '(integer) ' + value : value === '' ? '""' : String(value));

/**
 * A TCP proxy between the client and the server, standing in for the chaos proxy of the run:
 * until the drop it keeps every reply of the server back (as the run's reply latency did, but
 * without a race against the drop), so the commands are all still waiting when drop() sends an
 * RST to the client ("reset", the chaos proxy's reset) or closes the connection ("close") and,
 * for downMs, either refuses new ones (the cache unreachable) or takes them and closes them at
 * once (a proxy in front of a server that is restarting). Afterwards connections pass straight.
 */
/** A transaction's reply to a queued command. */
const QUEUED = '+QUEUED\r\n';

function startProxy() {
  const pairs = new Set();
  let holding = true;
  let closingUntil = 0;
  const proxy = net.createServer((client) => {
    if (Date.now() < closingUntil) {
      // a server down behind the proxy: the connection is taken, then closed
      client.on('error', () => {});
      setImmediate(() => client.destroy());
      return;
    }
    const upstream = net.connect(PORT, HOST);
    const pair = { client, upstream, held: [] };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (holding) pair.held.push(chunk);
      else client.write(chunk);
    });
  });
  let port;
  let reopen;
  return new Promise((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(0, '127.0.0.1', () => {
      port = proxy.address().port;
      resolve({
        port,
        async drop(kind, downMs, whileDown) {
          // the run's replies came in slices, so its drop could land inside a transaction's
          // replies: wait (a little) for a transaction's first +QUEUED, and pass the replies up to it
          const queued = (pair) => Buffer.concat(pair.held).indexOf(QUEUED);
          for (let waited = 0; PLAN.drop.insideTransaction && waited < 500 && ![...pairs].some((p) => queued(p) >= 0); waited += 2) await sleep(2);
          holding = false;
          if (kind === 'close' && whileDown === 'accept-and-close') closingUntil = Date.now() + downMs;
          // nothing listening: the client's reconnects are refused
          else if (kind === 'close' && downMs > 0) {
            proxy.close();
            reopen = setTimeout(() => proxy.listen(port, '127.0.0.1'), downMs);
          }
          for (const pair of [...pairs]) {
            const cut = () => {
              if (kind === 'reset' && typeof pair.client.resetAndDestroy === 'function') pair.client.resetAndDestroy();
              else pair.client.destroy();
              pair.upstream.destroy();
            };
            const at = PLAN.drop.insideTransaction ? queued(pair) : -1;
            if (at >= 0) pair.client.write(Buffer.concat(pair.held).subarray(0, at + QUEUED.length), cut);
            else cut();
          }
        },
        close() {
          clearTimeout(reopen);
          for (const pair of [...pairs]) {
            pair.client.destroy();
            pair.upstream.destroy();
          }
          return new Promise((done) => (proxy.listening ? proxy.close(() => done()) : done()));
        },
      });
    });
  });
}

/** A command through the library: its reply, its error, or "no reply" by the deadline. */
function issue(client, command, deadlineMs) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ noReply: true }), deadlineMs);
    send(client, command, (error, reply) => {
      clearTimeout(timer);
      resolve(error ? { error: error.code || error.message } : { reply });
    });
  });
}

/** Writes the owner records the run had under these keys (and removes the keys it never wrote), directly, not through the proxy. */
async function seed() {
  const client = openClient(PORT, HOST);
  await connected(client, 'the server at ' + server.href);
  const seeded = new Set(PLAN.seed.map((s) => s.key));
  const writes = PLAN.seed.map((s) => issue(client, { op: 'set', key: s.key, value: s.value }, 5000));
  const removals = PLAN.commands.filter((c) => !seeded.has(c.key)).map((c) => issue(client, { op: 'delete', key: c.key }, 5000));
  for (const result of await Promise.all([...writes, ...removals])) if (!('reply' in result)) throw new Error('could not seed the keys: ' + JSON.stringify(result));
  await quit(client);
}

/** A server that restarted comes back empty: the keys go, directly, while the proxy refuses the client. */
async function empty() {
  const client = openClient(PORT, HOST);
  await connected(client, 'the server at ' + server.href);
  await Promise.all([...new Set(PLAN.commands.map((c) => c.key))].map((key) => issue(client, { op: 'delete', key }, 5000)));
  await quit(client);
}

/**
 * Judges every reply once all are in, in the order the commands were sent: a GET must return a
 * value the key can hold by then — the last write that was acknowledged, or any write after it
 * whose outcome is unknown (rejected or unanswered: it may have reached the server) —, a SET
 * "OK", a DEL a count. A restart empties the keys.
 */
function judgeAll(sent) {
  const holds = new Map(PLAN.seed.map((s) => [s.key, [s.value]]));
  const can = (key) => holds.get(key) ?? [null];
  const judged = [];
  for (const entry of sent) {
    if (entry.drop) {
      if (PLAN.drop.empty) holds.clear();
      continue;
    }
    const { command: c, result } = entry;
    const replied = 'reply' in result;
    if (c.op === 'get') {
      const expected = can(c.key);
      judged.push({ ...entry, expected, right: replied && expected.includes(result.reply) });
    } else {
      const written = c.op === 'set' ? c.value : null;
      const acknowledged = replied && (c.op === 'set' ? result.reply === 'OK' : typeof result.reply === 'number');
      holds.set(c.key, acknowledged ? [written] : [...new Set([...can(c.key), written])]);
      judged.push({ ...entry, expected: [c.op === 'set' ? 'OK' : '(integer)'], right: acknowledged });
    }
  }
  return judged;
}

async function attempt() {
  await seed();
  const proxy = await startProxy();
  const client = openClient(proxy.port, '127.0.0.1');
  try {
    await connected(client, 'the proxy');
    const steps = [...PLAN.commands.map((c) => ({ at: c.atMs, order: c.phase === 'in-flight' ? 0 : 2, command: c })), { at: PLAN.drop.atMs, order: 1 }];
    steps.sort((a, b) => a.at - b.at || a.order - b.order);
    const started = Date.now();
    const sent = [];
    for (const step of steps) {
      const wait = started + step.at - Date.now();
      if (wait > 0) await sleep(wait);
      if (step.command === undefined) {
        await proxy.drop(PLAN.drop.kind, PLAN.drop.downMs, PLAN.drop.whileDown);
        sent.push({ drop: true });
        if (PLAN.drop.empty) await empty();
        continue;
      }
      const c = step.command;
      const deadline = Math.max(0, PLAN.drop.atMs - step.at) + PLAN.drop.downMs + REPLY_TIMEOUT_MS;
      sent.push(issue(client, { ...c, transaction: true }, deadline).then((result) => ({ command: c, result })));
    }
    return judgeAll(await Promise.all(sent));
  } finally {
    end(client);
    await proxy.close();
  }
}

function outcome(entry) {
  const r = entry.result;
  if (r.noReply) return 'no reply';
  if ('error' in r) return 'rejected (' + r.error + ')';
  return show(r.reply);
}

function ownerOf(value) {
  const holder = PLAN.seed.find((s) => s.value === value);
  return holder === undefined ? '' : '   (the value of ' + holder.key + ')';
}

function print(results) {
  for (const e of results) {
    const c = e.command;
    const what = (c.op === 'delete' ? 'DEL' : c.op.toUpperCase()) + ' ' + c.key;
    const when = c.phase === 'in-flight' ? 'in flight at the ' + DROP : 'after the ' + DROP;
    console.log('  ' + (e.right || !('reply' in e.result) ? '  ' : '✗ ') + ('+' + Math.round(c.atMs) + 'ms').padEnd(9) + (what.length < 40 ? what.padEnd(40) : what + ' ') + when.padEnd(32) + '→ ' + outcome(e));
  }
}

async function main() {
  const n = PLAN.commands.length;
  console.log(LIBRARY + ' against ' + server.href + ': ' + n + ' commands from run ' + PLAN.run.scenario + ' (seed ' + PLAN.run.seed + '), a ' + DROP + ' with ' + PLAN.commands.filter((c) => c.phase === 'in-flight').length + ' in flight');
  for (let tried = 1; tried <= ATTEMPTS; tried++) {
    const results = await attempt();
    const wrong = results.filter((e) => !e.right && 'reply' in e.result);
    if (wrong.length === 0) {
      console.log('attempt ' + tried + ': every reply right or rejected');
      if (tried === ATTEMPTS) {
        print(results);
        console.log('OK: ' + LIBRARY + ' gave no wrong reply in ' + ATTEMPTS + ' attempt(s)');
        return 0;
      }
      continue;
    }
    console.log('attempt ' + tried + ': ' + wrong.length + ' wrong repl' + (wrong.length === 1 ? 'y' : 'ies'));
    print(results);
    for (const e of wrong) {
      const c = e.command;
      console.log('WRONG REPLY: ' + (c.op === 'delete' ? 'DEL' : c.op.toUpperCase()) + ' ' + c.key);
      console.log('  expected ' + (e.expected.length === 1 ? show(e.expected[0]) : 'one of ' + e.expected.map(show).join(' | ')));
      console.log('  received ' + show(e.result.reply) + ownerOf(e.result.reply));
      const run = PLAN.run.wrongRead;
      if (c.id === run.id) console.log('  (the run\'s first wrong read, op ' + run.id + (e.result.reply === run.received ? ': the same value it received in the run)' : ': in the run it received ' + show(run.received) + ')'));
    }
    console.log('FAIL: ' + LIBRARY + ' returned ' + wrong.length + ' wrong repl' + (wrong.length === 1 ? 'y' : 'ies') + ' on attempt ' + tried + ' of at most ' + ATTEMPTS);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error('could not run the reproduction: ' + error.message);
    process.exit(2);
  },
);
`;
