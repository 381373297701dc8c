/**
 * The hooks of the repro script for ioredis 4.x, with the options the run's adapter used: no INFO
 * ready check, a quick reconnect, commands kept while offline. A record with a TTL is written as
 * `MULTI; SET; PEXPIRE; EXEC`, as the run's adapter wrote it (with at least 60 s, so no key the
 * script reads expires while it runs); EXEC's answer counts as "OK" when it is SET's OK and
 * PEXPIRE's 1.
 */
export const IOREDIS_CLIENT = String.raw`
const { library: Redis, version } = load('ioredis');
const LIBRARY = 'ioredis@' + version;

function openClient(port, host) {
  const client = new Redis({ port, host, enableReadyCheck: false, maxRetriesPerRequest: null, retryStrategy: () => 50 });
  client.on('error', () => {}); // a drop is expected
  return client;
}

function connected(client, what) {
  return new Promise((resolve, reject) => {
    if (client.status === 'ready') return resolve();
    const timer = setTimeout(() => reject(new Error('no connection to ' + what + ' within 5 s')), 5000);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function execReply(replies) {
  if (replies === null) throw new Error('EXEC: transaction discarded');
  // EXEC answered with another command's reply: shown as it came
  if (!Array.isArray(replies) || !replies.every(Array.isArray)) return Buffer.isBuffer(replies) || typeof replies === 'string' ? String(replies) : JSON.stringify(replies);
  const failed = replies.find(([error]) => error);
  if (failed) throw failed[0];
  return replies[0][1] === 'OK' && replies[1][1] === 1 ? 'OK' : JSON.stringify(replies.map(([, reply]) => reply));
}

function send(client, command, done) {
  let reply;
  if (command.op === 'get') reply = client.get(command.key);
  else if (command.op === 'delete') reply = client.del(command.key);
  else if (PLAN.writes === 'multi' && command.transaction) reply = client.multi().set(command.key, command.value).pexpire(command.key, Math.max(PLAN.ttlMs || 0, 60000)).exec().then(execReply);
  else reply = client.set(command.key, command.value);
  reply.then((value) => done(null, value), (error) => done(error));
}

const quit = (client) => client.quit().then(() => undefined, () => undefined);
const end = (client) => client.disconnect();
`;
