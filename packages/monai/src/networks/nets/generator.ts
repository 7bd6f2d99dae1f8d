// Generator (MONAI's monai/networks/nets/generator.py): latent vector -> linear -> reshape to
// startShape -> transposed-convolution layers ('conv.layer_0', ...), optionally with residual units.
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { Convolution, ResidualUnit } from '../blocks/convolutions.js';
import { Chain, runChain } from '../layers/chain.js';
import { Reshape } from '../layers/simplelayers.js';
import type { DropoutSpec, LayerSpec } from '../layers/utils.js';

type IntOrSeq = number | number[];
const repDims = (v: IntOrSeq, n: number) => (typeof v === 'number' ? Array(n).fill(v) : v.slice());
const prod = (v: number[]) => v.reduce((a, b) => a * b, 1);

export interface GeneratorOptions {
  latentShape: number[];
  /** [channels, ...spatial size] after the linear layer. */
  startShape: number[];
  channels: number[];
  strides: IntOrSeq[];
  kernelSize?: IntOrSeq;
  /** Residual units after each transposed convolution (default 2). */
  numResUnits?: number;
  act?: LayerSpec | null;
  norm?: LayerSpec | null;
  dropout?: DropoutSpec | null;
  bias?: boolean;
}
const KEYS = ['latentShape', 'startShape', 'channels', 'strides', 'kernelSize', 'numResUnits', 'act', 'norm', 'dropout', 'bias'];

export class Generator extends nn.Module {
  readonly inChannels: number;
  readonly startShape: number[];
  readonly dimensions: number;
  readonly latentShape: number[];
  readonly channels: number[];
  readonly strides: IntOrSeq[];
  readonly kernelSize: number[];
  readonly numResUnits: number;
  declare flatten: nn.Flatten;
  declare linear: nn.Linear;
  declare reshape: Reshape;
  declare conv: Chain;

  constructor(options: GeneratorOptions) {
    super();
    const name = 'Generator';
    checkOptions(name, options, KEYS, ['latentShape', 'startShape', 'channels', 'strides']);
    const [inCh, ...start] = options.startShape;
    this.inChannels = inCh;
    this.startShape = start;
    this.dimensions = start.length;
    this.latentShape = options.latentShape.slice();
    this.channels = options.channels.slice();
    this.strides = options.strides.slice();
    this.kernelSize = repDims(options.kernelSize ?? 3, this.dimensions);
    this.numResUnits = options.numResUnits ?? 2;
    const act = options.act === undefined ? 'prelu' : options.act;
    const norm = options.norm === undefined ? 'instance' : options.norm;
    const dropout = options.dropout ?? null;
    const bias = options.bias ?? true;
    this.flatten = new nn.Flatten();
    this.linear = new nn.Linear({ inFeatures: prod(this.latentShape), outFeatures: prod(options.startShape) });
    this.reshape = new Reshape(...options.startShape);
    this.conv = new Chain();
    try {
      this.buildLayers(inCh, act, norm, dropout, bias);
    } catch (e) {
      this.dispose();
      if (e instanceof Error && !e.message.startsWith(`${name}:`)) e.message = `${name}: ${e.message.replace(/^(Convolution|ResidualUnit|ADN): /, '')}`;
      throw e;
    }
  }

  private buildLayers(inCh: number, act: LayerSpec | null, norm: LayerSpec | null, dropout: DropoutSpec | null, bias: boolean): void {
    let ech = inCh;
    this.channels.forEach((c, i) => {
      const isLast = i === this.channels.length - 1;
      const common = { spatialDims: this.dimensions, kernelSize: this.kernelSize, act, norm, dropout, bias };
      let layer: nn.Module = new Convolution({ ...common, inChannels: ech, outChannels: c, strides: this.strides[i], isTransposed: true, convOnly: isLast || this.numResUnits > 0 });
      if (this.numResUnits > 0) layer = new Chain(layer, new ResidualUnit({ ...common, inChannels: c, outChannels: c, subunits: this.numResUnits, lastConvOnly: isLast }));
      this.conv.registerModule(`layer_${i}`, layer);
      ech = c;
    });
  }

  /** x: (B, ...latentShape) -> (B, channels[-1], ...). */
  forward(x: Tensor): Tensor {
    const n = prod(this.latentShape);
    if (x.numel() / Math.max(1, x.size(0)) !== n)
      throw new RangeError(`Generator: input of shape [${x.shape.join(', ')}] does not hold latentShape [${this.latentShape.join(', ')}] per batch item`);
    return runChain([this.flatten, this.linear, this.reshape, this.conv], x);
  }
}
