import { Aedes } from 'aedes';
import { runFullStorm } from './full-storm.ts';
const h = (Aedes.prototype as any).handle;
let patched = false;
// what-if: unlimited mqemitter concurrency (no queue, so no recursive drain)
const origDesc = Object.getOwnPropertyDescriptor(Aedes.prototype, 'handle');
import { EmbeddedBroker } from '../src/broker/embedded-broker.ts';
const start = EmbeddedBroker.start;
(EmbeddedBroker as any).start = async (...a: any[]) => { const b = await (start as any)(...a); if (process.env.CONC) b.aedes.mq.concurrency = Number(process.env.CONC); return b; };
const n = Number(process.argv[2] ?? 10000);
const r = await runFullStorm(n, (l) => console.error(l));
console.log(JSON.stringify(r, null, 1));
