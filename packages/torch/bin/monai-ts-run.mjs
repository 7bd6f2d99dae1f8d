#!/usr/bin/env node
// monai-ts-run: torchrun-style launcher of @monai-ts/torch. Runs the compiled launcher from dist/, or its
// TypeScript source through tsx when the package has not been built (a fresh checkout).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/distributed/launcher/main.js', import.meta.url));
let entry;
if (existsSync(compiled)) entry = pathToFileURL(compiled).href;
else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../src/distributed/launcher/main.ts', import.meta.url).href;
}
const { main } = await import(entry);
// exitCode, not exit(): the ranks' last output lines still drain to a piped stdout.
process.exitCode = await main(process.argv.slice(2));
