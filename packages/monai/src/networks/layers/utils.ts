// Layers from MONAI's string-or-pair specifications (monai/networks/layers/utils.py):
//
//   getNormLayer('batch', 3, 16)                          -> nn.BatchNorm3d({ numFeatures: 16 })
//   getNormLayer(['group', { numGroups: 4 }], 3, 16)      -> nn.GroupNorm({ numGroups: 4, numChannels: 16 })
//   getActLayer(['prelu', { numParameters: 1, init: 0.25 }])
//   getDropoutLayer(0.2, 3)                               -> nn.Dropout3d({ p: 0.2 })
//   getPoolLayer(['adaptiveavg', { outputSize: 1 }], 3)
//
// The pair's options are the layer's own camelCase options. An empty string gives nn.Identity. The first
// element of a pair may also be a layer class (MONAI accepts a callable there).
import { nn } from '@monai-ts/torch';
import { GEGLU } from '../blocks/activation.js';
import { Act, Dropout, Norm, Pool, type LayerClass, type LayerFactory, type TensorModule } from './factories.js';

/** A layer named by a string, or a [name or class, options] pair. */
export type LayerSpec = string | readonly [string | LayerClass, Record<string, unknown>];
/** A dropout given as a probability, a name, or a pair. */
export type DropoutSpec = LayerSpec | number;

/** Splits a specification into its name (or class) and a copy of its options (MONAI's split_args). */
export function splitArgs(spec: LayerSpec): [string | LayerClass, Record<string, unknown>] {
  if (typeof spec === 'string') return [spec, {}];
  if (Array.isArray(spec) && spec.length === 2) {
    const [name, args] = spec;
    if ((typeof name === 'string' || typeof name === 'function') && args !== null && typeof args === 'object' && !Array.isArray(args))
      return [name, { ...args }];
  }
  throw new TypeError(`a layer must be given as a name or a [name, options] pair, found ${describe(spec)}`);
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function resolve(factory: LayerFactory, name: string | LayerClass, dims: number | undefined): LayerClass {
  return typeof name === 'function' ? name : factory.get(name, dims);
}

/**
 * Runs `make` and prefixes any error with the module and option it came from, so a bad
 * `norm: 'batchh'` in a UNet reads "UNet: option 'norm': Norm: unknown layer name 'batchh' ...".
 */
export function layerFromOption<T>(owner: string, option: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof Error && !e.message.startsWith(`${owner}:`)) e.message = `${owner}: option '${option}': ${e.message}`;
    throw e;
  }
}

/** A normalisation layer; `channels` fills numFeatures (batch/instance) or numChannels (group) unless given. */
export function getNormLayer(name: LayerSpec, spatialDims = 1, channels = 1): TensorModule {
  if (name === '') return new nn.Identity() as TensorModule;
  const [n, args] = splitArgs(name);
  const cls = resolve(Norm, n, spatialDims);
  if (cls.prototype instanceof nn.NormBase && args.numFeatures === undefined) args.numFeatures = channels;
  if (((cls as unknown) === nn.GroupNorm || cls.prototype instanceof nn.GroupNorm) && args.numChannels === undefined) args.numChannels = channels;
  return new cls(args);
}

/** An activation layer. */
export function getActLayer(name: LayerSpec): TensorModule {
  if (name === '') return new nn.Identity() as TensorModule;
  const [n, args] = splitArgs(name);
  const cls = resolve(Act, n, undefined);
  if (Object.keys(args).length && NO_OPTIONS.has(cls))
    throw new TypeError(`${cls.name} takes no options, found ${Object.keys(args).join(', ')}`);
  return new cls(args);
}

/** Activation classes without options (their constructors would ignore options silently). */
const NO_OPTIONS = new Set<unknown>([nn.Sigmoid, nn.Tanh, nn.LogSigmoid, nn.Softsign, nn.Tanhshrink, GEGLU]);

/** A dropout layer: a number is the probability of MONAI's default 'dropout'. */
export function getDropoutLayer(name: DropoutSpec, dropoutDim = 1): TensorModule {
  if (name === '') return new nn.Identity() as TensorModule;
  if (typeof name === 'number') return new (Dropout.get('dropout', dropoutDim))({ p: name });
  const [n, args] = splitArgs(name);
  return new (resolve(Dropout, n, dropoutDim))(args);
}

/** A pooling layer. */
export function getPoolLayer(name: LayerSpec, spatialDims = 1): TensorModule {
  if (name === '') return new nn.Identity() as TensorModule;
  const [n, args] = splitArgs(name);
  return new (resolve(Pool, n, spatialDims))(args);
}
