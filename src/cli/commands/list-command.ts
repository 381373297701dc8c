import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheAdapters } from '../../cache/builtin-adapters.ts';
import { didYouMean } from '../../did-you-mean.ts';
import { usageError } from '../../errors.ts';
import type { FaultKinds } from '../../faults/fault-kind.ts';
import { faultKinds } from '../../faults/fault-kinds.ts';
import { attemptDescriptions } from '../../scenario/hostile-schema.ts';

export const SCENARIOS = fileURLToPath(new URL('../../../scenarios', import.meta.url));

/** Shipped scenario files, with the first sentence of the comment at their head. */
export function shippedScenarios(dir = SCENARIOS): { file: string; about: string }[] {
  const out: { file: string; about: string }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...shippedScenarios(path));
    else if (entry.name.endsWith('.yaml')) {
      const comment = readFileSync(path, 'utf8').split('\n').filter((l) => l.startsWith('#') && !l.includes('yaml-language-server'));
      const text = comment.map((l) => l.replace(/^#\s?/, '')).join(' ');
      const sentence = (text.match(/^.*?\.(\s|$)/)?.[0] ?? text).trim();
      out.push({ file: relative(SCENARIOS, path), about: sentence.length > 110 ? `${sentence.slice(0, 109)}…` : sentence });
    }
  }
  return out;
}

/** One line per fault kind: its id, how long it lasts, what it does. */
export function faultKindLines(kinds: FaultKinds = faultKinds): string[] {
  return [...kinds.values()].map((k) => `${k.id.padEnd(16)} ${k.lasting.padEnd(15)} ${k.description}`);
}

/** `crosswire list adapters|attempts|faults|scenarios`: the names a scenario or flag may use, one per line. */
export function listCommand(what: string): number {
  if (what === 'adapters') {
    for (const d of cacheAdapters.values()) {
      const where = d.server ? `needs ${d.server}` : 'in-process';
      process.stdout.write(`${d.id.padEnd(30)} ${where.padEnd(16)} ${d.description}\n`);
    }
  } else if (what === 'faults') {
    for (const line of faultKindLines()) process.stdout.write(`${line}\n`);
  } else if (what === 'attempts') {
    for (const [kind, about] of Object.entries(attemptDescriptions)) process.stdout.write(`${kind.padEnd(26)} ${about.replaceAll('`', '')}\n`);
  } else if (what === 'scenarios') {
    for (const { file, about } of shippedScenarios()) process.stdout.write(`scenarios/${file.padEnd(44)} ${about}\n`);
  } else {
    throw usageError('UNKNOWN_LIST', `list ${what}: expected adapters, attempts, faults or scenarios${didYouMean(what, ['adapters', 'attempts', 'faults', 'scenarios'])}`);
  }
  return 0;
}
