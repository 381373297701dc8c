import { measureHeap } from './heap-per-client.ts';
const r = await measureHeap(Number(process.argv[2] ?? 10000), (l) => console.error(l));
console.log(JSON.stringify({ ...r, samples: undefined }, null, 1));
process.exit(0);
