import { describe, expect, it } from 'vitest';
import { compare } from '../src/cli/commands/check-command.ts';
import { ViolationPairs } from '../src/oracle/violation-pairs.ts';
import { syntheticSummary } from './support/synthetic-summary.ts';

const v = (receivedBy: string, deviceId: string, trueOwner: string) => ({ receivedBy, deviceId, trueOwner });

describe('violation pairs: who received whose media', () => {
  it('counts each (account, device, owner) once, in whatever order they came', () => {
    const a = new ViolationPairs();
    const b = new ViolationPairs();
    for (const x of [v('acct-2', 'cam-1', 'acct-1'), v('acct-2', 'cam-1', 'acct-1'), v('acct-3', 'cam-9', 'acct-4')]) a.add(x);
    for (const x of [v('acct-3', 'cam-9', 'acct-4'), v('acct-2', 'cam-1', 'acct-1')]) b.add(x);
    expect(a.summary()).toEqual(b.summary());
    expect(a.summary().count).toBe(2);
    expect(a.summary().pairs).toEqual(['acct-2 cam-1 acct-1', 'acct-3 cam-9 acct-4']);
  });

  it('a different set has a different digest; none has the empty digest', () => {
    const a = new ViolationPairs();
    const b = new ViolationPairs();
    a.add(v('acct-2', 'cam-1', 'acct-1'));
    b.add(v('acct-2', 'cam-1', 'acct-5'));
    expect(a.summary().sha256).not.toBe(b.summary().sha256);
    expect(new ViolationPairs().summary()).toMatchObject({ count: 0, pairs: [], sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });
  });
});

describe('crosswire check: a re-judged history naming other pairs', () => {
  it('is reported as a difference; a summary without pairs (an older one) is compared on the rest', () => {
    const pairs = (...list: string[]) => {
      const p = new ViolationPairs();
      for (const line of list) {
        const [receivedBy, deviceId, trueOwner] = line.split(' ');
        p.add({ receivedBy, deviceId, trueOwner });
      }
      return p.summary();
    };
    const recorded = { ...syntheticSummary(), violationPairs: pairs('acct-2 cam-1 acct-1') };
    const same = { ...recorded, violationPairs: pairs('acct-2 cam-1 acct-1') };
    const other = { ...recorded, violationPairs: pairs('acct-3 cam-1 acct-1') };
    const sha = recorded.history?.sha256 ?? '';
    expect(compare(recorded, same, sha)).toEqual([]);
    expect(compare(recorded, other, sha)).toEqual(['violation pairs 1 → 1 (a different set)']);
    expect(compare({ ...recorded, violationPairs: undefined }, other, sha)).toEqual([]);
  });
});
