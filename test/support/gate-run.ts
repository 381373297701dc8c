import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { GateDocument } from '../../src/gate/gate-document.ts';
import { expectJunitShape } from './junit-shape.ts';
import { runCli, type CliResult } from './run-cli.ts';
import { parseXml, type XmlElement } from './xml-parse.ts';

/** `crosswire gate` into `dir`, with a step summary file if given. */
export function runGate(args: string[], dir: string, stepSummary?: string): Promise<CliResult> {
  return runCli(['gate', '--out-dir', dir, ...args], { env: { GITHUB_STEP_SUMMARY: stepSummary || undefined } });
}

export const kids = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);

/** The one gate directory under `dir`, its documents parsed. */
export async function gateDirectory(dir: string): Promise<{ path: string; doc: GateDocument; junit: XmlElement; markdown: string }> {
  const stamps = (await readdir(join(dir, 'gate'))).filter((n) => n !== 'latest');
  expect(stamps).toHaveLength(1);
  const path = join(dir, 'gate', stamps[0]);
  expect((await readdir(path)).sort()).toEqual(['baseline', 'candidate', 'gate.json', 'junit.xml', 'summary.md']);
  const junit = parseXml(await readFile(join(path, 'junit.xml'), 'utf8'));
  expectJunitShape(junit);
  return { path, doc: JSON.parse(await readFile(join(path, 'gate.json'), 'utf8')), junit, markdown: await readFile(join(path, 'summary.md'), 'utf8') };
}
