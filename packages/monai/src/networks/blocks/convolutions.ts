// Convolution (conv + ADN) and ResidualUnit (MONAI's monai/networks/blocks/convolutions.py).
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { Chain } from '../layers/chain.js';
import { samePadding, strideMinusKernelPadding } from '../layers/convutils.js';
import { Conv, type TensorModule } from '../layers/factories.js';
import type { DropoutSpec, LayerSpec } from '../layers/utils.js';
import { ADN } from './acti_norm.js';

type IntOrSeq = number | number[];

export interface ConvolutionOptions {
  spatialDims: number;
  inChannels: number;
  outChannels: number;
  strides?: IntOrSeq;
  kernelSize?: IntOrSeq;
  adnOrdering?: string;
  /** Default 'prelu'; null for none. */
  act?: LayerSpec | null;
  /** Default 'instance'; null for none. */
  norm?: LayerSpec | null;
  dropout?: DropoutSpec | null;
  dropoutDim?: number | null;
  dilation?: IntOrSeq;
  groups?: number;
  bias?: boolean;
  /** Only the convolution, no ADN. */
  convOnly?: boolean;
  isTransposed?: boolean;
  /** Default: same padding for the kernel and dilation. */
  padding?: IntOrSeq | null;
  /** Transposed only; default stride - 1. */
  outputPadding?: IntOrSeq | null;
}
const CONV_KEYS = ['spatialDims', 'inChannels', 'outChannels', 'strides', 'kernelSize', 'adnOrdering', 'act', 'norm', 'dropout', 'dropoutDim', 'dilation', 'groups', 'bias', 'convOnly', 'isTransposed', 'padding', 'outputPadding'];
const REQUIRED = ['spatialDims', 'inChannels', 'outChannels'];

export function checkChannels(owner: string, name: string, v: unknown): number {
  if (!(typeof v === 'number' && Number.isInteger(v) && v > 0)) throw new RangeError(`${owner}: ${name} must be a positive integer, found ${String(v)}`);
  return v;
}

/** A convolution (or transposed convolution) followed by ADN: children 'conv' and 'adn' as in MONAI. */
export class Convolution extends Chain {
  readonly spatialDims: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly isTransposed: boolean;
  declare conv: TensorModule;
  declare adn: ADN | undefined;

  constructor(options: ConvolutionOptions) {
    super();
    checkOptions('Convolution', options, CONV_KEYS, REQUIRED);
    this.spatialDims = options.spatialDims;
    this.inChannels = checkChannels('Convolution', 'inChannels', options.inChannels);
    this.outChannels = checkChannels('Convolution', 'outChannels', options.outChannels);
    this.isTransposed = options.isTransposed ?? false;
    const kernelSize = options.kernelSize ?? 3;
    const dilation = options.dilation ?? 1;
    const strides = options.strides ?? 1;
    const padding = options.padding ?? samePadding(kernelSize, dilation);
    const common = { inChannels: this.inChannels, outChannels: this.outChannels, kernelSize, stride: strides, padding, dilation, groups: options.groups ?? 1, bias: options.bias ?? true };
    if (this.isTransposed) {
      const outputPadding = options.outputPadding ?? strideMinusKernelPadding(1, strides);
      this.registerModule('conv', new (Conv.get('convtrans', this.spatialDims))({ ...common, outputPadding }));
    } else {
      this.registerModule('conv', new (Conv.get('conv', this.spatialDims))(common));
    }
    if (options.convOnly) return;
    const act = options.act === undefined ? 'prelu' : options.act;
    const norm = options.norm === undefined ? 'instance' : options.norm;
    const dropout = options.dropout ?? null;
    if (act === null && norm === null && dropout === null) return;
    try {
      this.registerModule('adn', new ADN({ ordering: options.adnOrdering ?? 'NDA', inChannels: this.outChannels, act, norm, normDim: this.spatialDims, dropout, dropoutDim: options.dropoutDim ?? 1 }));
    } catch (e) {
      this.dispose();
      if (e instanceof Error) e.message = e.message.replace(/^ADN: /, 'Convolution: ');
      throw e;
    }
  }
}

export interface ResidualUnitOptions {
  spatialDims: number;
  inChannels: number;
  outChannels: number;
  strides?: IntOrSeq;
  kernelSize?: IntOrSeq;
  /** Number of convolutions (at least 1; default 2). */
  subunits?: number;
  adnOrdering?: string;
  act?: LayerSpec | null;
  norm?: LayerSpec | null;
  dropout?: DropoutSpec | null;
  dropoutDim?: number | null;
  dilation?: IntOrSeq;
  bias?: boolean;
  /** The last subunit is a bare convolution. */
  lastConvOnly?: boolean;
  padding?: IntOrSeq | null;
}
const RU_KEYS = ['spatialDims', 'inChannels', 'outChannels', 'strides', 'kernelSize', 'subunits', 'adnOrdering', 'act', 'norm', 'dropout', 'dropoutDim', 'dilation', 'bias', 'lastConvOnly', 'padding'];

const prod = (v: IntOrSeq) => (typeof v === 'number' ? v : v.reduce((a, b) => a * b, 1));

/**
 * Subunits of Convolution ('conv.unit0', 'conv.unit1', ...) plus a residual path ('residual'): identity,
 * or a convolution when the stride or the channel count changes (1x1 when only channels change).
 */
export class ResidualUnit extends nn.Module {
  readonly spatialDims: number;
  readonly inChannels: number;
  readonly outChannels: number;
  declare conv: Chain;
  declare residual: TensorModule;

  constructor(options: ResidualUnitOptions) {
    super();
    checkOptions('ResidualUnit', options, RU_KEYS, REQUIRED);
    const { spatialDims } = options;
    this.spatialDims = spatialDims;
    this.inChannels = checkChannels('ResidualUnit', 'inChannels', options.inChannels);
    this.outChannels = checkChannels('ResidualUnit', 'outChannels', options.outChannels);
    const kernelSize = options.kernelSize ?? 3;
    const dilation = options.dilation ?? 1;
    const strides = options.strides ?? 1;
    const bias = options.bias ?? true;
    // MONAI treats a falsy padding (None or 0) as "same".
    const padding = options.padding ? options.padding : samePadding(kernelSize, dilation);
    const subunits = Math.max(1, options.subunits ?? 2);
    this.conv = new Chain();
    this.registerModule('residual', new nn.Identity());
    try {
      this.build(options, subunits, kernelSize, dilation, strides, bias, padding);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  private build(options: ResidualUnitOptions, subunits: number, kernelSize: IntOrSeq, dilation: IntOrSeq, strides: IntOrSeq, bias: boolean, padding: IntOrSeq): void {
    const { spatialDims } = options;
    let ch = this.inChannels;
    let st: IntOrSeq = strides;
    for (let su = 0; su < subunits; su++) {
      const unit = new Convolution({
        spatialDims, inChannels: ch, outChannels: this.outChannels, strides: st, kernelSize, adnOrdering: options.adnOrdering,
        act: options.act, norm: options.norm, dropout: options.dropout, dropoutDim: options.dropoutDim, dilation, bias,
        convOnly: (options.lastConvOnly ?? false) && su === subunits - 1, padding,
      });
      this.conv.registerModule(`unit${su}`, unit);
      ch = this.outChannels;
      st = 1;
    }
    if (prod(strides) !== 1 || this.inChannels !== this.outChannels) {
      const onlyChannels = prod(strides) === 1;
      this.registerModule('residual', new (Conv.get('conv', spatialDims))({
        inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: onlyChannels ? 1 : kernelSize, stride: strides,
        padding: onlyChannels ? 0 : padding, bias,
      }));
    }
  }

  forward(x: Tensor): Tensor {
    const res = this.residual.forward(x);
    const cx = this.conv.forward(x);
    try {
      return cx.add(res);
    } finally {
      cx.dispose();
      if (res !== x) res.dispose();
    }
  }
}
