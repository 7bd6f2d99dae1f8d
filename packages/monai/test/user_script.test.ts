// A user's own script, outside the packages, imports '@monai-ts/torch' and 'monai-ts' by name and runs
// with plain `node` (ESM) and with `npx tsx`, with no export condition: the packages' default entry
// points (dist/, built by `npm ci`/`npm install` through the root `prepare` script) must work. The
// script is the README's own example, and the README's TypeScript examples typecheck against the
// declarations a user's editor sees.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';

const start = torch.memory().liveTensors;
const root = fileURLToPath(new URL('../../..', import.meta.url));
// Inside the repository, so that node finds the workspace packages in its node_modules.
const dir = mkdtempSync(join(root, '.user-script-'));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The fenced ts/js code blocks of the README, or of its section headed `## <heading>`. */
function readmeBlocks(heading?: string): string[] {
  let text = readme;
  if (heading !== undefined) {
    const at = readme.indexOf(`\n## ${heading}\n`);
    assert.ok(at >= 0, `README has a section '## ${heading}'`);
    const next = readme.indexOf('\n## ', at + 4);
    text = readme.slice(at, next < 0 ? undefined : next);
  }
  return [...text.matchAll(/```(?:ts|js)\n([\s\S]*?)```/g)].map((m) => m[1]);
}
const [script] = readmeBlocks('Run your own script');

/** The compiled file of every source file, not older than it: what plain node imports is current. */
function staleOutputs(): string[] {
  const stale: string[] = [];
  for (const pkg of ['torch', 'monai']) {
    const src = join(root, 'packages', pkg, 'src');
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
          const out = join(root, 'packages', pkg, 'dist', p.slice(src.length + 1).replace(/\.ts$/, '.js'));
          if (!existsSync(out) || statSync(out).mtimeMs < statSync(p).mtimeMs) stale.push(out);
        }
      }
    };
    walk(src);
  }
  return stale;
}

/** Runs a command in the script folder; returns the last line it printed. */
function run(cmd: string, args: string[]): string | undefined {
  // No NODE_OPTIONS and no --conditions: the user knows nothing about export conditions.
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout.trim().split('\n').pop();
}

test('the packages are built (dist/ not older than src/)', () => {
  const stale = staleOutputs();
  assert.deepEqual(stale.slice(0, 5), [], `${stale.length} compiled files are missing or older than their source: run 'npm run build' (npm ci and npm test do)`);
});

test('plain node runs the README\'s own script (.mjs) that imports both packages by name', () => {
  writeFileSync(join(dir, 'my.mjs'), script);
  assert.equal(run(process.execPath, ['my.mjs']), '[ 1, 2, 3, 4 ] 276');
});

test('npx tsx runs the same script as TypeScript (.ts)', () => {
  writeFileSync(join(dir, 'my.ts'), script);
  assert.equal(run('npx', ['--no', 'tsx', 'my.ts']), '[ 1, 2, 3, 4 ] 276');
});

test('the README\'s TypeScript examples typecheck against the published declarations', () => {
  // Names the tour uses without defining them (a user's own model, data, ...).
  const given = [
    "declare const vol: import('@monai-ts/torch').Tensor, kernel: import('@monai-ts/torch').Tensor;",
    "declare const target: import('@monai-ts/torch').Tensor, out: import('@monai-ts/torch').Tensor;",
    "declare const a: import('@monai-ts/torch').Tensor, b: import('@monai-ts/torch').Tensor, buf: ArrayBuffer;",
    // a user's model is a Module subclass whose forward is typed (nn.Linear stands in for one)
    "declare const model: import('@monai-ts/torch').nn.Linear, net: import('@monai-ts/torch').nn.Linear;",
    'declare function decodeInto(view: unknown): void;',
  ].join('\n');
  const blocks = readmeBlocks();
  assert.ok(blocks.length >= 2, 'the README has its tour and its script');
  blocks.forEach((code, i) => writeFileSync(join(dir, `readme_${i}.ts`), `${given}\n${code}`));
  // No custom condition: resolution as in a user's project (dist/*.d.ts).
  const config = { extends: '../tsconfig.base.json', compilerOptions: { noEmit: true }, include: ['readme_*.ts'] };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
  // `--` keeps npx from reading tsc's -p as its own --package.
  const r = spawnSync('npx', ['--no', '--', 'tsc', '-p', join(dir, 'tsconfig.json')], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `README examples do not typecheck:\n${r.stdout}${r.stderr}`);
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});
