import { runBareStorm } from './bare-storm.ts';
for (const n of process.argv.slice(2).map(Number)) {
const r = await runBareStorm(n, (l) => console.error(l));
console.log(JSON.stringify(r));
}
