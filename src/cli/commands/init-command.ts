import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { usageError } from '../../errors.ts';
import { adapterModule, contractTest, type TemplateKind } from '../adapter-templates.ts';

export interface InitOptions {
  dir: string;
  ts?: boolean;
  server?: string;
}

const NAME = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * `crosswire init adapter <name>`: writes `<name>.js|ts` and `<name>.contract.test.js|ts` into
 * `--dir`, refusing to overwrite either, and prints the next steps.
 */
export async function initCommand(what: string, name: string, options: InitOptions): Promise<number> {
  if (what !== 'adapter') throw usageError('UNKNOWN_INIT', `init ${what}: expected \`init adapter <name>\``);
  if (!NAME.test(name)) {
    throw usageError('BAD_ADAPTER_NAME', `init adapter ${JSON.stringify(name)}: a name is lower-case letters, digits and dashes, starting with a letter (it becomes the file name and the adapter id)`);
  }
  const kind = (options.server ?? 'none') === 'redis' ? 'redis' : 'memory' satisfies TemplateKind;
  const language = options.ts ? 'ts' : 'js';
  const dir = resolve(options.dir);
  const files = [
    { path: join(dir, `${name}.${language}`), text: adapterModule({ name, kind, language }) },
    { path: join(dir, `${name}.contract.test.${language}`), text: contractTest({ name, kind, language }) },
  ];
  const taken = files.filter((f) => existsSync(f.path)).map((f) => f.path);
  if (taken.length > 0) {
    throw usageError('INIT_WOULD_OVERWRITE', `init adapter ${name}: ${taken.join(' and ')} already exist${taken.length === 1 ? 's' : ''}; nothing written (remove it or pick another name or --dir)`);
  }
  await mkdir(dir, { recursive: true });
  // 'wx': fail rather than overwrite a file made since the check above
  for (const f of files) await writeFile(f.path, f.text, { flag: 'wx' });

  const shown = (path: string) => {
    const rel = relative(process.cwd(), path);
    return rel.startsWith('..') ? path : `./${rel}`;
  };
  const [adapter, test] = files.map((f) => shown(f.path)) as [string, string];
  const scenario = kind === 'redis' ? ' node_modules/crosswire/scenarios/controls/cache-chaos-storm.yaml' : '';
  process.stdout.write(
    [
      `wrote ${adapter}`,
      `wrote ${test}`,
      '',
      'next steps:',
      ...(kind === 'redis' ? ['  npm install ioredis                      # the client the adapter imports (or swap in yours)'] : ['  edit the adapter: replace its Map with your cache client']),
      `  node --test ${test}${kind === 'redis' ? '   # starts a private redis-server from PATH' : ''}`,
      `  npx crosswire run${scenario} --cache ${adapter}`,
      ...(kind === 'redis' ? [] : [`  npx crosswire run node_modules/crosswire/scenarios/ownership-churn.yaml --cache ${adapter}`]),
      '  the adapter guide: node_modules/crosswire/docs/adapters.md',
      '',
    ].join('\n'),
  );
  return 0;
}
