// Grad mode (torch.set_grad_enabled, no_grad, enable_grad): what records a graph, nesting, and that
// every scope restores the mode it found, also when its function throws or returns a Promise.
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;

// A failing test must not leave grad mode off for the tests after it.
afterEach(() => {
  torch.setGradEnabled(true);
});

function recorded(w: torch.Tensor): boolean {
  const y = w.mul(2);
  const r = y.requiresGrad;
  assert.equal(y.gradFn === null, !r, 'gradFn present exactly when the result requires grad');
  y.dispose();
  return r;
}

test('setGradEnabled switches recording and returns the previous mode', () => {
  const w = torch.ones([3], { requiresGrad: true });
  try {
    assert.equal(torch.isGradEnabled(), true);
    assert.equal(recorded(w), true);
    assert.equal(torch.setGradEnabled(false), true, 'previous mode');
    assert.equal(torch.isGradEnabled(), false);
    assert.equal(recorded(w), false);
    assert.equal(torch.setGradEnabled(false), false, 'setting the same mode again');
    assert.equal(torch.setGradEnabled(true), false);
    assert.equal(torch.isGradEnabled(), true);
    assert.equal(recorded(w), true);
  } finally {
    torch.setGradEnabled(true);
    w.dispose();
  }
});

test('a graph recorded before grad was disabled still backpropagates', () => {
  const w = torch.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
  const loss = torch.tidy(() => w.mul(w).sum());
  torch.setGradEnabled(false);
  const detached = w.mul(3);
  torch.setGradEnabled(true);
  loss.backward();
  const g = w.grad!;
  assert.deepEqual(g.toArray(), [2, 4, 6]);
  g.dispose();
  assert.equal(detached.requiresGrad, false);
  torch.dispose([w, loss, detached]);
});

test('noGrad and enableGrad nest, each restoring the mode it found', () => {
  const w = torch.ones([2], { requiresGrad: true });
  const seen: boolean[] = [];
  torch.noGrad(() => {
    seen.push(torch.isGradEnabled(), recorded(w));
    torch.enableGrad(() => {
      seen.push(torch.isGradEnabled(), recorded(w));
      torch.noGrad(() => seen.push(torch.isGradEnabled(), recorded(w)));
      seen.push(torch.isGradEnabled());
    });
    seen.push(torch.isGradEnabled());
    torch.noGrad(() => seen.push(torch.isGradEnabled()));
    seen.push(torch.isGradEnabled());
  });
  assert.deepEqual(seen, [false, false, true, true, false, false, true, false, false, false]);
  assert.equal(torch.isGradEnabled(), true);
  // enableGrad at top level keeps it on; setGradEnabled(false) outside is restored by an inner scope
  torch.setGradEnabled(false);
  torch.enableGrad(() => assert.equal(torch.isGradEnabled(), true));
  assert.equal(torch.isGradEnabled(), false, 'enableGrad restores the disabled mode it found');
  torch.setGradEnabled(true);
  w.dispose();
});

test('scopes return their function result', () => {
  assert.equal(torch.noGrad(() => 42), 42);
  assert.equal(torch.enableGrad(() => 'x'), 'x');
});

test('a throwing function restores the mode: noGrad, enableGrad, nested', () => {
  assert.throws(() => torch.noGrad(() => {
    throw new Error('inner failure');
  }), /inner failure/);
  assert.equal(torch.isGradEnabled(), true, 'after noGrad threw');

  torch.setGradEnabled(false);
  assert.throws(() => torch.enableGrad(() => {
    assert.equal(torch.isGradEnabled(), true);
    throw new RangeError('boom');
  }), RangeError);
  assert.equal(torch.isGradEnabled(), false, 'after enableGrad threw');
  torch.setGradEnabled(true);

  torch.noGrad(() => {
    assert.throws(() => torch.enableGrad(() => {
      torch.noGrad(() => {
        throw new Error('deep');
      });
    }), /deep/);
    assert.equal(torch.isGradEnabled(), false, 'the outer noGrad mode survives the inner throw');
  });
  assert.equal(torch.isGradEnabled(), true);
});

test('a scope given an async function refuses it and restores the mode', async () => {
  assert.throws(() => torch.noGrad(async () => 1), /synchronous/);
  assert.equal(torch.isGradEnabled(), true);
  torch.setGradEnabled(false);
  const p = Promise.resolve(0);
  assert.throws(() => torch.enableGrad(() => p), /synchronous/);
  assert.equal(torch.isGradEnabled(), false);
  torch.setGradEnabled(true);
  await p;
});

test('grad mode is per thread of the process: a worker starts with grad on', async () => {
  const { Worker } = await import('node:worker_threads');
  torch.setGradEnabled(false);
  try {
    const w = new Worker(new URL('./helpers/grad_mode_worker.mjs', import.meta.url));
    const got = await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    assert.equal(got, true);
    assert.equal(torch.isGradEnabled(), false, 'the worker did not change this thread');
  } finally {
    torch.setGradEnabled(true);
  }
});

after(() => {
  assert.equal(torch.isGradEnabled(), true);
  assert.equal(torch.memory().liveTensors, start, 'grad mode tests leaked tensors');
});
