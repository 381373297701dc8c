import { ExitCode } from '../exit-codes.ts';

/**
 * Ctrl-C (or SIGTERM) during a run: the first aborts `controller`, so the run heals its faults and
 * writes a partial report; a second means now (exit 130). `say` tells the user which is happening.
 * Returns the function that stops listening.
 */
export function abortOnInterrupt(controller: AbortController, say: () => void): () => void {
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    say();
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
