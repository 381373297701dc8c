/** Jepsen-style tri-state: FAIL beats INCONCLUSIVE beats PASS. */
export type Verdict = 'PASS' | 'FAIL' | 'INCONCLUSIVE';

export interface CheckResult {
  name: string;
  status: 'pass' | 'fail' | 'inconclusive';
  detail: string;
}

export function combine(checks: readonly CheckResult[]): Verdict {
  if (checks.some((c) => c.status === 'fail')) return 'FAIL';
  if (checks.some((c) => c.status === 'inconclusive')) return 'INCONCLUSIVE';
  return checks.length > 0 ? 'PASS' : 'INCONCLUSIVE';
}

export function reasons(checks: readonly CheckResult[]): string[] {
  return checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.detail}`);
}
