// How pool threads load the library (worker_loader.ts): built JavaScript runs as is; from the sources,
// the dist/ build is used only when every source file has a build output at least as new; the build's
// execArgv drops tsx and the 'source' condition; MONAI_TS_WORKER_LOADER chooses or refuses. (That the
// results are the same either way is checked by the DataLoader and cache tests, which run under both.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { buildIsCurrent, execArgvForBuild, workerLoader } from '../../src/data/worker_loader.js';

const start = torch.memory().liveTensors;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-loader-'));
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start);
});

function touch(file: string, secondsAgo: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '');
  const t = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(file, t, t);
}

test('a build is current when every source file has a .js no older than it', () => {
  const src = path.join(dir, 'src');
  const dist = path.join(dir, 'dist');
  touch(path.join(src, 'a.ts'), 100);
  touch(path.join(src, 'sub', 'b.ts'), 100);
  touch(path.join(src, 'types.d.ts'), 10); // declarations have no output
  touch(path.join(dist, 'a.js'), 50);
  touch(path.join(dist, 'sub', 'b.js'), 50);
  assert.equal(buildIsCurrent(src, dist), true);
  touch(path.join(src, 'sub', 'b.ts'), 5); // edited after the build
  assert.equal(buildIsCurrent(src, dist), false);
  touch(path.join(dist, 'sub', 'b.js'), 1);
  assert.equal(buildIsCurrent(src, dist), true);
  touch(path.join(src, 'new.ts'), 1); // never built
  assert.equal(buildIsCurrent(src, dist), false);
  assert.equal(buildIsCurrent(path.join(dir, 'missing'), dist), false);
});

test("the build's workers drop tsx and the 'source' condition, keep other node options", () => {
  assert.deepEqual(execArgvForBuild(['--conditions=source', '--import', 'tsx', '--expose-gc', '--conditions', 'source', '--import=tsx', '--max-old-space-size=4096']), ['--expose-gc', '--max-old-space-size=4096']);
  assert.deepEqual(execArgvForBuild(['--import', './other.mjs']), ['--import', './other.mjs']);
});

test('built JavaScript loads directly; MONAI_TS_WORKER_LOADER=tsx keeps tsx; a wrong value is refused', () => {
  const js = workerLoader(new URL('file:///x/dist/data/worker_entry.js'), ['file:///m.ts']);
  assert.equal(js.mode, 'js');
  assert.equal(js.load, 'import("file:///x/dist/data/worker_entry.js")');
  const saved = process.env.MONAI_TS_WORKER_LOADER;
  try {
    process.env.MONAI_TS_WORKER_LOADER = 'tsx';
    const t = workerLoader(new URL('./worker_entry.ts', new URL('../../src/data/', import.meta.url)), []);
    assert.equal(t.mode, 'tsx');
    assert.match(t.load, /tsx\/esm\/api/);
    process.env.MONAI_TS_WORKER_LOADER = 'fast';
    assert.throws(() => workerLoader(new URL('../../src/data/worker_entry.ts', import.meta.url), []), /MONAI_TS_WORKER_LOADER must be 'auto', 'tsx' or 'dist', found 'fast'/);
  } finally {
    if (saved === undefined) delete process.env.MONAI_TS_WORKER_LOADER;
    else process.env.MONAI_TS_WORKER_LOADER = saved;
  }
});

test('from the sources with a current build, workers load dist (user modules through tsx, redirected)', () => {
  const saved = process.env.MONAI_TS_WORKER_LOADER;
  try {
    process.env.MONAI_TS_WORKER_LOADER = 'dist'; // the build's freshness is the first test's subject
    const entry = new URL('../../src/data/worker_entry.ts', import.meta.url);
    const plain = workerLoader(entry, []);
    assert.equal(plain.mode, 'dist');
    assert.match(plain.load, /^import\(".*\/packages\/monai\/dist\/data\/worker_entry\.js"\)$/);
    assert.ok(!plain.execArgv!.includes('--conditions=source'));
    const user = workerLoader(entry, ['file:///some/module.ts']);
    assert.match(user.load, /^import\(".*\/packages\/monai\/dist\/index\.js"\)\.then/, 'the package loads before any hook');
    const tsxAt = user.load.indexOf('tsx/esm/api');
    const hookAt = user.load.indexOf('data:text/javascript');
    assert.ok(tsxAt > 0 && hookAt > tsxAt, 'tsx, then the redirect hook (which then runs first)');
    assert.ok(user.load.endsWith('return import("' + plain.load.slice('import("'.length, -2) + '"); }))'), user.load.slice(-120));
  } finally {
    if (saved === undefined) delete process.env.MONAI_TS_WORKER_LOADER;
    else process.env.MONAI_TS_WORKER_LOADER = saved;
  }
});
