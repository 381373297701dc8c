/**
 * `CROSSWIRE_DEBUG=1`: stack traces beside error messages (with the error behind each), and a
 * trace of what the CLI decided on stderr. Off when unset, empty or `0`.
 */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CROSSWIRE_DEBUG;
  return value !== undefined && value !== '' && value !== '0';
}

export function debugLog(message: string): void {
  if (debugEnabled()) process.stderr.write(`crosswire: debug: ${message}\n`);
}

/** The stack of an error and of each cause behind it. */
export function stackTrace(error: unknown): string {
  const lines: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    lines.push(`${depth === 0 ? '' : 'caused by: '}${(e as Error).stack ?? String(e)}`);
  }
  return lines.join('\n');
}
