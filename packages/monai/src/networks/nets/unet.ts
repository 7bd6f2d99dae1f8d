// UNet with optional residual units (MONAI's monai/networks/nets/unet.py). Module tree and state-dict
// keys match MONAI's ('model.0.conv.unit0.conv.weight', 'model.1.submodule.0...', 'model.2.0.conv.weight').
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { Convolution, ResidualUnit, checkChannels } from '../blocks/convolutions.js';
import { Chain } from '../layers/chain.js';
import { SkipConnection } from '../layers/simplelayers.js';
import type { LayerSpec } from '../layers/utils.js';
import { checkInputChannels } from './checks.js';

export interface UNetOptions {
  spatialDims: number;
  inChannels: number;
  outChannels: number;
  /** Channels per level, top to bottom (at least 2). */
  channels: number[];
  /** Downsampling stride per level (len(channels) - 1 used). */
  strides: (number | number[])[];
  kernelSize?: number | number[];
  upKernelSize?: number | number[];
  /** Residual units per block; 0 (default) uses plain convolutions. */
  numResUnits?: number;
  /** Default 'prelu'. */
  act?: LayerSpec | null;
  /** Default 'instance'. */
  norm?: LayerSpec | null;
  dropout?: number;
  bias?: boolean;
  adnOrdering?: string;
}
const KEYS = ['spatialDims', 'inChannels', 'outChannels', 'channels', 'strides', 'kernelSize', 'upKernelSize', 'numResUnits', 'act', 'norm', 'dropout', 'bias', 'adnOrdering'];
const REQUIRED = ['spatialDims', 'inChannels', 'outChannels', 'channels', 'strides'];

export class UNet extends nn.Module {
  readonly dimensions: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly channels: number[];
  readonly strides: (number | number[])[];
  readonly kernelSize: number | number[];
  readonly upKernelSize: number | number[];
  readonly numResUnits: number;
  readonly act: LayerSpec | null;
  readonly norm: LayerSpec | null;
  readonly dropout: number;
  readonly bias: boolean;
  readonly adnOrdering: string;
  declare model: Chain;

  constructor(options: UNetOptions) {
    super();
    const name = new.target.name;
    checkOptions(name, options, KEYS, REQUIRED);
    const { spatialDims, channels, strides } = options;
    if (![1, 2, 3].includes(spatialDims)) throw new RangeError(`${name}: spatialDims must be 1, 2 or 3, found ${spatialDims}`);
    if (!Array.isArray(channels) || channels.length < 2) throw new RangeError(`${name}: channels must have at least 2 values, found ${JSON.stringify(channels)}`);
    channels.forEach((c, i) => checkChannels(name, `channels[${i}]`, c));
    if (!Array.isArray(strides) || strides.length < channels.length - 1)
      throw new RangeError(`${name}: strides must have len(channels) - 1 = ${channels.length - 1} values, found ${JSON.stringify(strides)}`);
    if (strides.length > channels.length - 1) process.emitWarning(`${name}: len(strides) > len(channels) - 1, the last ${strides.length - channels.length + 1} values of strides are not used`);
    for (const [k, v] of [['kernelSize', options.kernelSize], ['upKernelSize', options.upKernelSize]] as const)
      if (Array.isArray(v) && v.length !== spatialDims) throw new RangeError(`${name}: ${k} must have spatialDims=${spatialDims} values, found ${JSON.stringify(v)}`);
    this.dimensions = spatialDims;
    this.inChannels = checkChannels(name, 'inChannels', options.inChannels);
    this.outChannels = checkChannels(name, 'outChannels', options.outChannels);
    this.channels = channels.slice();
    this.strides = strides.slice();
    this.kernelSize = options.kernelSize ?? 3;
    this.upKernelSize = options.upKernelSize ?? 3;
    this.numResUnits = options.numResUnits ?? 0;
    this.act = options.act === undefined ? 'prelu' : options.act;
    this.norm = options.norm === undefined ? 'instance' : options.norm;
    this.dropout = options.dropout ?? 0.0;
    this.bias = options.bias ?? true;
    this.adnOrdering = options.adnOrdering ?? 'NDA';
    try {
      this.model = this.createBlock(this.inChannels, this.outChannels, this.channels, this.strides, true);
    } catch (e) {
      if (e instanceof Error && !e.message.startsWith(`${name}:`)) e.message = `${name}: ${e.message.replace(/^(Convolution|ResidualUnit|ADN): /, '')}`;
      throw e;
    }
  }

  /** One level: down path, the deeper levels in a skip connection, up path. */
  private createBlock(inc: number, outc: number, channels: number[], strides: (number | number[])[], isTop: boolean): Chain {
    const c = channels[0];
    const s = strides[0];
    const built: nn.Module[] = [];
    try {
      const deeper = channels.length > 2;
      const sub = deeper ? this.createBlock(c, c, channels.slice(1), strides.slice(1), false) : this.getBottomLayer(c, channels[1]);
      built.push(sub);
      const upc = deeper ? c * 2 : c + channels[1];
      const down = this.getDownLayer(inc, c, s, isTop);
      built.push(down);
      const up = this.getUpLayer(upc, outc, s, isTop);
      built.push(up);
      return this.getConnectionBlock(down, up, sub);
    } catch (e) {
      // A failure deeper in the construction frees the parts already made.
      for (const m of built) m.dispose();
      throw e;
    }
  }

  protected getConnectionBlock(down: nn.Module, up: nn.Module, sub: nn.Module): Chain {
    return new Chain(down, new SkipConnection(sub), up);
  }

  private common() {
    return { act: this.act, norm: this.norm, dropout: this.dropout, bias: this.bias, adnOrdering: this.adnOrdering };
  }

  protected getDownLayer(inChannels: number, outChannels: number, strides: number | number[], _isTop: boolean): nn.Module {
    const base = { spatialDims: this.dimensions, inChannels, outChannels, strides, kernelSize: this.kernelSize, ...this.common() };
    if (this.numResUnits > 0) return new ResidualUnit({ ...base, subunits: this.numResUnits });
    return new Convolution(base);
  }

  protected getBottomLayer(inChannels: number, outChannels: number): nn.Module {
    return this.getDownLayer(inChannels, outChannels, 1, false);
  }

  protected getUpLayer(inChannels: number, outChannels: number, strides: number | number[], isTop: boolean): nn.Module {
    const conv = new Convolution({
      spatialDims: this.dimensions, inChannels, outChannels, strides, kernelSize: this.upKernelSize, ...this.common(),
      convOnly: isTop && this.numResUnits === 0, isTransposed: true,
    });
    if (this.numResUnits === 0) return conv;
    const ru = new ResidualUnit({
      spatialDims: this.dimensions, inChannels: outChannels, outChannels, strides: 1, kernelSize: this.kernelSize, subunits: 1,
      ...this.common(), lastConvOnly: isTop,
    });
    return new Chain(conv, ru);
  }

  forward(x: Tensor): Tensor {
    checkInputChannels(this.constructor.name, x, this.inChannels, this.dimensions);
    return this.model.forward(x);
  }
}

/** MONAI's alias. */
export const Unet = UNet;
