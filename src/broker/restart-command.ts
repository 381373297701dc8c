import { spawn } from 'node:child_process';

/** How much of the command's output a failure message quotes. */
const OUTPUT_TAIL = 400;

/**
 * Runs the user's broker restart command through the shell and waits for it to exit 0 within
 * `timeoutMs` (wall clock). Past the limit its process group is killed. Rejects with a message
 * that names the command, its exit and the tail of its output.
 */
export function runRestartCommand(command: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    const tail = () => (output.trim() === '' ? '' : `: ${output.trim()}`);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`broker.restartCommand ${JSON.stringify(command)} could not start: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) reject(new Error(`broker.restartCommand ${JSON.stringify(command)} did not finish within ${timeoutMs}ms (broker.restartTimeout)${tail()}`));
      else if (code === 0) resolve();
      else reject(new Error(`broker.restartCommand ${JSON.stringify(command)} exited with ${code ?? signal}${tail()}`));
    });
  });
}
