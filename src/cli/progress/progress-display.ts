import type { RunSnapshot } from '../../metrics/run-snapshot.ts';

/** Live progress on stderr while a run goes on. */
export interface ProgressDisplay {
  /** Starts showing the run; `snapshot` may be called at any time. */
  attach(snapshot: () => RunSnapshot): void;
  /** A line of its own (e.g. "interrupted…"), printed above any status block. */
  note(line: string): void;
  /** Shows the final state once and stops; the status block is cleared from a terminal. */
  stop(): void;
}
