import { isCrosswireError } from '../../errors.ts';
import { loadScenarioFile } from '../../scenario/load-scenario.ts';
import { ExitCode } from '../../exit-codes.ts';

/**
 * `crosswire validate <files…>`: checks scenario files without running anything (a pre-commit
 * check). Every file is checked; exit 0 if all are valid, 2 if any is not.
 */
export async function validateCommand(files: string[], options: { quiet?: boolean }): Promise<number> {
  let bad = 0;
  for (const file of files) {
    try {
      const { scenario } = await loadScenarioFile(file);
      if (!options.quiet) process.stdout.write(`ok ${file} (${scenario.name}: ${scenario.fleet.devices} devices, ${scenario.timeline.length} timeline steps)\n`);
    } catch (error) {
      if (!isCrosswireError(error)) throw error;
      bad++;
      process.stderr.write(`crosswire: ${error.message}\n`);
    }
  }
  return bad === 0 ? ExitCode.pass : ExitCode.usage;
}
