// The monai-ts-run process: runs main() on this process's arguments. exitCode rather than exit() so
// that the ranks' last output lines still drain into a piped stdout.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
