import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';

const base = new URL('../deploy/base/', import.meta.url);
const docs = (name: string) => parseAllDocuments(readFileSync(new URL(name, base), 'utf8')).map((d) => d.toJSON() as Record<string, any>);

describe('deploy/: shards as a Kubernetes Indexed Job, then a merge', () => {
  const kustomization = parse(readFileSync(new URL('kustomization.yaml', base), 'utf8')) as Record<string, any>;
  const literals = Object.fromEntries((kustomization.configMapGenerator[0].literals as string[]).map((l) => l.split('=', 2)));
  const [shards] = docs('shards-job.yaml');
  const [merge] = docs('merge-job.yaml');

  it('lists every manifest it has, each parsing with a kind', () => {
    for (const file of kustomization.resources as string[]) for (const doc of docs(file)) expect(doc.kind, file).toMatch(/^(Job|Deployment|Service|PersistentVolumeClaim)$/);
  });

  it('runs N shards at once, N as in the knobs: completions = parallelism = SHARDS, indexed', () => {
    expect(shards.spec.completionMode).toBe('Indexed');
    expect(shards.spec.completions).toBe(Number(literals.SHARDS));
    expect(shards.spec.parallelism).toBe(shards.spec.completions);
  });

  it('hands the completion index to --shard, and the knobs to the flags', () => {
    const args: string[] = shards.spec.template.spec.containers[0].args;
    expect(args[args.indexOf('--shard') + 1]).toBe('$(JOB_COMPLETION_INDEX)/$(SHARDS)');
    expect(args[args.indexOf('--broker') + 1]).toBe('$(BROKER_URL)');
    expect(args[args.indexOf('--cache-url') + 1]).toBe('$(CACHE_URL)');
    expect(args[args.indexOf('--run-id') + 1]).toBe('$(RUN_ID)');
    for (const knob of ['SHARDS', 'SCENARIO', 'CACHE_ADAPTER', 'BROKER_URL', 'CACHE_URL', 'RUN_ID']) expect(literals[knob], knob).toBeDefined();
  });

  it('uses the image and the bin the Dockerfile builds, and one volume for every run directory', () => {
    const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:24-slim/m);
    expect(dockerfile).toContain('npm ci');
    expect(dockerfile).toContain('ENTRYPOINT ["node", "/app/bin/crosswire.js"]');
    const shard = shards.spec.template.spec;
    expect(shard.containers[0].command).toEqual(['node', '/app/bin/crosswire.js']);
    expect(merge.spec.template.spec.containers[0].args[0]).toContain('node /app/bin/crosswire.js merge');
    for (const job of [shard, merge.spec.template.spec]) {
      expect(job.containers[0].image).toBe('crosswire');
      expect(job.volumes[0].persistentVolumeClaim.claimName).toBe('crosswire-reports');
      expect(job.containers[0].volumeMounts[0].mountPath).toBe('/reports');
    }
    expect(readFileSync(new URL('../bin/crosswire.js', import.meta.url), 'utf8')).toContain('dist/cli/main.js');
  });

  it('serves Redis and Mosquitto at the addresses the knobs name', () => {
    const services = [...docs('redis.yaml'), ...docs('mosquitto.yaml')].filter((d) => d.kind === 'Service');
    const byName = Object.fromEntries(services.map((s) => [s.metadata.name, s.spec.ports[0].port]));
    expect(literals.BROKER_URL).toBe(`mqtt://mosquitto:${byName.mosquitto}`);
    expect(literals.CACHE_URL).toBe(`redis://redis:${byName.redis}`);
  });
});
