// nn.parallel.DistributedDataParallel on libtorch's c10d Reducer: the same gradient bucketing and
// averaging PyTorch's DDP runs. At wrap, the model's shapes are checked across ranks and rank 0's
// parameters and buffers are broadcast. The Reducer hooks each parameter's gradient accumulator;
// during backward, a bucket (about bucketCapMb, filled in reverse parameter order) is divided by the
// world size and all-reduced as soon as all its gradients are ready, overlapping the rest of
// backward; the averaged gradients are in .grad when backward returns.
import { isGradEnabled } from '../../autograd.js';
import { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { dist, type NativeHandle } from '../../distributed/native.js';
import { ProcessGroup, resolveGroup } from '../../distributed/group.js';
import { checkKeys } from '../../distributed/store.js';

/** PyTorch's DDP broadcast bucket for parameters and buffers (250 MiB). */
const BROADCAST_BUCKET_BYTES = 250 * 1024 * 1024;
/** The first gradient bucket is small so that communication starts early (c10d's kDefaultFirstBucketBytes). */
const FIRST_BUCKET_BYTES = 1024 * 1024;

export interface DistributedDataParallelOptions {
  /** Default: the default process group. */
  processGroup?: ProcessGroup;
  /** Gradient bucket size in MiB. Default 25. */
  bucketCapMb?: number;
  /** Tolerate parameters that get no gradient in an iteration (walks the autograd graph from the outputs each step). Default false. */
  findUnusedParameters?: boolean;
  /** Broadcast rank 0's buffers (e.g. BatchNorm running stats) before each forward. Default true. */
  broadcastBuffers?: boolean;
}

const OPTION_KEYS = ['processGroup', 'bucketCapMb', 'findUnusedParameters', 'broadcastBuffers'];

export class DistributedDataParallel<M extends Module = Module> extends Module {
  /** The wrapped module (state dict keys get the 'module.' prefix, as in PyTorch). */
  declare module: M;
  readonly processGroup: ProcessGroup;
  readonly findUnusedParameters: boolean;
  readonly broadcastBuffers: boolean;
  readonly bucketBytesCap: number;
  /** False inside noSync(): backward then accumulates local gradients without communicating. */
  requireBackwardGradSync = true;
  private _requireForwardParamSync = true;
  private _reducer: NativeHandle | null;

  constructor(module: M, options: DistributedDataParallelOptions = {}) {
    super();
    checkKeys(options, OPTION_KEYS, 'DistributedDataParallel');
    if (!(module instanceof Module)) throw new TypeError('DistributedDataParallel: module must be an nn.Module');
    const g = resolveGroup(options.processGroup, 'DistributedDataParallel');
    if (!g.isMember) throw new Error('DistributedDataParallel: this process is not a member of processGroup');
    const mb = options.bucketCapMb ?? 25;
    if (!(Number.isFinite(mb) && mb > 0)) throw new RangeError(`DistributedDataParallel: bucketCapMb must be a positive number, found ${mb}`);
    this.module = module;
    this.processGroup = g;
    this.findUnusedParameters = options.findUnusedParameters ?? false;
    this.broadcastBuffers = options.broadcastBuffers ?? true;
    this.bucketBytesCap = Math.floor(mb * 1024 * 1024);
    const params = [...module.parameters()].filter((p) => p.requiresGrad);
    if (!params.length) throw new Error("DistributedDataParallel: the module has no parameter that requires grad; DDP has nothing to synchronize");
    this._reducer = dist.reducerNew(g._h!, params.map((p) => p.handle), this.bucketBytesCap, this.findUnusedParameters, FIRST_BUCKET_BYTES);
    const states = [...module.parameters(), ...module.buffers()];
    dist.broadcastCoalesced(g._h!, states.map((t) => t.handle), BROADCAST_BUCKET_BYTES, 0);
  }

  forward(...args: unknown[]): unknown {
    const r = this._live();
    const grad = isGradEnabled();
    if (grad && this.requireBackwardGradSync) dist.reducerOp(r, 'prepareForward');
    // After the first backward the Reducer regroups buckets in the order gradients arrived (rank 0's
    // order, broadcast). It is also where c10d reports an unfinished reduction from the last backward.
    if (grad) hinted(() => dist.reducerOp(r, 'rebuildBuckets'));
    if (this._requireForwardParamSync && this.broadcastBuffers) {
      const bufs = [...this.module.buffers()];
      if (bufs.length) dist.broadcastCoalesced(this.processGroup._h!, bufs.map((t) => t.handle), BROADCAST_BUCKET_BYTES, 0);
    }
    const out = this.module.forward(...args);
    if (grad && this.requireBackwardGradSync) {
      this._requireForwardParamSync = true;
      dist.reducerOp(r, 'prepareForBackward', this.findUnusedParameters ? tensorsIn(out).map((t) => t.handle) : []);
    } else {
      this._requireForwardParamSync = false;
    }
    return out;
  }

  /**
   * Runs fn (forwards and backwards) without averaging gradients: they accumulate locally, and the
   * first backward after it (outside noSync) averages the sum. fn may return a Promise.
   */
  noSync<T>(fn: () => T): T {
    const before = this.requireBackwardGradSync;
    this.requireBackwardGradSync = false;
    let async = false;
    try {
      const r = fn();
      if (r instanceof Promise) {
        async = true;
        return r.finally(() => (this.requireBackwardGradSync = before)) as T;
      }
      return r;
    } finally {
      if (!async) this.requireBackwardGradSync = before;
    }
  }

  /** Releases the Reducer (its autograd hooks) and frees the module's tensors. */
  override dispose(): void {
    if (this._reducer) dist.reducerOp(this._reducer, 'release');
    this._reducer = null;
    super.dispose();
  }

  override extraRepr(): string {
    return `worldSize=${this.processGroup.size()}, bucketCapMb=${this.bucketBytesCap / 1024 / 1024}, findUnusedParameters=${this.findUnusedParameters}`;
  }

  private _live(): NativeHandle {
    if (!this._reducer) throw new Error('DistributedDataParallel: used after dispose()');
    return this._reducer;
  }
}

// c10d's explanation of parameters without gradients names Python's keyword; add ours.
function hinted(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error && e.message.includes('find_unused_parameters=True'))
      e.message += '\n(In monai-ts: new DistributedDataParallel(module, { findUnusedParameters: true }).)';
    throw e;
  }
}

/** Tensors anywhere in a forward output (arrays, plain objects, Maps), for the unused-parameter search. */
function tensorsIn(v: unknown, out: Tensor[] = [], seen = new Set<object>()): Tensor[] {
  if (v instanceof Tensor) out.push(v);
  else if (v && typeof v === 'object' && !seen.has(v)) {
    seen.add(v);
    const items = v instanceof Map ? v.values() : Array.isArray(v) ? v : Object.values(v);
    for (const x of items) tensorsIn(x, out, seen);
  }
  return out;
}
