// Autograd entry points and the grad, inference and autocast scopes.
import { native } from './native.js';
import { Tensor } from './tensor.js';
import type { DType } from './dtype.js';

function scoped<T>(enter: () => void, exit: () => void, fn: () => T): T {
  enter();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    exit();
    throw e;
  }
  if (result instanceof Promise) {
    // The mode is thread-local state: keeping it across an await would leak it into other tasks.
    exit();
    throw new TypeError('grad/inference/autocast scopes are synchronous; fn returned a Promise');
  }
  exit();
  return result;
}

/** Runs fn with gradient recording off (torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  let prev = true;
  return scoped(() => (prev = native.setGradEnabled(false)), () => native.setGradEnabled(prev), fn);
}

/** Runs fn with gradient recording on (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T {
  let prev = true;
  return scoped(() => (prev = native.setGradEnabled(true)), () => native.setGradEnabled(prev), fn);
}

export function setGradEnabled(v: boolean): boolean {
  return native.setGradEnabled(v);
}
export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}

/** Runs fn in inference mode (torch.inference_mode): no autograd, no version counters. */
export function inferenceMode<T>(fn: () => T, enabled = true): T {
  return scoped(() => native.inferenceEnter(enabled), () => native.inferenceExit(), fn);
}
export function isInferenceModeEnabled(): boolean {
  return native.isInferenceMode();
}

export interface AutocastOptions {
  deviceType: 'cpu' | 'cuda';
  dtype?: DType;
  enabled?: boolean;
}

/** Runs fn under automatic mixed precision (torch.autocast): bfloat16 on CPU, float16 on CUDA by default. */
export function autocast<T>(options: AutocastOptions, fn: () => T): T {
  return scoped(
    () => native.autocastEnter(options.deviceType, options.dtype ?? null, options.enabled ?? true),
    () => native.autocastExit(),
    fn,
  );
}
export function autocastState() {
  return native.autocastState();
}

/** Accumulates gradients of tensors into the leaves' .grad (torch.autograd.backward). */
export function backward(
  tensors: Tensor | Tensor[],
  gradTensors?: Tensor | (Tensor | null)[] | null,
  options: { retainGraph?: boolean; createGraph?: boolean; inputs?: Tensor[] } = {},
): void {
  const ts = Array.isArray(tensors) ? tensors : [tensors];
  const gs = gradTensors == null ? null : Array.isArray(gradTensors) ? gradTensors : [gradTensors];
  native.backward(
    ts.map((t) => t.handle),
    gs ? gs.map((g) => (g ? g.handle : null)) : null,
    options.retainGraph,
    options.createGraph ?? false,
    options.inputs ? options.inputs.map((t) => t.handle) : null,
  );
}

/** Gradients of outputs with respect to inputs (torch.autograd.grad); null for unused inputs when allowUnused. */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  options: { gradOutputs?: Tensor | (Tensor | null)[] | null; retainGraph?: boolean; createGraph?: boolean; allowUnused?: boolean } = {},
): (Tensor | null)[] {
  const os = Array.isArray(outputs) ? outputs : [outputs];
  const is = Array.isArray(inputs) ? inputs : [inputs];
  const g = options.gradOutputs;
  const gs = g == null ? null : Array.isArray(g) ? g : [g];
  const res = native.autogradGrad(
    os.map((t) => t.handle),
    is.map((t) => t.handle),
    gs ? gs.map((x) => (x ? x.handle : null)) : null,
    options.retainGraph,
    options.createGraph ?? false,
    options.allowUnused ?? false,
  );
  return res.map((h) => (h === null ? null : new Tensor(h)));
}
