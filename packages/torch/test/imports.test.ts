// Every module can be the first one a process imports: no import cycle leaves a class uninitialised
// ("Cannot access 'Module' before initialization" when nn/module.ts or optim/optimizer.ts was first).
// Each case runs in a fresh node process, as a user's or a tool's entry point would.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;
const src = new URL('../src/', import.meta.url);

/** Imports `file` first in a fresh process (tsx, source condition) and returns what `check` printed. */
function importFirst(file: string, check: string): string {
  const code = `const m = await import(${JSON.stringify(new URL(file, src).href)});\n${check}`;
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `importing ${file} first failed:\n${r.stderr}`);
  return r.stdout.trim();
}

const cases: [file: string, check: string, expected: string][] = [
  ['nn/module.ts', 'class M extends m.Module {}; console.log(new M().training)', 'true'],
  ['optim/optimizer.ts', 'console.log(typeof m.Optimizer)', 'function'],
  ['nn/modules/linear.ts', 'const l = new m.Linear({ inFeatures: 2, outFeatures: 3 }); console.log(l.weight.shape.join(","))', '3,2'],
  ['nn/functional/index.ts', 'console.log(typeof m.relu)', 'function'],
  ['optim/lr_scheduler.ts', 'console.log(typeof m.StepLR)', 'function'],
  ['amp/grad_scaler.ts', 'console.log(typeof m.GradScaler)', 'function'],
  ['serialization/torch_io.ts', 'console.log(typeof m.load)', 'function'],
  ['nn_utils/clip_grad.ts', 'console.log(typeof m.clipGradNorm_)', 'function'],
];
for (const [file, check, expected] of cases) {
  test(`${file} can be imported first`, () => {
    assert.equal(importFirst(file, check), expected);
  });
}

after(() => assert.equal(torch.memory().liveTensors, start, 'no live tensors left'));
