// Runs every *.test.ts under packages/*/test with node's test runner through tsx.
// Usage: npm test [-- <path filter>...]
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(relative(root, p));
  }
}
for (const pkg of readdirSync(join(root, 'packages'))) {
  const t = join(root, 'packages', pkg, 'test');
  if (existsSync(t)) walk(t);
}
const chosen = files.sort().filter((f) => !filters.length || filters.some((x) => f.includes(x)));
if (!chosen.length) {
  console.error('no test files matched');
  process.exit(1);
}
// Files the checkout does not track and does not ignore: tests must write to temporary folders only,
// so the whole run (not just filtered runs, which may overlap with other work in the tree) checks that
// it added none.
function untracked() {
  const g = spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root, encoding: 'utf8' });
  if (g.status !== 0) return null;
  return new Set(g.stdout.split('\n').filter((l) => l.startsWith('?? ')).map((l) => l.slice(3)));
}
const before = filters.length ? null : untracked();
// Files run one at a time: each loads libtorch's thread pool, and the machine may have 2 cores.
const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--test', '--test-concurrency=1', ...chosen], { cwd: root, stdio: 'inherit' });
const after = before ? untracked() : null;
const added = after ? [...after].filter((f) => !before.has(f)) : [];
if (added.length) {
  console.error(`the tests left files in the checkout (tests must write to temporary folders):\n  ${added.join('\n  ')}`);
  process.exit(1);
}
process.exit(r.status ?? 1);
