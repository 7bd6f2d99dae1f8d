// c10d stores from JS (TCPStore between 2 processes, FileStore and PrefixStore in this one), the
// file:// rendezvous, and initProcessGroup's argument errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../../src/index.js';
import { runRanks, explain } from './helpers/ranks.js';

const D = torch.distributed;
const start = torch.memory().liveTensors;
const dir = mkdtempSync(join(tmpdir(), 'mts-dist-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'no live tensors left');
});

test('TCPStore between 2 processes: set/get/add/wait/check/deleteKey/compareSet, prefix keys, get timeout', async () => {
  const rs = await runRanks('store', [{}, {}]);
  rs.forEach((r, i) => assert.equal(r.code, 0, explain(r, i)));
  const [r0, r1] = rs.map((r) => r.result);
  for (const r of [r0, r1]) {
    assert.equal(r.greeting, 'hello');
    assert.deepEqual(r.bytes, [1, 2, 255]);
    assert.equal(r.prefixed, 'v', "PrefixStore('pre') writes 'pre/k'");
    assert.equal(r.viaPrefix, 'v');
    assert.equal(r.counter, 3);
    assert.deepEqual(r.check, [true, false]);
    assert.equal(r.timeout, 300);
    assert.match(r.getMissing, /^Store\.get\('never-set'\) \(timeout 300 ms\): .*Timeout/);
    assert.ok(r.getMissingMs >= 250 && r.getMissingMs < 5000, `get gave up after ${r.getMissingMs} ms`);
  }
  // rank 0 adds 1 and rank 1 adds 2, in either order
  assert.ok((r0.added === 1 && r1.added === 3) || (r1.added === 2 && r0.added === 3), `add returned ${r0.added} and ${r1.added}`);
  assert.deepEqual(r0.deleted, [true, false]);
  assert.equal(r0.compareSet, 'first');
  assert.equal(r0.compareSet2, 'first', 'compareSet with a wrong expected value keeps the old value');
  assert.equal(r0.numKeysPositive, true);
});

test('FileStore and PrefixStore in one process', () => {
  const fs = new D.FileStore(join(dir, 'store'), 1);
  fs.set('a', 'x');
  assert.equal(fs.get('a').toString(), 'x');
  assert.equal(fs.add('n', 5), 5);
  assert.equal(fs.add('n', -2), 3);
  const p = new D.PrefixStore('grp', fs);
  p.set('k', new Uint8Array([9]));
  assert.deepEqual([...fs.get('grp/k')], [9]);
  assert.equal(p.check(['k']), true);
  assert.equal(p.check(['a']), false);
  p.setTimeout(200);
  assert.throws(() => p.wait(['missing'], 100), /Store\.wait\(missing\) \(timeout 100 ms\)/);
  assert.throws(() => new D.PrefixStore('x', {} as never), /PrefixStore: store must be a Store/);
});

test('file:// rendezvous with one rank: a working group, then destroyProcessGroup', () => {
  D.initProcessGroup({ initMethod: `file://${join(dir, 'rdzv')}`, rank: 0, worldSize: 1, timeout: 5000 });
  try {
    assert.equal(D.getRank(), 0);
    assert.equal(D.getWorldSize(), 1);
    assert.throws(() => D.initProcessGroup({ initMethod: `file://${join(dir, 'again')}`, rank: 0, worldSize: 1 }), /already initialized/);
    const t = torch.tensor([1.5, 2], { dtype: 'float32' });
    D.allReduce(t);
    assert.deepEqual([...(t.data() as Float32Array)], [1.5, 2]);
    t.dispose();
    // The store of the default group is c10d's "default_pg" namespace.
    D.getDefaultStore().set('mine', 'v');
    const g = D.newGroup([0]);
    assert.equal(g.rank(), 0);
    D.destroyProcessGroup(g);
    const z = torch.zeros([1]);
    assert.throws(() => D.allReduce(z, { group: g }), /allReduce: the process group '1' was destroyed/);
    D.allReduce(z);
    z.dispose();
  } finally {
    D.destroyProcessGroup();
  }
  assert.equal(D.isInitialized(), false);
});

test('initProcessGroup argument errors name the option', () => {
  assert.throws(() => D.initProcessGroup({ backend: 'mpi' as 'gloo' }), /backend: expected 'gloo' or 'nccl', found 'mpi'/);
  assert.throws(() => D.initProcessGroup({ worldsize: 2 } as never), /initProcessGroup: unknown option 'worldsize'/);
  assert.throws(() => D.initProcessGroup({ initMethod: 'tcp://127.0.0.1:1', rank: 2, worldSize: 2 }), /rank must be an integer in 0\.\.1, found 2/);
  assert.throws(() => D.initProcessGroup({ initMethod: 'udp://x:1', rank: 0, worldSize: 1 }), /unsupported scheme 'udp:'/);
  assert.throws(() => D.initProcessGroup({ initMethod: 'tcp://127.0.0.1', rank: 0, worldSize: 1 }), /needs a host and a port/);
  assert.throws(() => D.initProcessGroup({ timeout: -1 }), /timeout: expected a positive number of milliseconds, found -1/);
  assert.throws(() => D.initProcessGroup({ store: new D.FileStore(join(dir, 's2'), 1) }), /with a store, rank and worldSize are required/);
  assert.throws(() => D.initProcessGroup({ backend: 'nccl', store: new D.FileStore(join(dir, 's3'), 1), rank: 0, worldSize: 1 }), /no ProcessGroupNCCL/);
  assert.equal(D.isInitialized(), false);
  const z = torch.zeros([1]);
  assert.throws(() => D.allReduce(z), /allReduce: the default process group is not initialized/);
  z.dispose();
});

test('initProcessGroup with a store; DistributedDataParallel on a 1-rank group: options, pass-through, module. keys', () => {
  D.initProcessGroup({ store: new D.FileStore(join(dir, 'direct'), 1), rank: 0, worldSize: 1, timeout: 5000 });
  try {
    const net = new torch.nn.Linear({ inFeatures: 3, outFeatures: 2 });
    assert.throws(() => new torch.nn.parallel.DistributedDataParallel(net, { bucketCapMB: 1 } as never), /DistributedDataParallel: unknown option 'bucketCapMB'/);
    assert.throws(() => new torch.nn.parallel.DistributedDataParallel(net, { bucketCapMb: 0 }), /bucketCapMb must be a positive number, found 0/);
    const frozen = new torch.nn.Linear({ inFeatures: 3, outFeatures: 2 });
    frozen.requiresGrad_(false);
    assert.throws(() => new torch.nn.parallel.DistributedDataParallel(frozen), /no parameter that requires grad/);
    frozen.dispose();
    const ddp = new torch.nn.parallel.DistributedDataParallel(net);
    assert.equal(ddp.module, net);
    const x = torch.ones([4, 3]);
    const y = ddp.forward(x) as torch.Tensor;
    const plain = net.forward(x);
    assert.deepEqual([...(y.data() as Float32Array)], [...(plain.data() as Float32Array)]);
    const l = y.sum();
    l.backward();
    // One rank: the average is the local gradient (the bias gradient is the batch size).
    const g = net.bias!.grad!;
    assert.deepEqual([...(g.data() as Float32Array)], [4, 4]);
    [x, y, plain, l, g].forEach((t) => t.dispose());
    const sd = ddp.stateDict();
    assert.deepEqual(Object.keys(sd), ['module.weight', 'module.bias']);
    Object.values(sd).forEach((t) => t.dispose());
    assert.match(ddp.toString(), /DistributedDataParallel\(/);
    ddp.dispose();
    const z = torch.ones([1, 3]);
    assert.throws(() => ddp.forward(z), /used after dispose/);
    z.dispose();
  } finally {
    D.destroyProcessGroup();
  }
});

test('GLOO_SOCKET_IFNAME picks the Gloo interface (an unknown one fails, naming it)', () => {
  process.env.GLOO_SOCKET_IFNAME = 'nosuchif0';
  try {
    assert.throws(() => D.initProcessGroup({ initMethod: `file://${join(dir, 'ifname')}`, rank: 0, worldSize: 1, timeout: 5000 }), /initProcessGroup \(rank 0 of 1, file:.*nosuchif0/);
    assert.equal(D.isInitialized(), false);
  } finally {
    delete process.env.GLOO_SOCKET_IFNAME;
  }
});
