import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchemaText } from '../src/scenario/json-schema.ts';

const scenarios = fileURLToPath(new URL('../scenarios/', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

async function shippedScenarios(dir = scenarios): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await shippedScenarios(path)));
    else if (entry.name.endsWith('.yaml')) out.push(path);
  }
  return out;
}

describe('scenario JSON Schema', () => {
  it('is committed and up to date (regenerate: crosswire schema --out scenarios/scenario.schema.json)', async () => {
    expect(await readFile(join(scenarios, 'scenario.schema.json'), 'utf8')).toBe(scenarioJsonSchemaText());
  });

  it('is named by a yaml-language-server modeline in every shipped scenario', async () => {
    const files = await shippedScenarios();
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) expect((await readFile(file, 'utf8')).split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=(\.\/|(\.\.\/)+)scenario\.schema\.json$/);
  });
});

describe('crosswire validate', () => {
  it('passes every shipped scenario, and fails (exit 2) on a bad one while still checking the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crosswire-validate-'));
    try {
      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, 'fleet:\n  devices: -1\n');
      const files = await shippedScenarios();
      const good = spawnSync(process.execPath, [cli, 'validate', ...files], { encoding: 'utf8' });
      expect(good.status).toBe(0);
      expect(good.stdout.trim().split('\n')).toHaveLength(files.length);
      const mixed = spawnSync(process.execPath, [cli, 'validate', bad, files[0]], { encoding: 'utf8' });
      expect(mixed.status).toBe(2);
      expect(mixed.stderr).toContain(`${bad}:2:12: fleet.devices`);
      expect(mixed.stdout).toContain(`ok ${files[0]}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
