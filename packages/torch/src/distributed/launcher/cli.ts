// The monai-ts-run process: runs main() on this process's arguments. exitCode rather than exit() so
// that the ranks' last output lines still drain into a piped stdout.
import { main } from './main.js';

// A closed stdout (monai-ts-run ... | head) drops the ranks' output instead of crashing the launcher.
for (const s of [process.stdout, process.stderr]) s.on('error', () => {});

process.exitCode = await main(process.argv.slice(2));
