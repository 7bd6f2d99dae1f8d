// A user's own script, outside the packages, imports '@monai-ts/torch' and 'monai-ts' by name and runs
// with plain `node` (ESM) and with `npx tsx`, with no export condition: the packages' default entry
// points (dist/, built by `npm ci`/`npm install` through the root `prepare` script) must work.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';

const start = torch.memory().liveTensors;
const root = fileURLToPath(new URL('../../..', import.meta.url));
// Inside the repository, so that node finds the workspace packages in its node_modules.
const dir = mkdtempSync(join(root, '.user-script-'));

// What a user writes (README, "Run your own script"): the same body in JavaScript and TypeScript.
const body = `
const img = torch.arange(24, { dtype: 'float32' }).reshape([1, 2, 3, 4]);
new SaveImage({ outputDir: '.', outputPostfix: 'seg', separateFolder: false, printLog: false }).call(img, { filename_or_obj: 'vol' });
const back = new LoadImage({ ensureChannelFirst: true }).call('vol_seg.nii.gz');
console.log(JSON.stringify({ shape: back.shape, sum: back.sum().item(), meta: back instanceof MetaTensor }));
`;
const imports = `import * as torch from '@monai-ts/torch';\nimport { LoadImage, SaveImage, MetaTensor } from 'monai-ts';\n`;
const expected = { shape: [1, 2, 3, 4], sum: 276, meta: true };

/** The compiled file of every source file, not older than it: what plain node imports is current. */
function staleOutputs(): string[] {
  const stale: string[] = [];
  for (const pkg of ['torch', 'monai']) {
    const src = join(root, 'packages', pkg, 'src');
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.ts')) {
          const out = join(root, 'packages', pkg, 'dist', p.slice(src.length + 1).replace(/\.ts$/, '.js'));
          if (!existsSync(out) || statSync(out).mtimeMs < statSync(p).mtimeMs) stale.push(out);
        }
      }
    };
    walk(src);
  }
  return stale;
}

function run(cmd: string, args: string[]): unknown {
  // No NODE_OPTIONS and no --conditions: the user knows nothing about export conditions.
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('the packages are built (dist/ not older than src/)', () => {
  const stale = staleOutputs();
  assert.deepEqual(stale.slice(0, 5), [], `${stale.length} compiled files are missing or older than their source: run 'npm run build' (npm ci and npm test do)`);
});

test('plain node runs a user script (.mjs) that imports both packages by name', () => {
  writeFileSync(join(dir, 'my.mjs'), imports + body);
  assert.deepEqual(run(process.execPath, ['my.mjs']), expected);
});

test('npx tsx runs a user script (.ts) that imports both packages by name', () => {
  writeFileSync(join(dir, 'my.ts'), imports + body);
  assert.deepEqual(run('npx', ['--no', 'tsx', 'my.ts']), expected);
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});
