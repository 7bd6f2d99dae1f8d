// Loads the native addon built by scripts/install.mjs (one instance per thread).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface Native {
  setErrorClass(cls: unknown): void;
  fromTypedArray(data: ArrayBufferView | ArrayBuffer, shape: number[], dtype: string): number;
  toTypedArray(h: number, share: boolean): any;
  detachView(view: ArrayBufferView): void;
  deferExternal(on: boolean): void;
  populatePages(h: number): boolean;
  free(...h: number[]): void;
  freeMany(h: Float64Array, n: number): void;
  memory(): { liveTensors: number; bytes: number; cachedBytes: number; externalBytes: number };
  meta(h: number): any[];
  shape(h: number): number[];
  dtype(h: number): string;
  device(h: number): string;
  stride(h: number): number[];
  item(h: number): number | boolean;
  storageOffset(h: number): number;
  alias(h: number): number;
  sameTensor(a: number, b: number): boolean;
  share(h: number): bigint;
  adopt(token: bigint): number;
  lookupOp(name: string, overload: string): number;
  callOp(id: number, ...args: unknown[]): any;
  listOps(): OpSchema[];
  setRequiresGrad(h: number, v: boolean): void;
  grad(h: number): number | null;
  setGrad(h: number, g: number | null): void;
  gradInfo(h: number): [boolean, string | null, boolean];
  retainGrad(h: number): void;
  backward(t: number[], g: (number | null)[] | null, retain: boolean | undefined, create: boolean, inputs: number[] | null): void;
  autogradGrad(o: number[], i: number[], g: (number | null)[] | null, retain: boolean | undefined, create: boolean, allowUnused: boolean): (number | null)[];
  setGradEnabled(v: boolean): boolean;
  isGradEnabled(): boolean;
  inferenceEnter(v: boolean): void;
  inferenceExit(): void;
  isInferenceMode(): boolean;
  autocastEnter(device: string, dtype: string | null, enabled: boolean): void;
  autocastExit(): void;
  autocastState(): { cpu: boolean; cuda: boolean; cpuDtype: string; cudaDtype: string };
  manualSeed(seed: number | bigint): void;
  generatorNew(device: string): number;
  generatorOp(id: number, what: string, arg?: unknown): any;
  initialSeed(): bigint;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  config(): Record<string, unknown>;
  emptyCache(): number;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  cudaSynchronize(device?: number): void;
  /** [allocated, peak allocated, reserved, peak reserved] bytes; device -1 = current; reset the peaks first. */
  cudaMemoryStats(device: number, resetPeak: boolean, fnName: string): [number, number, number, number];
  jitLoad(path: string, device: string | null): number;
  jitRun(id: number, method: string, wrap: (h: number) => unknown, ...args: unknown[]): any;
  jitTrain(id: number, mode: boolean): void;
  jitIsTraining(id: number): boolean;
  jitNamed(id: number, what: 'parameters' | 'buffers'): [string, number][];
  jitMethods(id: number): string[];
  jitTo(id: number, target: string): void;
  jitFree(id: number): void;
  distanceTransformEdt(h: number, spatialDims: number | null, sampling: number | number[] | null, distances: boolean, indices: boolean): [number | null, number | null];
  connectedComponents(h: number, connectivity: number | null, spatialDims: number | null, background: number): [number, number[]];
  distanceTransformCdt(h: number, connectivity: number | null, spatialDims: number | null): number;
  novogradStep(params: number[], expAvg: number[], expAvgSq: number[], maxExpAvgSq: number[] | null, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, gradAveraging: boolean): boolean[];
}

export interface OpArgSchema {
  name: string;
  type: string;
  kwargOnly: boolean;
  hasDefault: boolean;
  default?: string;
  N?: number;
  write?: boolean;
}
export interface OpSchema {
  name: string;
  overload: string;
  schema: string;
  unsupported: string;
  args: OpArgSchema[];
  returns: { name: string; type: string; write?: boolean }[];
}

/** libgomp spin count before an idle OpenMP thread sleeps, when the user set neither variable */
const DEFAULT_SPINCOUNT = '100000';

function load(): Native {
  const here = dirname(fileURLToPath(import.meta.url));
  const file = join(here, '..', 'build', 'Release', 'torch_native.node');
  if (!existsSync(file))
    throw new Error(`@monai-ts/torch: native addon not built (${file} is missing). Run 'npm install' (or 'npm run build:native -w @monai-ts/torch').`);
  // Idle OpenMP threads spin a bounded while (GOMP_SPINCOUNT=100000, about 3 ms here) and then sleep,
  // unless the user chose. libgomp's own default (300,000 spins, ~5 ms after every parallel op) burnt
  // about half of a 3-D UNet step's CPU on a loaded machine; sleeping at once (PASSIVE) made the spleen
  // recipe's epoch 24% slower on a quiet one, as every op then waits for a futex wake-up (1.45 s against
  // 1.17 s, bench/flagship/epoch_profile.ts). libgomp reads the variable once, as libtorch loads; it is
  // removed again so child processes do not inherit it.
  const choose = process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined;
  if (choose) process.env.GOMP_SPINCOUNT = DEFAULT_SPINCOUNT;
  try {
    return createRequire(import.meta.url)(file) as Native;
  } finally {
    if (choose) delete process.env.GOMP_SPINCOUNT;
  }
}

export const native: Native = load();
