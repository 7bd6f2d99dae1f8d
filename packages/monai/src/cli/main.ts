// Entry of the monai-ts bin: runs the CLI on process.argv; Ctrl-C stops training after the current
// iteration (a second Ctrl-C exits at once).
import { main } from './program.js';

const abort = new AbortController();
process.on('SIGINT', () => {
  if (abort.signal.aborted) process.exit(130);
  process.stderr.write('\nstopping after this iteration (Ctrl-C again to quit now)\n');
  abort.abort();
});
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: abort.signal });
