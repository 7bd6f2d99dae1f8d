// Pipelines as data: every exported transform class that builds from default-ish options ({ keys } for
// dictionary transforms, {} otherwise) is described, revived, and run on the same input with the same
// random state: the outputs are identical (exact), or both fail with the same message. Also shared
// references, random states, tensors by token, registered user modules, and the closures that cannot travel.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '@monai-ts/torch';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/transforms/index.js';
import { Transform, isRandomizable, sharedRandomState } from '../../src/transforms/transform.js';
import { MetaTensor } from '../../src/data/meta_tensor.js';
import { describeTransform, reviveTransform, releaseDescription, loadTransformRegistry, registerTransforms, NotPortableError } from '../../src/transforms/serialize.js';
import { disposeDeep } from '../../src/data/shared_item.js';
import { RandomState } from '../../src/utils/random_state.js';
import { MakeItem, idsCollate } from '../data/helpers/loader_transforms.js';

const start = torch.memory().liveTensors;
before(async () => {
  await loadTransformRegistry();
});

function input(): MetaTensor {
  torch.manualSeed(11);
  return MetaTensor.wrap(torch.rand([1, 6, 7, 5]), { meta: { filename_or_obj: 'a.nii' } });
}

function same(a: unknown, b: unknown, where: string): void {
  if (a instanceof torch.Tensor) {
    assert.ok(b instanceof torch.Tensor, `${where}: tensor vs ${typeof b}`);
    assert.deepEqual(b.shape, a.shape, `${where}: shape`);
    assert.equal(b.dtype, a.dtype, `${where}: dtype`);
    assert.ok(torch.tidy(() => torch.equal(a, b)), `${where}: values differ`);
    if (a instanceof MetaTensor) assert.deepEqual(Array.from((b as MetaTensor).affine), Array.from(a.affine), `${where}: affine`);
    return;
  }
  if (Array.isArray(a)) {
    assert.ok(Array.isArray(b) && b.length === a.length, `${where}: list length`);
    a.forEach((x, i) => same(x, (b as unknown[])[i], `${where}[${i}]`));
    return;
  }
  if (a && typeof a === 'object' && Object.getPrototypeOf(a) === Object.prototype) {
    assert.deepEqual(Object.keys(b as object).sort(), Object.keys(a).sort(), `${where}: keys`);
    for (const k of Object.keys(a)) same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${where}.${k}`);
    return;
  }
  assert.deepEqual(b, a, where);
}

function run(t: Transform, data: unknown): { out?: unknown; err?: string } {
  try {
    return { out: t.call(data) };
  } catch (e) {
    return { err: (e as Error).message };
  }
}

test('every exported transform class built from default options round-trips: same output, same draws', (t0) => {
  // SaveImage(d) with default options write under the working folder: run in a temporary one
  const cwd = process.cwd();
  const tmp = mkdtempSync(join(tmpdir(), 'monai-serialize-'));
  process.chdir(tmp);
  t0.after(() => {
    process.chdir(cwd);
    rmSync(tmp, { recursive: true, force: true });
  });
  const built: string[] = [];
  const notPortable: string[] = [];
  for (const [name, C] of Object.entries(T)) {
    if (typeof C !== 'function' || !(C.prototype instanceof Transform)) continue;
    let t: Transform | null = null;
    for (const opts of [{ keys: ['img'] }, {}]) {
      try {
        t = new (C as unknown as new (o: unknown) => Transform)(opts);
        break;
      } catch {
        // needs more options
      }
    }
    if (!t) continue;
    if (isRandomizable(t)) t.setRandomState({ seed: 3 });
    let desc;
    try {
      desc = describeTransform(t);
    } catch (e) {
      assert.ok(e instanceof NotPortableError, `${name}: ${String(e)}`);
      notPortable.push(name);
      continue;
    }
    const r = reviveTransform<Transform>(desc);
    assert.equal(Object.getPrototypeOf(r), Object.getPrototypeOf(t), name);
    built.push(name);
    for (let call = 0; call < 2; call++) {
      const isDict = 'keys' in t;
      const a = input();
      const b = input();
      const ra = run(t, isDict ? { img: a } : a);
      const rb = run(r, isDict ? { img: b } : b);
      assert.equal(rb.err, ra.err, `${name} call ${call}: errors`);
      if (!ra.err) same(ra.out, rb.out, `${name} call ${call}`);
      disposeDeep([a, b, ra.out, rb.out]);
    }
  }
  assert.ok(built.length >= 150, `only ${built.length} classes round-tripped`);
  // constructors create no closures: defaults are named exports (portable_defaults.test.ts)
  assert.deepEqual(notPortable, [], 'every class built from default options travels');
});

test('shared references, the shared random state, random states, tensors and nested Compose', () => {
  const flip = new T.RandFlip({ prob: 0.5 });
  const flip2 = new T.RandFlip({ prob: 0.5 });
  const pipe = new T.Compose([flip, new T.Compose([flip2]), flip]);
  pipe.setRandomState({ seed: 42 });
  const fresh = new T.RandFlip({ prob: 0.5 });
  assert.equal(fresh.R, sharedRandomState);
  const w = torch.arange(6);
  const desc = describeTransform({ pipe, fresh, w, m: new Map([['a', [1, 2]]]), s: new Set([1]), ta: new Float64Array([1.5]) });
  const back = reviveTransform<{ pipe: T.Compose; fresh: T.RandFlip; w: torch.Tensor; m: Map<string, number[]>; s: Set<number>; ta: Float64Array }>(desc);
  assert.equal(back.pipe.transforms[0], back.pipe.transforms[2], 'one object stays one object');
  assert.equal(back.fresh.R, sharedRandomState, 'the shared default state stays shared');
  assert.ok(back.pipe.R instanceof RandomState && back.pipe.R !== pipe.R);
  assert.equal(back.pipe.R.rand(), pipe.R.rand(), 'same random state');
  assert.deepEqual(back.w.toArray(), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual([...back.m], [['a', [1, 2]]]);
  assert.deepEqual([...back.s], [1]);
  assert.deepEqual(Array.from(back.ta), [1.5]);
  w.dispose();
  back.w.dispose();
  // a description revived once: its tokens are gone
  assert.throws(() => reviveTransform(desc), /already adopted/);
});

test('user classes and functions travel once their module is registered; closures do not', async () => {
  const url = new URL('../data/helpers/loader_transforms.ts', import.meta.url).href;
  await registerTransforms(url);
  const d = describeTransform({ t: new MakeItem([1, 2]), f: idsCollate });
  assert.deepEqual(d.modules, [url]);
  const back = reviveTransform<{ t: MakeItem; f: typeof idsCollate }>(d);
  assert.ok(back.t instanceof MakeItem);
  assert.deepEqual(back.t.size, [1, 2]);
  assert.equal(back.f, idsCollate);
  assert.throws(() => describeTransform(new T.Compose([new MakeItem(), (x: unknown) => x])), (e: unknown) => e instanceof NotPortableError && /transform\.transforms\[1\] is a function \(anonymous\)/.test(e.message));
  class Local extends Transform {
    call(x: unknown): unknown {
      return x;
    }
  }
  assert.throws(() => describeTransform([new Local()]), /transform\[0\] is an instance of Local, a class that neither monai-ts exports nor a module/);
  // a failed description frees the tensors it had shared
  const t = torch.ones([2]);
  assert.throws(() => describeTransform([t, () => 1]), NotPortableError);
  t.dispose();
  const t2 = torch.ones([2]);
  releaseDescription(describeTransform([t2]));
  t2.dispose();
});

after(() => {
  assert.equal(torch.memory().liveTensors, start, 'serialize tests leaked tensors');
});
