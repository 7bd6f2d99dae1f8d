#!/usr/bin/env node
// monai-ts-run: torchrun-style launcher of @monai-ts/torch. Runs the compiled launcher from dist/, or its
// TypeScript source through tsx when the package has not been built (a fresh checkout) or when Node runs
// with the 'source' export condition (NODE_OPTIONS=--conditions=source), as the packages themselves do.
import { existsSync } from 'node:fs';

const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].join(' ');
const fromSource = /(^|\s)(--conditions|-C)(=|\s+)source(\s|$)/.test(flags);
const compiled = new URL('../dist/distributed/launcher/cli.js', import.meta.url);
if (!fromSource && existsSync(compiled)) await import(compiled.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/distributed/launcher/cli.ts', import.meta.url).href);
}
