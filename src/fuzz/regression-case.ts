import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '../errors.ts';
import type { ConnectionPlan } from './connection-plan.ts';
import type { AttackerRole } from './fuzz-cast.ts';
import type { CaseDraft, Delivery, RunnableCase } from './fuzz-case.ts';
import type { Finding } from './fuzz-finding.ts';
import type { FleetShape } from '../registry/registry.ts';

/**
 * A fuzz case as a file: every connection's packets as hex with what the spec expects of each, and
 * what the case found when it was saved. `crosswire fuzz` writes one for a shrunk finding; the
 * shipped ones (test/fixtures/fuzz-regressions/) are replayed by a unit test, which needs them clean.
 */
const REGRESSION_FORMAT = 'crosswire-fuzz-case/1';

export interface RegressionFile {
  format: typeof REGRESSION_FORMAT;
  /** What the case guards against, in a sentence. */
  title: string;
  /** The seed whose principals and credentials the bytes carry (`broker-config` secret, no passphrase). */
  seed: number;
  /** The fleet the seed generates the principals from. */
  fleet: FleetShape;
  attacker: AttackerRole;
  expected: string;
  connections: Array<{
    delivery: Delivery;
    marker: string;
    accepted: ConnectionPlan['accepted'];
    mustRefuseBecause?: string;
    unreadable: boolean;
    disconnected: boolean;
    subscribes: ConnectionPlan['subscribes'];
    packets: Array<{ label: string; hex: string; mustClose?: string }>;
  }>;
  /** What the broker did when the file was written (empty for a shipped, fixed case). */
  found: Finding[];
  /** The shrunk draft, for reading. */
  draft?: CaseDraft;
}

export function toRegressionFile(runnable: RunnableCase, seed: number, fleet: FleetShape, title: string, found: Finding[], draft?: CaseDraft): RegressionFile {
  return {
    format: REGRESSION_FORMAT,
    title,
    seed,
    fleet,
    attacker: runnable.attacker,
    expected: expectedText(runnable),
    connections: runnable.connections.map(({ delivery, marker, plan }) => ({
      delivery,
      marker,
      accepted: plan.accepted,
      ...(plan.mustRefuseBecause === undefined ? {} : { mustRefuseBecause: plan.mustRefuseBecause }),
      unreadable: plan.unreadable,
      disconnected: plan.disconnected,
      subscribes: plan.subscribes,
      packets: plan.packets.map((p) => ({ label: p.label, hex: p.bytes.toString('hex'), ...(p.mustClose === undefined ? {} : { mustClose: p.mustClose }) })),
    })),
    found,
    ...(draft === undefined ? {} : { draft }),
  };
}

/** The case's expectation in words: no crash, hang or bypass, and each connection's spec'd end. */
function expectedText(runnable: RunnableCase): string {
  const ends = runnable.connections.map(({ marker, plan }) =>
    plan.mustClose !== undefined
      ? `${marker} closed by packet ${plan.mustClose.index + 1}: ${plan.mustClose.rule}`
      : plan.accepted === 'no' || plan.unreadable || plan.disconnected
        ? `${marker} closed or left waiting`
        : `${marker} accepted and answering PINGREQ`,
  );
  return ['no crash, no hang, no message or grant the ACL forbids', ...ends].join('; ');
}

export function fromRegressionFile(file: RegressionFile): RunnableCase {
  return {
    attacker: file.attacker,
    connections: file.connections.map((c) => {
      const packets = c.packets.map((p) => ({ label: p.label, bytes: Buffer.from(p.hex, 'hex'), ...(p.mustClose === undefined ? {} : { mustClose: p.mustClose }) }));
      const index = packets.findIndex((p) => p.mustClose !== undefined);
      const plan: ConnectionPlan = {
        packets,
        mustClose: index < 0 ? undefined : { index, rule: packets[index].mustClose! },
        accepted: c.accepted,
        mustRefuseBecause: c.mustRefuseBecause,
        unreadable: c.unreadable,
        disconnected: c.disconnected,
        subscribes: c.subscribes,
        level: 4,
      };
      return { delivery: c.delivery, marker: c.marker, plan };
    }),
  };
}

export async function writeRegressionFile(path: string, file: RegressionFile): Promise<void> {
  await writeFile(path, JSON.stringify(file, null, 2) + '\n');
}

/** Every `*.json` regression case in a directory, by name; a file that is not one is exit 2 naming it. */
export async function readRegressionDir(dir: string): Promise<Array<{ name: string; file: RegressionFile }>> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  return Promise.all(names.map(async (name) => ({ name, file: await readRegressionFile(join(dir, name)) })));
}

export async function readRegressionFile(path: string): Promise<RegressionFile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw usageError('FUZZ_CASE', `${path}: not a readable JSON fuzz case: ${(error as Error).message}`);
  }
  const file = parsed as RegressionFile;
  if (file?.format !== REGRESSION_FORMAT || !Array.isArray(file.connections)) throw usageError('FUZZ_CASE', `${path}: field format: expected ${JSON.stringify(REGRESSION_FORMAT)} with connections`);
  return file;
}
