/** The one table of process exit codes, beside the verdicts and errors they report. Printed by `--help`, the README and docs/cli-reference.md. */
export const ExitCode = {
  pass: 0,
  fail: 1,
  usage: 2,
  thresholds: 3,
  inconclusive: 4,
  adapterStart: 5,
  unavailable: 69,
  internal: 70,
  shardsDidNotMeet: 75,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeTable: ReadonlyArray<readonly [number, string]> = [
  [ExitCode.pass, 'PASS: nothing leaked and the run exercised what it claims'],
  [ExitCode.fail, 'FAIL: a leak or a broken invariant'],
  [ExitCode.usage, 'bad usage or invalid input'],
  [ExitCode.thresholds, 'thresholds breached only'],
  [ExitCode.inconclusive, 'INCONCLUSIVE: the run did not exercise what it claims'],
  [ExitCode.adapterStart, 'the cache adapter could not start (create() threw, timed out, or returned no adapter)'],
  [ExitCode.unavailable, 'a required service is unreachable'],
  [ExitCode.internal, 'internal error'],
  [ExitCode.shardsDidNotMeet, 'the shards of a run did not all meet within the barrier time limit (--barrier-timeout)'],
  [ExitCode.interrupted, 'interrupted (partial report written)'],
];

export function describeExitCodes(): string {
  return exitCodeTable.map(([code, text]) => `  ${String(code).padStart(3)}  ${text}`).join('\n');
}
