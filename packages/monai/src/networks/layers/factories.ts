// Layer factories by name and spatial dimensions (MONAI's monai/networks/layers/factories.py).
//
// Each factory maps a case-insensitive name to a layer class, chosen by spatial dimensions where the
// layer has 1-D/2-D/3-D variants:
//
//   const ConvClass = Conv.get('conv', 3);          // nn.Conv3d
//   const conv = new ConvClass({ inChannels: 1, outChannels: 8, kernelSize: 3 });
//   new (Norm.get('instance', 2))({ numFeatures: 8 });   // nn.InstanceNorm2d
//   new (Act.get('prelu'))({ numParameters: 1 });        // dims ignored for activations
//
// MONAI's `Conv[Conv.CONV, 3]` is `Conv.get('conv', 3)` here; `Conv.names` lists what is registered and
// `Conv.add(name, pick)` registers more (`pick(dims)` returns the class). Layer options are the layers'
// own camelCase options (`numParameters`, `affine`, `negativeSlope`, ...).
import { nn, suggestion } from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { GEGLU, MemoryEfficientSwish, Mish, Swish } from '../blocks/activation.js';

/** A module whose forward maps one tensor to one tensor (all factory layers are). */
export interface TensorModule extends nn.Module {
  forward(input: Tensor, ...rest: never[]): Tensor;
}
/** A layer class as a factory returns it: constructed with one options object. */
export type LayerClass = new (options?: Record<string, unknown>) => TensorModule;
/** Any layer class, whatever its options type (registration accepts these; callers get LayerClass). */
type RegisteredClass = new (options: never) => TensorModule;

type Pick = (dims: number) => LayerClass;

/** A named set of layer classes (MONAI's LayerFactory). Names are matched case-insensitively. */
export class LayerFactory {
  private readonly entries = new Map<string, { pick: Pick; byDims: boolean; description: string }>();

  constructor(readonly name: string, readonly description: string) {}

  /** Registers `pick(dims)`, which returns the class for the given spatial dimensions (1, 2 or 3). */
  add(name: string, pick: Pick, description = ''): this {
    this.entries.set(name.toLowerCase(), { pick, byDims: true, description });
    return this;
  }
  /** Registers one class for every number of dimensions. */
  addClass(name: string, cls: RegisteredClass, description = ''): this {
    const c = cls as unknown as LayerClass; // callers pass the options object that class documents
    this.entries.set(name.toLowerCase(), { pick: () => c, byDims: false, description });
    return this;
  }

  /** Registered names, lower case, in registration order. */
  get names(): string[] {
    return [...this.entries.keys()];
  }
  has(name: string): boolean {
    return this.entries.has(name.toLowerCase());
  }
  /** Whether `name` picks its class by spatial dimensions (conv, batch, max, ...). */
  needsDims(name: string): boolean {
    return this.lookup(name).byDims;
  }

  /**
   * The layer class registered as `name` for `dims` spatial dimensions. `dims` is needed (1, 2 or 3)
   * for names whose class depends on it and ignored for the others.
   */
  get(name: string, dims?: number): LayerClass {
    const e = this.lookup(name);
    if (!e.byDims) return e.pick(0);
    if (dims === undefined || dims === null) throw new TypeError(`${this.name} '${name}': spatial dimensions are required (1, 2 or 3)`);
    if (!(dims === 1 || dims === 2 || dims === 3)) throw new RangeError(`${this.name} '${name}': spatial dimensions must be 1, 2 or 3, found ${String(dims)}`);
    return e.pick(dims);
  }

  private lookup(name: string) {
    if (typeof name !== 'string') throw new TypeError(`${this.name}: a layer name must be a string, found ${name === null ? 'null' : typeof name}`);
    const e = this.entries.get(name.toLowerCase());
    if (!e) {
      const names = this.names;
      throw new TypeError(`${this.name}: unknown layer name '${name}'${suggestion(name.toLowerCase(), names)}; known names: ${names.join(', ')}`);
    }
    return e;
  }
}

const byDims = (name: string, classes: readonly RegisteredClass[]): Pick => (d) => {
  const c = classes[d - 1];
  if (!c) throw new RangeError(`no ${d}-D variant of '${name}'`);
  return c as unknown as LayerClass;
};

/** Convolutions: 'conv' (Conv1d/2d/3d), 'convtrans' (ConvTranspose1d/2d/3d). */
export const Conv = new LayerFactory('Conv', 'convolution layers')
  .add('conv', byDims('conv', [nn.Conv1d, nn.Conv2d, nn.Conv3d]))
  .add('convtrans', byDims('convtrans', [nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d]));

/**
 * Normalisations: 'instance', 'batch' (by dims), 'instance_nvfuser' (InstanceNorm, as MONAI's fallback
 * without apex), 'group', 'layer', 'localresponse'. SyncBatchNorm has no counterpart here.
 */
export const Norm = new LayerFactory('Norm', 'normalization layers')
  .add('instance', byDims('instance', [nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d]))
  .add('batch', byDims('batch', [nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d]))
  .add('instance_nvfuser', byDims('instance_nvfuser', [nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d]))
  .addClass('group', nn.GroupNorm)
  .addClass('layer', nn.LayerNorm)
  .addClass('localresponse', nn.LocalResponseNorm);

/** Activations (no dimensions): MONAI's list, with its own swish, memswish, mish and geglu. */
export const Act = new LayerFactory('Act', 'activation layers')
  .addClass('elu', nn.ELU)
  .addClass('relu', nn.ReLU)
  .addClass('leakyrelu', nn.LeakyReLU)
  .addClass('prelu', nn.PReLU)
  .addClass('relu6', nn.ReLU6)
  .addClass('selu', nn.SELU)
  .addClass('celu', nn.CELU)
  .addClass('gelu', nn.GELU)
  .addClass('sigmoid', nn.Sigmoid)
  .addClass('tanh', nn.Tanh)
  .addClass('softmax', nn.Softmax)
  .addClass('logsoftmax', nn.LogSoftmax)
  .addClass('swish', Swish)
  .addClass('memswish', MemoryEfficientSwish)
  .addClass('mish', Mish)
  .addClass('geglu', GEGLU);

/** Dropout: 'dropout' (Dropout, Dropout2d, Dropout3d for 1-3 dims, as MONAI), 'alphadropout'. */
export const Dropout = new LayerFactory('Dropout', 'dropout layers')
  .add('dropout', byDims('dropout', [nn.Dropout, nn.Dropout2d, nn.Dropout3d]))
  .addClass('alphadropout', nn.AlphaDropout);

/** Pooling: 'max', 'adaptivemax', 'avg', 'adaptiveavg' by dims. */
export const Pool = new LayerFactory('Pool', 'pooling layers')
  .add('max', byDims('max', [nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d] as unknown as RegisteredClass[]))
  .add('adaptivemax', byDims('adaptivemax', [nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d] as unknown as RegisteredClass[]))
  .add('avg', byDims('avg', [nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d]))
  .add('adaptiveavg', byDims('adaptiveavg', [nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d]));

/** Padding: 'replicationpad', 'constantpad' by dims. */
export const Pad = new LayerFactory('Pad', 'padding layers')
  .add('replicationpad', byDims('replicationpad', [nn.ReplicationPad1d, nn.ReplicationPad2d, nn.ReplicationPad3d]))
  .add('constantpad', byDims('constantpad', [nn.ConstantPad1d, nn.ConstantPad2d, nn.ConstantPad3d]));
