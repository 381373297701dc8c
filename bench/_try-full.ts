import { runFullStorm } from './full-storm.ts';
const n = Number(process.argv[2] ?? 10000);
const r = await runFullStorm(n, (l) => console.error(l));
console.log(JSON.stringify(r, null, 1));
