// What the addon reports to V8 as external memory (torch.memory().externalBytes): each CPU storage
// once, however many handles and shared views hold it. Reporting every handle's whole storage made
// the windows of a sliding-window output and a network's activation views count one large storage
// many times over, and V8 ran a full garbage collection for each report.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'live tensors leaked'));

const MB = 1 << 20;
const external = () => torch.memory().externalBytes;

test('many views and aliases of one large tensor report its storage once', () => {
  const e0 = external();
  const big = torch.zeros([16 * MB / 4]); // 16 MiB of float32
  assert.equal(external() - e0, 16 * MB);
  const views = torch.tidy(() => {
    const out: torch.Tensor[] = [];
    for (let i = 0; i < 64; i++) out.push(big.narrow(0, i * 1024, 1024), big.view([4, -1]), big.detach());
    return out;
  });
  assert.equal(views.length, 192);
  assert.equal(external() - e0, 16 * MB, '192 views add nothing');
  // Disposing the base first: the views still hold (and report) the storage.
  big.dispose();
  assert.equal(external() - e0, 16 * MB);
  torch.dispose(views);
  assert.equal(external(), e0, 'the last handle un-reports the storage');
});

test('distinct storages are each reported; a copy is a new storage', () => {
  const e0 = external();
  const a = torch.zeros([MB]); // 4 MiB
  const b = a.clone();
  const c = a.reshape([2, -1]); // a view: same storage
  assert.equal(external() - e0, 8 * MB);
  torch.dispose([a, b, c]);
  assert.equal(external(), e0);
});

test('a shared data view holds the storage once, beside or after its handle', () => {
  const e0 = external();
  const t = torch.zeros([MB]);
  const view = t.data({ share: true }) as Float32Array;
  assert.equal(external() - e0, 4 * MB, 'the view adds nothing while the handle reports the storage');
  t.dispose();
  assert.equal(external() - e0, 4 * MB, 'the view alone still holds the storage');
  view[0] = 1; // still valid memory
  let seen = 0;
  const u = torch.ones([MB]);
  u.withData((d) => {
    seen = external() - e0;
    return d.length;
  });
  assert.equal(seen, 8 * MB, 'withData adds nothing for a storage its handle holds');
  assert.equal(external() - e0, 8 * MB);
  u.dispose();
  assert.equal(external() - e0, 4 * MB);
  // The shared view's storage is released when the view is collected; nothing else holds it.
});

test('inside a tidy or scope, V8 hears only the net change, when the outermost one closes', () => {
  const e0 = external();
  torch.tidy(() => {
    const a = torch.zeros([16 * MB / 4]);
    assert.equal(external(), e0, 'a tensor held by an open scope is not reported yet');
    torch.tidy(() => torch.ones([16 * MB / 4]));
    assert.equal(external(), e0, 'closing an inner scope reports nothing');
    return a.shape[0];
  });
  assert.equal(external(), e0, 'intermediates freed by the scope were never reported');
  const kept = torch.tidy(() => torch.zeros([16 * MB / 4]).add(1));
  assert.equal(external() - e0, 16 * MB, 'the result that leaves the scope is reported at its close');
  {
    using _s = torch.scope();
    kept.dispose();
    assert.equal(external() - e0, 16 * MB, 'a release inside a scope waits for its close as well');
  }
  assert.equal(external(), e0);
});

test('a scope closed by a throw still ends the deferral', () => {
  const e0 = external();
  assert.throws(() => torch.tidy(() => {
    torch.zeros([4]);
    throw new Error('boom');
  }), /boom/);
  const t = torch.zeros([16 * MB / 4]);
  assert.equal(external() - e0, 16 * MB, 'reported at once again outside any scope');
  t.dispose();
  assert.equal(external(), e0);
});
