// Typed access to the addon's c10d entry points (native/distributed.cc). Opaque handles are
// Napi::External boxes: c10d objects freed when their JS owner is collected or released.
import { native } from '../native.js';

/** An opaque c10d object (store, process group, work, reducer). */
export type NativeHandle = { readonly __c10d: unique symbol };

export type ReduceOpName = 'sum' | 'avg' | 'product' | 'min' | 'max' | 'band' | 'bor' | 'bxor';

export interface DistNative {
  tcpStore(host: string, port: number, isServer: boolean, worldSize: number | null, timeoutMs: number, waitWorkers: boolean, multiTenant: boolean): { store: NativeHandle; port: number };
  fileStore(path: string, worldSize: number): NativeHandle;
  prefixStore(prefix: string, store: NativeHandle): NativeHandle;
  storeOp(store: NativeHandle, op: string, ...args: unknown[]): unknown;
  newGloo(store: NativeHandle, rank: number, size: number, timeoutMs: number): NativeHandle;
  groupSetSequence(group: NativeHandle): void;
  groupRelease(group: NativeHandle): void;
  allReduce(group: NativeHandle, t: number, op: ReduceOpName): NativeHandle;
  broadcast(group: NativeHandle, t: number, root: number): NativeHandle;
  reduce(group: NativeHandle, t: number, root: number, op: ReduceOpName): NativeHandle;
  allGather(group: NativeHandle, outputs: number[], input: number): NativeHandle;
  gather(group: NativeHandle, outputs: number[] | null, input: number, root: number): NativeHandle;
  scatter(group: NativeHandle, output: number, inputs: number[] | null, root: number): NativeHandle;
  reduceScatter(group: NativeHandle, output: number, inputs: number[], op: ReduceOpName): NativeHandle;
  barrier(group: NativeHandle): NativeHandle;
  send(group: NativeHandle, t: number, dst: number, tag: number): NativeHandle;
  recv(group: NativeHandle, t: number, src: number, tag: number): NativeHandle;
  diffAllReduce(group: NativeHandle, t: number): number;
  broadcastCoalesced(group: NativeHandle, tensors: number[], bufferBytes: number, src: number): void;
  workWaitSync(work: NativeHandle, timeoutMs: number | null): boolean;
  workWait(work: NativeHandle): Promise<void>;
  workIsCompleted(work: NativeHandle): boolean;
  workState(work: NativeHandle): [boolean, boolean, string | null, number];
  reducerNew(group: NativeHandle, params: number[], bucketCapBytes: number, findUnused: boolean, firstBucketBytes: number): NativeHandle;
  reducerOp(reducer: NativeHandle, op: 'prepareForward' | 'rebuildBuckets' | 'prepareForBackward' | 'release', outputs?: number[]): unknown;
}

export const dist = (native as unknown as { distributed: DistNative }).distributed;
