// torch.jit: run TorchScript modules saved by PyTorch (torch.jit.save) or MONAI.
import { existsSync } from 'node:fs';
import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import { TorchError } from '../errors.js';
import type { Device, DType } from '../dtype.js';

const wrap = (h: number) => new Tensor(h);

// Tensors go to the native side inside markers, so that numbers stay numbers.
function encode(v: unknown, depth = 0): unknown {
  if (depth > 64) throw new TorchError('argument nesting is too deep', 'ScriptModule');
  if (v instanceof Tensor) return { __tensor: v.handle };
  if (Array.isArray(v)) return v.map((x) => encode(x, depth + 1));
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = encode(x, depth + 1);
    return o;
  }
  return v;
}

/** A loaded TorchScript module. Free it with dispose(). */
export class ScriptModule {
  private id: number;
  readonly path: string;

  constructor(id: number, path: string) {
    this.id = id;
    this.path = path;
  }

  private get live(): number {
    if (this.id < 0) throw new TorchError('ScriptModule was disposed', 'ScriptModule');
    return this.id;
  }

  /** Runs forward. Tensors, numbers, booleans, strings, arrays (lists, tuples) and objects (dicts) go in and come out. */
  forward(...args: unknown[]): any {
    return native.jitRun(this.live, 'forward', wrap, ...args.map((a) => encode(a)));
  }

  /** Runs another exported method (@torch.jit.export). */
  runMethod(name: string, ...args: unknown[]): any {
    return native.jitRun(this.live, name, wrap, ...args.map((a) => encode(a)));
  }

  methods(): string[] {
    return native.jitMethods(this.live);
  }

  train(mode = true): this {
    native.jitTrain(this.live, mode);
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  get training(): boolean {
    return native.jitIsTraining(this.live);
  }

  /** Moves or casts every parameter and buffer in place. */
  to(target: Device | DType): this {
    native.jitTo(this.live, target);
    return this;
  }

  /** [name, tensor] pairs with PyTorch's dotted names; the tensors share the module's storage. */
  namedParameters(): [string, Tensor][] {
    return native.jitNamed(this.live, 'parameters').map(([n, h]) => [n, new Tensor(h)]);
  }
  namedBuffers(): [string, Tensor][] {
    return native.jitNamed(this.live, 'buffers').map(([n, h]) => [n, new Tensor(h)]);
  }
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }
  /** Parameters and buffers by dotted name, as module.state_dict() gives them. */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()]);
  }

  dispose(): void {
    if (this.id >= 0) native.jitFree(this.id);
    this.id = -1;
  }
}

/** Loads a TorchScript module saved by torch.jit.save, optionally onto a device. */
export function load(path: string, options: { mapLocation?: Device } = {}): ScriptModule {
  if (!existsSync(path)) throw new TorchError(`no such file '${path}'`, 'jit.load');
  return new ScriptModule(native.jitLoad(path, options.mapLocation ?? null), path);
}
