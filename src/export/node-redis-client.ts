/**
 * The hooks of the repro script for node_redis 2.x (`redis@2.x` on npm), with the options the
 * run's adapter used: no INFO ready check (the queue holds exactly the commands sent), a quick
 * reconnect, the offline queue on. The callback API.
 */
export const NODE_REDIS_CLIENT = String.raw`
const { library: redis, version } = load('redis');
const LIBRARY = 'redis@' + version;

function openClient(port, host) {
  const client = redis.createClient(port, host, { no_ready_check: true, retry_max_delay: 100, enable_offline_queue: true });
  client.on('error', () => {}); // a drop is expected; 2.3.0 also reports the commands it aborts here
  return client;
}

function connected(client, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no connection to ' + what + ' within 5 s')), 5000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function send(client, command, done) {
  if (command.op === 'get') client.get(command.key, done);
  else if (command.op === 'set') client.set(command.key, command.value, done);
  else client.del(command.key, done);
}

const quit = (client) => new Promise((resolve) => client.quit(() => resolve()));
const end = (client) => client.end(true);
`;
