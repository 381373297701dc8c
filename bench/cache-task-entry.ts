import { RESULT_MARK } from './child-task.ts';
import { runCacheStorm } from './cache-storm.ts';

/**
 * Child-process entry for the cache-adapter bench (see cache-child.ts): `<label> <adapter> <proxy|direct>`.
 * Same protocol as task-entry.ts: the result on stdout as one `@@bench-result <json>` line,
 * progress on stderr.
 */
const [label, adapter, path] = process.argv.slice(2);
if (label === undefined || adapter === undefined || (path !== 'proxy' && path !== 'direct')) {
  throw new Error(`usage: cache-task-entry.ts <label> <adapter> <proxy|direct> (got ${process.argv.slice(2).join(' ')})`);
}
const log = (line: string) => process.stderr.write(`${line}\n`);
const result = await runCacheStorm(label, adapter, path === 'proxy', log);
process.stdout.write(`${RESULT_MARK}${JSON.stringify({ part: 'cache', ...result })}\n`);
// client libraries keep timers and sockets (reconnect logic, http agents): the result is out, leave now
process.exit(0);
