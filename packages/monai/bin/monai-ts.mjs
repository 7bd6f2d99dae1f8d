#!/usr/bin/env node
// monai-ts CLI launcher: the compiled dist/ when the package is built, else the TypeScript sources through
// tsx (a fresh checkout), and the sources too when Node runs with the 'source' export condition
// (NODE_OPTIONS=--conditions=source), as the package exports resolve.
import { existsSync } from 'node:fs';

const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].join(' ');
const fromSource = /(^|\s)(--conditions|-C)(=|\s+)source(\s|$)/.test(flags);
const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!fromSource && existsSync(compiled)) await import(compiled.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
