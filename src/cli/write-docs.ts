import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { regenerateDocsCommand, scenarioReferenceMarkdown } from '../scenario/scenario-reference.ts';
import { cliReferenceMarkdown } from './cli-reference.ts';
import { buildProgram } from './main.ts';

/**
 * The generated pages under docs/, and `npm run docs`, which writes them. Each is a function of
 * the code it documents; test/generated-docs.test.ts fails when a committed page differs.
 */
export function generatedDocs(): Array<{ path: string; text: string }> {
  return [
    { path: 'docs/scenario-reference.md', text: scenarioReferenceMarkdown() },
    { path: 'docs/cli-reference.md', text: cliReferenceMarkdown(buildProgram(), regenerateDocsCommand) },
  ];
}

export async function writeGeneratedDocs(root: URL): Promise<string[]> {
  const docs = generatedDocs();
  for (const { path, text } of docs) await writeFile(new URL(path, root), text);
  return docs.map((d) => d.path);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const path of await writeGeneratedDocs(new URL('../../', import.meta.url))) process.stdout.write(`wrote ${path}\n`);
}
