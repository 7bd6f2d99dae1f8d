// Regressor (MONAI's monai/networks/nets/regressor.py): strided convolution or residual layers
// ('net.layer_0', ...) then flatten + linear ('final.1') to outShape.
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { Convolution, ResidualUnit } from '../blocks/convolutions.js';
import { Chain, runChain } from '../layers/chain.js';
import { calculateOutShape, samePadding } from '../layers/convutils.js';
import { Reshape } from '../layers/simplelayers.js';
import type { DropoutSpec, LayerSpec } from '../layers/utils.js';
import { checkInputChannels } from './checks.js';

type IntOrSeq = number | number[];
const prod = (v: number[]) => v.reduce((a, b) => a * b, 1);

export interface RegressorOptions {
  /** [channels, ...spatial size] of the input. */
  inShape: number[];
  outShape: number[];
  channels: number[];
  strides: IntOrSeq[];
  kernelSize?: IntOrSeq;
  numResUnits?: number;
  act?: LayerSpec | null;
  norm?: LayerSpec | null;
  dropout?: DropoutSpec | null;
  bias?: boolean;
}
export const REGRESSOR_KEYS = ['inShape', 'outShape', 'channels', 'strides', 'kernelSize', 'numResUnits', 'act', 'norm', 'dropout', 'bias'];

export class Regressor extends nn.Module {
  readonly inChannels: number;
  readonly inShape: number[];
  readonly dimensions: number;
  readonly channels: number[];
  readonly strides: IntOrSeq[];
  readonly outShape: number[];
  readonly kernelSize: number[];
  readonly numResUnits: number;
  readonly finalSize: number[];
  declare net: Chain;
  declare reshape: Reshape;
  declare final: Chain;

  constructor(options: RegressorOptions, owner?: string, keys: readonly string[] = REGRESSOR_KEYS, required: readonly string[] = ['inShape', 'outShape', 'channels', 'strides']) {
    super();
    const name = owner ?? 'Regressor';
    checkOptions(name, options, keys, required);
    const [inCh, ...inShape] = options.inShape;
    this.inChannels = inCh;
    this.inShape = inShape;
    this.dimensions = inShape.length;
    this.channels = options.channels.slice();
    this.strides = options.strides.slice();
    this.outShape = options.outShape.slice();
    const ks = options.kernelSize ?? 3;
    this.kernelSize = typeof ks === 'number' ? Array(this.dimensions).fill(ks) : ks.slice();
    this.numResUnits = options.numResUnits ?? 2;
    const common = { spatialDims: this.dimensions, kernelSize: this.kernelSize, act: (options.act === undefined ? 'prelu' : options.act), norm: (options.norm === undefined ? 'instance' : options.norm), dropout: options.dropout ?? null, bias: options.bias ?? true };
    this.net = new Chain();
    const padding = samePadding(ks);
    let size = this.inShape;
    this.reshape = new Reshape(...this.outShape);
    let ech = inCh;
    try {
      this.channels.forEach((c, i) => {
        const isLast = i === this.channels.length - 1;
        const base = { ...common, inChannels: ech, outChannels: c, strides: this.strides[i] };
        this.net.registerModule(`layer_${i}`, this.numResUnits > 0 ? new ResidualUnit({ ...base, subunits: this.numResUnits, lastConvOnly: isLast }) : new Convolution({ ...base, convOnly: isLast }));
        ech = c;
        size = calculateOutShape(size, ks, this.strides[i], padding);
      });
    } catch (e) {
      this.dispose();
      if (e instanceof Error && !e.message.startsWith(`${name}:`)) e.message = `${name}: ${e.message.replace(/^(Convolution|ResidualUnit|ADN): /, '')}`;
      throw e;
    }
    this.finalSize = size;
    this.final = this.getFinalLayer([ech, ...size]);
  }

  protected getFinalLayer(inShape: number[]): Chain {
    return new Chain(new nn.Flatten(), new nn.Linear({ inFeatures: prod(inShape), outFeatures: prod(this.outShape) }));
  }

  forward(x: Tensor): Tensor {
    checkInputChannels(this.constructor.name, x, this.inChannels, this.dimensions);
    return runChain([this.net, this.final, this.reshape], x);
  }
}
