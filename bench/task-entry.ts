import { runBareOutage } from './bare-outage.ts';
import { runBareStorm } from './bare-storm.ts';
import { RESULT_MARK } from './child-task.ts';
import { runFullStorm } from './full-storm.ts';
import { measureHeap } from './heap-per-client.ts';
import { measureOracleShare } from './oracle-share.ts';
import { planFor, stormScenario } from './storm-scenario.ts';

/**
 * Child-process entry (see child-task.ts): `storm <devices> <rate>`, `outage <devices> <rate>`
 * (the outage pair alone: its bare baseline and the full pipeline's; to profile or compare
 * quickly), `heap <clients>` or `oracle <devices>`. Results go to stdout as `@@bench-result <json>` lines, progress to stderr.
 */
const [task, countArg, rateArg] = process.argv.slice(2);
const count = Number(countArg);
const log = (line: string) => process.stderr.write(`${line}\n`);
const emit = (part: string, result: object) => process.stdout.write(`${RESULT_MARK}${JSON.stringify({ part, ...result })}\n`);

function gcNow(): void {
  globalThis.gc?.();
  globalThis.gc?.();
}

/** The outage's like-for-like baseline, then the full pipeline's outage storm. */
async function outagePair(): Promise<void> {
  emit('bareOutage', await runBareOutage(await stormScenario(planFor(count, Number(rateArg)), 'outage'), log));
  gcNow();
  emit('outage', await runFullStorm(count, Number(rateArg), 'outage', log));
}

switch (task) {
  case 'storm': {
    // bare first, then the full pipeline's cameras' storm, then the outage's baseline and the
    // broker outage through the full pipeline, in this one process
    emit('bare', await runBareStorm(count, log));
    gcNow();
    emit('full', await runFullStorm(count, Number(rateArg), 'cameras', log));
    gcNow();
    await outagePair();
    break;
  }
  case 'outage':
    await outagePair();
    break;
  case 'heap':
    emit('heap', await measureHeap(count, log));
    break;
  case 'oracle':
    emit('oracle', await measureOracleShare(count, log));
    break;
  default:
    throw new Error(`unknown bench task ${String(task)}`);
}
// some libraries keep timers (mqtt.js, http agents): the result is out, leave now
process.exit(0);
