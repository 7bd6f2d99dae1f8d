// monai-ts-run's command line entry: parse, launch, exit with the job's code.
import { LaunchArgsError, parseLaunchArgs, USAGE } from './args.js';
import { launch } from './run.js';

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  try {
    const options = parseLaunchArgs(argv);
    if (!options) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    return (await launch(options)).exitCode;
  } catch (e) {
    if (e instanceof LaunchArgsError) {
      process.stderr.write(`monai-ts-run: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
