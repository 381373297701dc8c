/** A fault as it happened (scheduled, injected, healed): a fact of the run, for the verdict and the report. */
export interface FaultWindow {
  id: string;
  description: string;
  scheduledAt: number;
  scheduledHealAt: number;
  injectedAt?: number;
  healedAt?: number;
  effect?: string;
}
