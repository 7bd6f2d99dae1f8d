#!/usr/bin/env node
// monai-ts-run: torchrun-style launcher of @monai-ts/torch. Runs the compiled launcher from dist/, or its
// TypeScript source through tsx when the package has not been built (a fresh checkout).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/distributed/launcher/cli.js', import.meta.url);
if (existsSync(compiled)) await import(compiled.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/distributed/launcher/cli.ts', import.meta.url).href);
}
