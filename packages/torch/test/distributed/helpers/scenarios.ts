// Scenarios run by every rank of a distributed test (see rank_main.ts). Each returns plain values
// that the test compares across ranks.
import * as torch from '../../../src/index.js';
import type { Tensor } from '../../../src/index.js';

const D = torch.distributed;
type Out = Record<string, unknown>;

const list = (t: Tensor): number[] => Array.from(t.data() as ArrayLike<number | bigint>, Number);
function take(t: Tensor): number[] {
  const v = list(t);
  t.dispose();
  return v;
}
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

async function collectives(): Promise<Out> {
  D.initProcessGroup({ backend: 'gloo', timeout: 20_000 });
  const rank = D.getRank();
  const ws = D.getWorldSize();
  const base = () => torch.tensor([rank + 1, rank + 2, -(rank + 1)], { dtype: 'float32' });
  const out: Out = { rank, ws, backend: D.getBackend(), initialized: D.isInitialized() };
  for (const op of [D.ReduceOp.SUM, D.ReduceOp.PRODUCT, D.ReduceOp.MIN, D.ReduceOp.MAX]) {
    const t = base();
    D.allReduce(t, { op });
    out[`allReduce_${op}`] = take(t);
  }
  const ti = torch.tensor([rank + 5], { dtype: 'int64' });
  D.allReduce(ti);
  out.allReduceInt = Number(ti.item());
  ti.dispose();
  const avg = base();
  out.avgError = errorOf(() => D.allReduce(avg, { op: D.ReduceOp.AVG }));
  avg.dispose();
  const b = base();
  D.broadcast(b, 1);
  out.broadcast = take(b);
  const parts = [torch.zeros([3]), torch.zeros([3])];
  const mine = base();
  D.allGather(parts, mine);
  out.allGather = parts.map(take);
  D.reduce(mine, 1, { op: D.ReduceOp.SUM });
  out.reduce = rank === 1 ? list(mine) : null;
  mine.dispose();
  const g = base();
  const gl = rank === 0 ? [torch.zeros([3]), torch.zeros([3])] : null;
  D.gather(g, { gatherList: gl, dst: 0 });
  out.gather = gl ? gl.map(take) : null;
  g.dispose();
  const s = torch.zeros([2]);
  const sl = rank === 1 ? [torch.tensor([10, 11], { dtype: 'float32' }), torch.tensor([20, 21], { dtype: 'float32' })] : null;
  D.scatter(s, { scatterList: sl, src: 1 });
  out.scatter = take(s);
  sl?.forEach((t) => t.dispose());
  const rsOut = torch.zeros([1]);
  const rsIn = [torch.ones([1]), torch.ones([1])];
  out.reduceScatterError = errorOf(() => D.reduceScatter(rsOut, rsIn));
  rsOut.dispose();
  rsIn.forEach((t) => t.dispose());
  D.barrier();
  const p = torch.tensor([7, 8, 9], { dtype: 'float32' });
  if (rank === 0) D.send(p, 1, { tag: 3 });
  else out.recvFrom = D.recv(p, { tag: 3 });
  out.p2p = take(p);
  // A group of rank 1 alone, and one of both ranks in reverse order of creation.
  const solo = D.newGroup([1]);
  const both = D.newGroup([0, 1]);
  out.soloRank = solo.rank();
  out.soloSize = D.getWorldSize(solo);
  const x = torch.tensor([rank + 1]);
  D.allReduce(x, { group: solo });
  out.soloAllReduce = take(x);
  const y = torch.tensor([rank + 1]);
  D.allReduce(y, { group: both, op: D.ReduceOp.MAX });
  out.bothAllReduce = take(y);
  const z = torch.zeros([2, 3]);
  const zt = z.t();
  out.badSrc = errorOf(() => D.broadcast(z, 0, { group: solo }));
  out.notContiguous = errorOf(() => D.allReduce(zt));
  out.wrongType = errorOf(() => D.allReduce([z] as unknown as Tensor));
  out.badOp = errorOf(() => D.allReduce(z, { op: 'mean' as 'sum' }));
  z.dispose();
  zt.dispose();
  D.destroyProcessGroup();
  out.initializedAfter = D.isInitialized();
  out.notInitError = errorOf(() => D.getRank());
  return out;
}

async function asyncOps(): Promise<Out> {
  D.initProcessGroup({ timeout: 20_000 });
  const rank = D.getRank();
  const t = torch.tensor([rank + 1, 10 * (rank + 1)], { dtype: 'float32' });
  // Rank 1 joins 400 ms late; rank 0's event loop keeps turning while it waits.
  if (rank === 1) await new Promise((r) => setTimeout(r, 400));
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20);
  const w = D.allReduce(t, { asyncOp: true });
  const completedAtStart = w.isCompleted();
  const waited = await w.wait();
  clearInterval(timer);
  const out: Out = { rank, ticks, waited, completedAtStart, success: w.isSuccess(), value: take(t) };
  const b = torch.tensor([rank === 0 ? 42 : 0], { dtype: 'float32' });
  const wb = D.broadcast(b, 0, { asyncOp: true });
  out.waitSync = wb.waitSync();
  out.broadcast = take(b);
  const r = torch.zeros([2]);
  if (rank === 0) {
    const s = torch.tensor([5, 6], { dtype: 'float32' });
    await D.isend(s, 1)!.wait();
    s.dispose();
  } else {
    const w2 = D.irecv(r)!;
    await w2.wait();
    out.sourceRank = w2.sourceRank();
  }
  out.recv = take(r);
  const wbar = D.barrier({ asyncOp: true });
  await wbar.wait();
  return out;
}

async function timeout(): Promise<Out> {
  D.initProcessGroup({ timeout: 20_000 });
  // Collectives of this group time out after 1.5 s.
  const group = D.newGroup(undefined, { timeout: 1500 });
  const rank = D.getRank();
  const out: Out = { rank };
  if (rank === 0) {
    const t = torch.ones([4]);
    const t0 = Date.now();
    out.syncError = errorOf(() => D.allReduce(t, { group }));
    out.syncMs = Date.now() - t0;
    const w = D.allReduce(t, { group, asyncOp: true });
    try {
      await w.wait();
      out.asyncError = 'no error';
    } catch (e) {
      out.asyncError = (e as Error).message;
    }
    t.dispose();
  } else {
    // Takes part in nothing; stays alive until rank 0 has timed out twice.
    await new Promise((r) => setTimeout(r, 4500));
  }
  return out;
}

// Rank 1 dies right after joining; rank 0's next collective fails, naming the operation.
async function peerGone(): Promise<Out> {
  D.initProcessGroup({ timeout: 20_000 });
  const rank = D.getRank();
  if (rank === 1) process.exit(3);
  const t = torch.ones([4]);
  const t0 = Date.now();
  const error = errorOf(() => D.allReduce(t));
  t.dispose();
  return { rank, error, ms: Date.now() - t0 };
}

// Started alone with WORLD_SIZE=2: the rendezvous must fail within the timeout, naming the rank.
async function lonely(): Promise<Out> {
  const t0 = Date.now();
  const error = errorOf(() => D.initProcessGroup({ timeout: 1500 }));
  return { error, ms: Date.now() - t0, initialized: D.isInitialized() };
}

async function objects(): Promise<Out> {
  // tcp:// rendezvous with explicit rank and world size (the environment's are not read).
  const env = process.env;
  D.initProcessGroup({ initMethod: `tcp://${env.MASTER_ADDR}:${env.MASTER_PORT}`, rank: Number(env.RANK), worldSize: 2, timeout: 20_000 });
  const rank = D.getRank();
  const gathered: unknown[] = [];
  D.allGatherObject(gathered, { rank, name: `r${rank}`, list: Array(rank * 3 + 1).fill('é') });
  const bl: unknown[] = rank === 0 ? [{ a: 1 }, 'two', [3], null] : [0, 0, 0, 0];
  D.broadcastObjectList(bl, 0);
  const gl = rank === 1 ? [] : null;
  const got = D.gatherObject({ from: rank }, gl, 1);
  return { rank, gathered, broadcast: bl, gather: got };
}

async function store(): Promise<Out> {
  const rank = Number(process.env.RANK);
  const port = Number(process.env.MASTER_PORT);
  const s = new D.TCPStore('127.0.0.1', port, { worldSize: 2, isMaster: rank === 0, timeout: 10_000 });
  const out: Out = { rank };
  if (rank === 0) {
    s.set('greeting', 'hello');
    s.set('bytes', new Uint8Array([1, 2, 255]));
    const p = new D.PrefixStore('pre', s);
    p.set('k', 'v');
  }
  out.greeting = s.get('greeting').toString();
  out.bytes = [...s.get('bytes')];
  out.prefixed = s.get('pre/k').toString();
  out.viaPrefix = new D.PrefixStore('pre', s).get('k').toString();
  out.added = s.add('counter', rank + 1);
  s.wait(['greeting']);
  // Both ranks have added once both see 3.
  while (s.add('counter', 0) !== 3) await new Promise((r) => setTimeout(r, 10));
  out.counter = s.add('counter', 0);
  out.check = [s.check(['greeting']), s.check(['absent'])];
  s.setTimeout(300);
  out.timeout = s.timeout;
  const t0 = Date.now();
  out.getMissing = errorOf(() => s.get('never-set'));
  out.getMissingMs = Date.now() - t0;
  s.add('done', 1);
  while (s.add('done', 0) !== 2) await new Promise((r) => setTimeout(r, 10));
  if (rank === 0) {
    out.deleted = [s.deleteKey('greeting'), s.deleteKey('greeting')];
    out.compareSet = s.compareSet('cas', '', 'first').toString();
    out.compareSet2 = s.compareSet('cas', 'wrong', 'second').toString();
    out.numKeysPositive = s.numKeys() > 0;
  }
  // The server (rank 0) must outlive rank 1's last request.
  if (rank === 1) s.set('bye', '1');
  else s.wait(['bye']);
  return out;
}

// ------------------------------------------------------------------------------------- DDP

class Net extends torch.nn.Module {
  c1 = new torch.nn.Conv3d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 });
  c2 = new torch.nn.Conv3d({ inChannels: 4, outChannels: 2, kernelSize: 3 });
  fc = new torch.nn.Linear({ inFeatures: 2, outFeatures: 3 });
  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const h = torch.relu(this.c1.forward(x));
      const g = this.c2.forward(h).mean([2, 3, 4]);
      return this.fc.forward(g);
    });
  }
}

function data(): { x: Tensor; y: Tensor } {
  torch.manualSeed(123);
  return { x: torch.randn([4, 1, 6, 6, 6]), y: torch.randn([4, 3]) };
}

function lossOf(m: torch.nn.Module, x: Tensor, y: Tensor): Tensor {
  return torch.tidy(() => (m.forward(x) as Tensor).sub(y).pow(2).mean());
}

function step(m: torch.nn.Module, opt: torch.optim.SGD, x: Tensor, y: Tensor): void {
  opt.zeroGrad();
  const loss = lossOf(m, x, y);
  loss.backward();
  loss.dispose();
  opt.step();
}

function flat(m: torch.nn.Module): number[] {
  return [...m.parameters()].flatMap((p) => list(p));
}

function maxDiff(a: number[], b: number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return a.length === b.length ? d : Infinity;
}

function keysOf(sd: Record<string, Tensor>): string[] {
  for (const t of Object.values(sd)) t.dispose();
  return Object.keys(sd);
}

async function ddp(): Promise<Out> {
  const { x, y } = data();
  // The reference: one process, the whole batch.
  torch.manualSeed(0);
  const ref = new Net();
  const refOpt = new torch.optim.SGD(ref.parameters(), { lr: 0.5 });
  for (let i = 0; i < 5; i++) step(ref, refOpt, x, y);
  D.initProcessGroup({ timeout: 20_000 });
  const rank = D.getRank();
  // Rank 1 starts from other weights: the wrap must broadcast rank 0's.
  torch.manualSeed(rank);
  const net = new Net();
  const model = new torch.nn.parallel.DistributedDataParallel(net, { bucketCapMb: 0.0001 });
  const startParams = flat(net);
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.5 });
  const xs = x.narrow(0, rank * 2, 2);
  const ys = y.narrow(0, rank * 2, 2);
  for (let i = 0; i < 5; i++) step(model, opt, xs, ys);
  const out: Out = {
    rank,
    diff: maxDiff(flat(net), flat(ref)),
    moved: maxDiff(flat(net), startParams),
    params: flat(net),
    keys: keysOf(model.stateDict()),
    moduleIsNet: model.module === net,
  };
  [xs, ys, x, y].forEach((t) => t.dispose());
  model.dispose();
  ref.dispose();
  return out;
}

function grads(m: torch.nn.Module): number[] {
  return [...m.parameters()].flatMap((p) => {
    const g = p.grad;
    return g ? take(g) : [];
  });
}

async function noSync(): Promise<Out> {
  torch.manualSeed(5);
  const xAll = torch.randn([8, 1, 5, 5, 5]);
  const yAll = torch.randn([8, 3]);
  D.initProcessGroup({ timeout: 20_000 });
  const rank = D.getRank();
  torch.manualSeed(0);
  const net = new Net();
  const model = new torch.nn.parallel.DistributedDataParallel(net);
  // Rank r's micro-batches: rows [4r, 4r+2) then [4r+2, 4r+4).
  const micro = (r: number, k: number) => [xAll.narrow(0, 4 * r + 2 * k, 2), yAll.narrow(0, 4 * r + 2 * k, 2)];
  const [x0, y0] = micro(rank, 0);
  model.noSync(() => {
    const l = lossOf(model, x0, y0);
    l.backward();
    l.dispose();
  });
  const local = grads(net);
  const [x1, y1] = micro(rank, 1);
  const l = lossOf(model, x1, y1);
  l.backward();
  l.dispose();
  const synced = grads(net);
  // Reference in this process: local gradients of every micro-batch of both ranks, summed, halved.
  torch.manualSeed(0);
  const ref = new Net();
  for (let r = 0; r < 2; r++)
    for (let k = 0; k < 2; k++) {
      const [xm, ym] = micro(r, k);
      const lm = lossOf(ref, xm, ym);
      lm.backward();
      [lm, xm, ym].forEach((t) => t.dispose());
    }
  const refSum = grads(ref).map((v) => v / 2);
  // This rank's first micro-batch alone, for the local (unsynchronized) check.
  ref.zeroGrad();
  const lm = lossOf(ref, x0, y0);
  lm.backward();
  lm.dispose();
  const refFirst = grads(ref);
  [x0, y0, x1, y1, xAll, yAll].forEach((t) => t.dispose());
  model.dispose();
  ref.dispose();
  return { rank, localDiff: maxDiff(local, refFirst), syncedDiff: maxDiff(synced, refSum), syncFlag: model.requireBackwardGradSync };
}

class Branchy extends torch.nn.Module {
  a = new torch.nn.Linear({ inFeatures: 3, outFeatures: 2 });
  unused = new torch.nn.Linear({ inFeatures: 3, outFeatures: 2 });
  forward(x: Tensor): Tensor {
    return this.a.forward(x);
  }
}

async function unused(): Promise<Out> {
  D.initProcessGroup({ timeout: 20_000 });
  const rank = D.getRank();
  torch.manualSeed(0);
  const m = new torch.nn.parallel.DistributedDataParallel(new Branchy(), { findUnusedParameters: true });
  const x = torch.tidy(() => torch.ones([2, 3]).mul(rank + 1));
  for (let i = 0; i < 3; i++) {
    m.zeroGrad();
    const y = m.forward(x) as Tensor;
    const l = y.sum();
    l.backward();
    [y, l].forEach((t) => t.dispose());
  }
  const out: Out = { rank, grad: grads(m.module.a), unusedGrad: m.module.unused.weight.grad === null };
  x.dispose();
  m.dispose();
  // Without findUnusedParameters the second iteration fails with c10d's explanation.
  torch.manualSeed(0);
  const strict = new torch.nn.parallel.DistributedDataParallel(new Branchy());
  const x2 = torch.ones([2, 3]);
  const run = () => {
    const y = strict.forward(x2) as Tensor;
    const l = y.sum();
    l.backward();
    [y, l].forEach((t) => t.dispose());
  };
  run();
  out.strictError = errorOf(run);
  x2.dispose();
  strict.dispose();
  return out;
}

class BnNet extends torch.nn.Module {
  conv = new torch.nn.Conv3d({ inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1 });
  bn = new torch.nn.BatchNorm3d({ numFeatures: 3 });
  forward(x: Tensor): Tensor {
    return torch.tidy(() => torch.relu(this.bn.forward(this.conv.forward(x))));
  }
}

// SyncBatchNorm under DDP on half batches against BatchNorm3d on the whole batch in one process:
// outputs, parameter gradients, input gradients (each rank's input gets the sum of both ranks'
// losses through the statistics, as in PyTorch: 2x the whole-batch mean loss's) and running stats.
async function syncBn(): Promise<Out> {
  torch.manualSeed(3);
  const x = torch.tidy(() => torch.randn([4, 2, 4, 4, 4]).mul(2).add(0.5));
  D.initProcessGroup({ timeout: 20_000 });
  const rank = D.getRank();
  const run = (m: torch.nn.Module, input: Tensor) => {
    const xi = input.clone();
    xi.requiresGrad = true;
    const y = m.forward(xi) as Tensor;
    const l = torch.tidy(() => y.pow(2).mean());
    l.backward();
    const out = { y: list(y), gx: take(xi.grad!) };
    [xi, y, l].forEach((t) => t.dispose());
    return out;
  };
  torch.manualSeed(0);
  const ref = new BnNet();
  const r = run(ref, x);
  torch.manualSeed(0);
  const net = new BnNet();
  const converted = torch.nn.SyncBatchNorm.convertSyncBatchnorm(net);
  const model = new torch.nn.parallel.DistributedDataParallel(converted);
  const xs = x.narrow(0, rank * 2, 2);
  const o = run(model, xs);
  const half = (v: number[]) => v.slice((rank * v.length) / 2, ((rank + 1) * v.length) / 2);
  const out: Out = {
    rank,
    isSync: net.bn instanceof torch.nn.SyncBatchNorm,
    yDiff: maxDiff(o.y, half(r.y)),
    gxDiff: maxDiff(o.gx, half(r.gx).map((v) => 2 * v)),
    gradDiff: maxDiff(grads(net), grads(ref)),
    meanDiff: maxDiff(list((net.bn as unknown as { running_mean: Tensor }).running_mean), list(ref.bn.running_mean!)),
    varDiff: maxDiff(list((net.bn as unknown as { running_var: Tensor }).running_var), list(ref.bn.running_var!)),
  };
  // eval(): running statistics, no communication
  model.eval();
  const e1 = torch.noGrad(() => model.forward(xs) as Tensor);
  ref.eval();
  const e2 = torch.noGrad(() => ref.forward(xs) as Tensor);
  out.evalDiff = maxDiff(take(e1), take(e2));
  [xs, x].forEach((t) => t.dispose());
  model.dispose();
  ref.dispose();
  return out;
}

// ---------------------------------------------------------------------------------- interop

async function interop(): Promise<Out> {
  D.initProcessGroup({ backend: 'gloo', timeout: 20_000 });
  const rank = D.getRank();
  const f32 = { dtype: 'float32' } as const;
  const a = torch.tidy(() => torch.arange(4, f32).add(rank * 10));
  D.allReduce(a);
  const b = rank === 1 ? torch.tensor([3.5, -2], f32) : torch.zeros([2]);
  D.broadcast(b, 1);
  const parts = [torch.zeros([2]), torch.zeros([2])];
  const mine = torch.tensor([rank, rank + 0.25], f32);
  D.allGather(parts, mine);
  mine.dispose();
  const m = torch.tensor([rank + 1, 5 - rank], f32);
  D.allReduce(m, { op: D.ReduceOp.MAX });
  D.barrier();
  return { rank, allReduce: take(a), broadcast: take(b), allGather: parts.map(take), max: take(m) };
}

export const scenarios: Record<string, () => Promise<Out>> = { collectives, async: asyncOps, timeout, peerGone, lonely, objects, syncBn, store, ddp, noSync, unused, interop };
