import { describe, expect, it } from 'vitest';
import { invocation, reproCommand } from '../src/cli/scenario-overrides.ts';

describe('the repro line', () => {
  it('re-invokes crosswire the way it was run', () => {
    expect(invocation('/app/node_modules/crosswire/bin/crosswire.js', '/app')).toBe('npx crosswire');
    expect(invocation('/src/crosswire/bin/crosswire.js', '/src/crosswire')).toBe('npm start --');
    expect(invocation('/src/crosswire/src/cli/main.ts', '/src/crosswire')).toBe('npm start --');
    expect(invocation('/src/crosswire/bin/crosswire.js', '/tmp')).toBe('npm --prefix /src/crosswire start --');
  });

  it('names the file, every override and always the seed', () => {
    expect(reproCommand('storm.yaml', { cache: 'faulty:stale-owner', devices: 500 }, 7, 'npx crosswire')).toBe(
      'npx crosswire run storm.yaml --devices 500 --cache faulty:stale-owner --seed 7',
    );
    expect(reproCommand(undefined, {}, 1, 'npm start --')).toBe('npm start -- --seed 1');
    expect(reproCommand("my storm's.yaml", {}, 1, 'npm start --')).toBe(`npm start -- 'my storm'\\''s.yaml' --seed 1`);
  });
});
