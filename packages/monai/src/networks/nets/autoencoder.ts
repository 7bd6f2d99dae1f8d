// AutoEncoder (MONAI's monai/networks/nets/autoencoder.py): strided encoder, optional intermediate
// units, transposed-convolution decoder. Children 'encode' ('encode_0', ...), 'intermediate'
// (identity, or 'inter_0', ...) and 'decode' ('decode_0.conv', 'decode_0.resunit', ...) as MONAI.
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { Convolution, ResidualUnit, checkChannels } from '../blocks/convolutions.js';
import { Chain } from '../layers/chain.js';
import type { TensorModule } from '../layers/factories.js';
import type { DropoutSpec, LayerSpec } from '../layers/utils.js';
import { checkInputChannels } from './checks.js';

type IntOrSeq = number | number[];

export interface AutoEncoderOptions {
  spatialDims: number;
  inChannels: number;
  outChannels: number;
  channels: number[];
  strides: IntOrSeq[];
  kernelSize?: IntOrSeq;
  upKernelSize?: IntOrSeq;
  numResUnits?: number;
  /** Channels of the intermediate units (none by default). */
  interChannels?: number[] | null;
  /** Dilation of each intermediate unit (default 1). */
  interDilations?: number[] | null;
  numInterUnits?: number;
  act?: LayerSpec | null;
  norm?: LayerSpec | null;
  dropout?: DropoutSpec | null;
  bias?: boolean;
  padding?: IntOrSeq | null;
}
export const AUTOENCODER_KEYS = ['spatialDims', 'inChannels', 'outChannels', 'channels', 'strides', 'kernelSize', 'upKernelSize', 'numResUnits', 'interChannels', 'interDilations', 'numInterUnits', 'act', 'norm', 'dropout', 'bias', 'padding'];

/** Construction shared by AutoEncoder and VarAutoEncoder (their forward results differ). */
export abstract class AutoEncoderBase extends nn.Module {
  readonly dimensions: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly channels: number[];
  readonly strides: IntOrSeq[];
  readonly kernelSize: IntOrSeq;
  readonly upKernelSize: IntOrSeq;
  readonly numResUnits: number;
  readonly act: LayerSpec | null;
  readonly norm: LayerSpec | null;
  readonly dropout: DropoutSpec | null;
  readonly bias: boolean;
  readonly padding: IntOrSeq | null;
  readonly numInterUnits: number;
  readonly interChannels: number[];
  readonly interDilations: number[];
  /** Channels leaving the intermediate units. */
  readonly encodedChannels: number;
  declare encode: Chain;
  declare intermediate: TensorModule;
  declare decode: Chain;

  constructor(options: AutoEncoderOptions, keys: readonly string[] = AUTOENCODER_KEYS, required: readonly string[] = ['spatialDims', 'inChannels', 'outChannels', 'channels', 'strides']) {
    super();
    const name = new.target.name;
    checkOptions(name, options, keys, required);
    this.dimensions = options.spatialDims;
    this.inChannels = checkChannels(name, 'inChannels', options.inChannels);
    this.outChannels = checkChannels(name, 'outChannels', options.outChannels);
    this.channels = options.channels.slice();
    this.strides = options.strides.slice();
    if (this.channels.length !== this.strides.length)
      throw new RangeError(`${name}: channels and strides must have the same length, found ${this.channels.length} and ${this.strides.length}`);
    this.kernelSize = options.kernelSize ?? 3;
    this.upKernelSize = options.upKernelSize ?? 3;
    this.numResUnits = options.numResUnits ?? 0;
    this.act = options.act === undefined ? 'prelu' : options.act;
    this.norm = options.norm === undefined ? 'instance' : options.norm;
    this.dropout = options.dropout ?? null;
    this.bias = options.bias ?? true;
    this.padding = options.padding ?? null;
    this.numInterUnits = options.numInterUnits ?? 2;
    this.interChannels = options.interChannels ?? [];
    this.interDilations = options.interDilations ?? this.interChannels.map(() => 1);
    try {
      this.encode = new Chain();
      let ch = this.inChannels;
      this.channels.forEach((c, i) => {
        this.encode.registerModule(`encode_${i}`, this.getEncodeLayer(ch, c, this.strides[i], false));
        ch = c;
      });
      this.registerModule('intermediate', new nn.Identity());
      if (this.interChannels.length) {
        const inter = new Chain();
        this.interChannels.forEach((dc, i) => {
          const di = this.interDilations[i];
          const base = { spatialDims: this.dimensions, inChannels: ch, outChannels: dc, strides: 1, kernelSize: this.kernelSize, ...this.common(), dilation: di };
          inter.registerModule(`inter_${i}`, this.numInterUnits > 0 ? new ResidualUnit({ ...base, subunits: this.numInterUnits }) : new Convolution(base));
          ch = dc;
        });
        this.registerModule('intermediate', inter);
      }
      this.encodedChannels = ch;
      const decodeChannels = [...this.channels.slice(0, -1).reverse(), this.outChannels];
      const decodeStrides = this.strides.length ? this.strides.slice().reverse() : [1];
      this.decode = new Chain();
      decodeChannels.forEach((c, i) => {
        if (i >= decodeStrides.length) return;
        this.decode.registerModule(`decode_${i}`, this.getDecodeLayer(ch, c, decodeStrides[i], i === decodeStrides.length - 1));
        ch = c;
      });
    } catch (e) {
      this.dispose();
      if (e instanceof Error && !e.message.startsWith(`${name}:`)) e.message = `${name}: ${e.message.replace(/^(Convolution|ResidualUnit|ADN): /, '')}`;
      throw e;
    }
  }

  protected common() {
    return { act: this.act, norm: this.norm, dropout: this.dropout, bias: this.bias, padding: this.padding };
  }

  protected getEncodeLayer(inChannels: number, outChannels: number, strides: IntOrSeq, isLast: boolean): nn.Module {
    const base = { spatialDims: this.dimensions, inChannels, outChannels, strides, kernelSize: this.kernelSize, ...this.common() };
    if (this.numResUnits > 0) return new ResidualUnit({ ...base, subunits: this.numResUnits, lastConvOnly: isLast });
    return new Convolution({ ...base, convOnly: isLast });
  }

  protected getDecodeLayer(inChannels: number, outChannels: number, strides: IntOrSeq, isLast: boolean): Chain {
    const decode = new Chain();
    decode.registerModule('conv', new Convolution({
      spatialDims: this.dimensions, inChannels, outChannels, strides, kernelSize: this.upKernelSize, ...this.common(),
      convOnly: isLast && this.numResUnits === 0, isTransposed: true,
    }));
    if (this.numResUnits > 0) {
      decode.registerModule('resunit', new ResidualUnit({
        spatialDims: this.dimensions, inChannels: outChannels, outChannels, strides: 1, kernelSize: this.kernelSize, subunits: 1, ...this.common(), lastConvOnly: isLast,
      }));
    }
    return decode;
  }

}

export class AutoEncoder extends AutoEncoderBase {
  constructor(options: AutoEncoderOptions) {
    super(options);
  }

  forward(x: Tensor): Tensor {
    checkInputChannels(this.constructor.name, x, this.inChannels, this.dimensions);
    const e = this.encode.forward(x);
    const m = this.intermediate.forward(e);
    if (m !== e) e.dispose();
    try {
      return this.decode.forward(m);
    } finally {
      m.dispose();
    }
  }
}
