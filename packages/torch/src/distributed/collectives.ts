// Collectives of torch.distributed on a process group (default: the default group). Tensors are
// changed in place as in PyTorch; ranks (src, dst) are global ranks. Without asyncOp a call returns
// when the operation is done (blocking, as PyTorch); with asyncOp it returns a Work at once.
// Every operation is c10d's; nothing here moves data itself.
import { Tensor } from '../tensor.js';
import { dist, type NativeHandle, type ReduceOpName } from './native.js';
import { ProcessGroup, resolveGroup } from './group.js';
import { Work } from './work.js';

/** Reduction operators, as torch.distributed.ReduceOp. Gloo has no AVG (PyTorch 1.13 raises; so do we). */
export const ReduceOp = {
  SUM: 'sum',
  AVG: 'avg',
  PRODUCT: 'product',
  MIN: 'min',
  MAX: 'max',
  BAND: 'band',
  BOR: 'bor',
  BXOR: 'bxor',
} as const satisfies Record<string, ReduceOpName>;
export type ReduceOp = ReduceOpName;

export interface GroupOptions {
  group?: ProcessGroup;
}
export interface AsyncOptions extends GroupOptions {
  asyncOp?: boolean;
}
export interface ReduceOptions extends AsyncOptions {
  op?: ReduceOp;
}

type Result<O> = O extends { asyncOp: true } ? Work : undefined;

function member(group: ProcessGroup | undefined, what: string): ProcessGroup | null {
  const g = resolveGroup(group, what);
  return g.isMember ? g : null;
}

function handle(t: unknown, what: string): number {
  if (!(t instanceof Tensor)) throw new TypeError(`${what}: expected a Tensor, found ${describe(t)}`);
  // c10d hands Gloo the data pointer and element count: a strided view would send the wrong elements.
  if (!contiguous(t)) throw new TypeError(`${what}: expected a contiguous tensor, found strides [${t.stride().join(', ')}] for shape [${t.shape.join(', ')}] (call .contiguous() and copy the result back)`);
  return t.handle;
}

function contiguous(t: Tensor): boolean {
  const shape = t.shape;
  const stride = t.stride();
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (stride[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

function handles(list: unknown, what: string): number[] {
  if (!Array.isArray(list)) throw new TypeError(`${what}: expected an array of Tensors, found ${describe(list)}`);
  return list.map((t, i) => handle(t, `${what}[${i}]`));
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? (v as object).constructor?.name ?? 'an object' : typeof v;
}

function checkOp(op: unknown, what: string): ReduceOp {
  const ops = Object.values(ReduceOp) as string[];
  if (typeof op !== 'string' || !ops.includes(op)) throw new TypeError(`${what}: op must be one of ${ops.join(', ')} (distributed.ReduceOp), found ${String(op)}`);
  return op as ReduceOp;
}

function finish(h: NativeHandle, asyncOp: boolean | undefined): Work | undefined {
  const w = new Work(h);
  if (asyncOp) return w;
  w.waitSync();
  return undefined;
}

/** Reduces tensor across the group in place on every rank. */
export function allReduce<O extends ReduceOptions>(tensor: Tensor, options?: O): Result<O>;
export function allReduce(tensor: Tensor, options: ReduceOptions = {}): Work | undefined {
  const g = member(options.group, 'allReduce');
  if (!g) return undefined;
  return finish(dist.allReduce(g._h!, handle(tensor, 'allReduce tensor'), checkOp(options.op ?? 'sum', 'allReduce')), options.asyncOp);
}

/** Copies src's tensor into tensor on every rank. */
export function broadcast<O extends AsyncOptions>(tensor: Tensor, src: number, options?: O): Result<O>;
export function broadcast(tensor: Tensor, src: number, options: AsyncOptions = {}): Work | undefined {
  const g = member(options.group, 'broadcast');
  if (!g) return undefined;
  return finish(dist.broadcast(g._h!, handle(tensor, 'broadcast tensor'), g.groupRank(src, 'broadcast src')), options.asyncOp);
}

/** Reduces tensor into dst's tensor (the others' tensors are left as the backend leaves them). */
export function reduce<O extends ReduceOptions>(tensor: Tensor, dst: number, options?: O): Result<O>;
export function reduce(tensor: Tensor, dst: number, options: ReduceOptions = {}): Work | undefined {
  const g = member(options.group, 'reduce');
  if (!g) return undefined;
  return finish(dist.reduce(g._h!, handle(tensor, 'reduce tensor'), g.groupRank(dst, 'reduce dst'), checkOp(options.op ?? 'sum', 'reduce')), options.asyncOp);
}

/** Fills tensorList[i] with rank i's tensor, on every rank. */
export function allGather<O extends AsyncOptions>(tensorList: Tensor[], tensor: Tensor, options?: O): Result<O>;
export function allGather(tensorList: Tensor[], tensor: Tensor, options: AsyncOptions = {}): Work | undefined {
  const g = member(options.group, 'allGather');
  if (!g) return undefined;
  const outs = handles(tensorList, 'allGather tensorList');
  if (outs.length !== g.size()) throw new RangeError(`allGather: tensorList has ${outs.length} tensors, expected one per rank (${g.size()})`);
  return finish(dist.allGather(g._h!, outs, handle(tensor, 'allGather tensor')), options.asyncOp);
}

export interface GatherOptions extends AsyncOptions {
  /** On dst only: one tensor per rank to receive into. */
  gatherList?: Tensor[] | null;
  /** Receiving rank (global). Default 0. */
  dst?: number;
}

/** Gathers every rank's tensor into gatherList on dst. */
export function gather<O extends GatherOptions>(tensor: Tensor, options?: O): Result<O>;
export function gather(tensor: Tensor, options: GatherOptions = {}): Work | undefined {
  const g = member(options.group, 'gather');
  if (!g) return undefined;
  const dst = options.dst ?? 0;
  const root = g.groupRank(dst, 'gather dst');
  const list = options.gatherList ?? null;
  if (g.rank() === root) {
    if (!list) throw new TypeError(`gather: gatherList is required on the destination rank ${dst}`);
    if (list.length !== g.size()) throw new RangeError(`gather: gatherList has ${list.length} tensors, expected one per rank (${g.size()})`);
  } else if (list && list.length) throw new TypeError(`gather: gatherList must be given only on the destination rank ${dst} (this is rank ${g.globalRank(g.rank())})`);
  return finish(dist.gather(g._h!, list ? handles(list, 'gather gatherList') : null, handle(tensor, 'gather tensor'), root), options.asyncOp);
}

export interface ScatterOptions extends AsyncOptions {
  /** On src only: one tensor per rank to send. */
  scatterList?: Tensor[] | null;
  /** Sending rank (global). Default 0. */
  src?: number;
}

/** Receives scatterList[rank] of src into tensor. */
export function scatter<O extends ScatterOptions>(tensor: Tensor, options?: O): Result<O>;
export function scatter(tensor: Tensor, options: ScatterOptions = {}): Work | undefined {
  const g = member(options.group, 'scatter');
  if (!g) return undefined;
  const src = options.src ?? 0;
  const root = g.groupRank(src, 'scatter src');
  const list = options.scatterList ?? null;
  if (g.rank() === root) {
    if (!list) throw new TypeError(`scatter: scatterList is required on the source rank ${src}`);
    if (list.length !== g.size()) throw new RangeError(`scatter: scatterList has ${list.length} tensors, expected one per rank (${g.size()})`);
  } else if (list && list.length) throw new TypeError(`scatter: scatterList must be given only on the source rank ${src} (this is rank ${g.globalRank(g.rank())})`);
  return finish(dist.scatter(g._h!, handle(tensor, 'scatter tensor'), list ? handles(list, 'scatter scatterList') : null, root), options.asyncOp);
}

/**
 * Reduces inputList[i] across ranks into rank i's output. Gloo in libtorch 1.13 has no
 * reduce_scatter: the call then fails with c10d's own message, as PyTorch does.
 */
export function reduceScatter<O extends ReduceOptions>(output: Tensor, inputList: Tensor[], options?: O): Result<O>;
export function reduceScatter(output: Tensor, inputList: Tensor[], options: ReduceOptions = {}): Work | undefined {
  const g = member(options.group, 'reduceScatter');
  if (!g) return undefined;
  return finish(dist.reduceScatter(g._h!, handle(output, 'reduceScatter output'), handles(inputList, 'reduceScatter inputList'), checkOp(options.op ?? 'sum', 'reduceScatter')), options.asyncOp);
}

/** Returns when every rank of the group has called barrier. */
export function barrier<O extends AsyncOptions>(options?: O): Result<O>;
export function barrier(options: AsyncOptions = {}): Work | undefined {
  const g = member(options.group, 'barrier');
  if (!g) return undefined;
  return finish(dist.barrier(g._h!), options.asyncOp);
}

export interface P2POptions extends GroupOptions {
  tag?: number;
}

/** Starts sending tensor to rank dst (global); the Work completes once it was sent. */
export function isend(tensor: Tensor, dst: number, options: P2POptions = {}): Work | undefined {
  const g = member(options.group, 'isend');
  if (!g) return undefined;
  return new Work(dist.send(g._h!, handle(tensor, 'send tensor'), g.groupRank(dst, 'send dst'), options.tag ?? 0));
}

/** Sends tensor to rank dst (global) and waits until it was sent. */
export function send(tensor: Tensor, dst: number, options: P2POptions = {}): void {
  isend(tensor, dst, options)?.waitSync();
}

export interface RecvOptions extends P2POptions {
  /** Sending rank (global); default any rank. */
  src?: number;
}

/** Starts receiving into tensor; work.sourceRank() tells the sender's group rank once done. */
export function irecv(tensor: Tensor, options: RecvOptions = {}): Work | undefined {
  const g = member(options.group, 'irecv');
  if (!g) return undefined;
  const src = options.src === undefined ? -1 : g.groupRank(options.src, 'recv src');
  return new Work(dist.recv(g._h!, handle(tensor, 'recv tensor'), src, options.tag ?? 0));
}

/** Receives into tensor; returns the sender's global rank (-1 when this process is not in the group). */
export function recv(tensor: Tensor, options: RecvOptions = {}): number {
  const g = member(options.group, 'recv');
  const w = irecv(tensor, options);
  if (!g || !w) return -1;
  w.waitSync();
  return options.src ?? g.globalRank(w.sourceRank());
}
