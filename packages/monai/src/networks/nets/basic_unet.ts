// BasicUNet (MONAI's monai/networks/nets/basic_unet.py): two convolutions per level, max-pool down,
// UpSample + concatenation up. Children and state-dict keys as MONAI ('conv_0.conv_0.conv.weight',
// 'down_1.convs.conv_0...', 'upcat_4.upsample.deconv.weight', 'final_conv.weight').
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { Convolution, checkChannels } from '../blocks/convolutions.js';
import { UpSample, type InterpolateMode, type UpsampleMode } from '../blocks/upsample.js';
import { Chain } from '../layers/chain.js';
import { Conv, Pool, type TensorModule } from '../layers/factories.js';
import type { DropoutSpec, LayerSpec } from '../layers/utils.js';
import { checkInputChannels } from './checks.js';

interface LevelOptions {
  act: LayerSpec;
  norm: LayerSpec;
  bias: boolean;
  dropout: DropoutSpec;
}

/** Two 3x3 Convolutions ('conv_0', 'conv_1'). */
export class TwoConv extends Chain {
  constructor(spatialDims: number, inChns: number, outChns: number, o: LevelOptions) {
    super();
    const common = { spatialDims, act: o.act, norm: o.norm, dropout: o.dropout, bias: o.bias, padding: 1 };
    this.registerModule('conv_0', new Convolution({ ...common, inChannels: inChns, outChannels: outChns }));
    this.registerModule('conv_1', new Convolution({ ...common, inChannels: outChns, outChannels: outChns }));
  }
}

/** Max-pool by 2 then TwoConv ('max_pooling', 'convs'). */
export class Down extends Chain {
  constructor(spatialDims: number, inChns: number, outChns: number, o: LevelOptions) {
    super();
    this.registerModule('max_pooling', new (Pool.get('max', spatialDims))({ kernelSize: 2 }));
    this.registerModule('convs', new TwoConv(spatialDims, inChns, outChns, o));
  }
}

export interface UpCatOptions extends LevelOptions {
  upsample?: UpsampleMode;
  preConv?: nn.Module | 'default' | null;
  interpMode?: InterpolateMode;
  alignCorners?: boolean | null;
  /** Halve the channels when upsampling (default true). */
  halves?: boolean;
  /** Replicate-pad the upsampled map by one where it is smaller than the encoder's (default true). */
  isPad?: boolean;
}

/** Upsample, concatenate the encoder features, TwoConv ('upsample', 'convs'). */
export class UpCat extends nn.Module {
  declare upsample: UpSample;
  declare convs: TwoConv;
  readonly isPad: boolean;
  constructor(spatialDims: number, inChns: number, catChns: number, outChns: number, o: UpCatOptions) {
    super();
    const mode = o.upsample ?? 'deconv';
    const preConv = o.preConv === undefined ? 'default' : o.preConv;
    const upChns = mode === 'nontrainable' && preConv === null ? inChns : (o.halves ?? true) ? Math.floor(inChns / 2) : inChns;
    this.upsample = new UpSample({
      spatialDims, inChannels: inChns, outChannels: upChns, scaleFactor: 2, mode, preConv, interpMode: o.interpMode ?? 'linear',
      alignCorners: o.alignCorners === undefined ? true : o.alignCorners,
    });
    this.convs = new TwoConv(spatialDims, catChns + upChns, outChns, o);
    this.isPad = o.isPad ?? true;
  }

  /** x: features from below; xE: the encoder's features at this level (or null). */
  forward(x: Tensor, xE: Tensor | null = null): Tensor {
    return torch.tidy(() => {
      let x0 = this.upsample.forward(x);
      if (xE === null) return this.convs.forward(x0);
      if (this.isPad) {
        const nd = x.dim() - 2;
        const sp = Array(2 * nd).fill(0);
        let any = false;
        for (let i = 0; i < nd; i++) {
          if (xE.size(-i - 1) !== x0.size(-i - 1)) {
            sp[2 * i + 1] = 1;
            any = true;
          }
        }
        if (any) x0 = nn.functional.pad(x0, sp, { mode: 'replicate' });
      }
      return this.convs.forward(torch.cat([xE, x0], 1));
    });
  }
}

export interface BasicUNetOptions {
  spatialDims?: number;
  inChannels?: number;
  outChannels?: number;
  /** Six feature counts: four encoder levels, the bottom, and the last decoder level. */
  features?: number[];
  act?: LayerSpec;
  norm?: LayerSpec;
  bias?: boolean;
  dropout?: DropoutSpec;
  upsample?: UpsampleMode;
}
const KEYS = ['spatialDims', 'inChannels', 'outChannels', 'features', 'act', 'norm', 'bias', 'dropout', 'upsample'];

export class BasicUNet extends nn.Module {
  readonly spatialDims: number;
  readonly inChannels: number;
  declare conv_0: TwoConv;
  declare down_1: Down;
  declare down_2: Down;
  declare down_3: Down;
  declare down_4: Down;
  declare upcat_4: UpCat;
  declare upcat_3: UpCat;
  declare upcat_2: UpCat;
  declare upcat_1: UpCat;
  declare final_conv: TensorModule;

  constructor(options: BasicUNetOptions = {}) {
    super();
    const name = 'BasicUNet';
    checkOptions(name, options, KEYS);
    const dims = options.spatialDims ?? 3;
    if (![1, 2, 3].includes(dims)) throw new RangeError(`${name}: spatialDims must be 1, 2 or 3, found ${dims}`);
    this.spatialDims = dims;
    this.inChannels = checkChannels(name, 'inChannels', options.inChannels ?? 1);
    const outChannels = checkChannels(name, 'outChannels', options.outChannels ?? 2);
    const features = options.features ?? [32, 32, 64, 128, 256, 32];
    if (features.length > 6) throw new RangeError(`${name}: features must have at most 6 values, found ${features.length}`);
    // MONAI repeats the last value up to six.
    const fea = [...features, ...Array(6 - features.length).fill(features[features.length - 1])];
    fea.forEach((f, i) => checkChannels(name, `features[${i}]`, f));
    const o: UpCatOptions = {
      act: options.act ?? ['leakyrelu', { negativeSlope: 0.1, inplace: true }],
      norm: options.norm ?? ['instance', { affine: true }],
      bias: options.bias ?? true,
      dropout: options.dropout ?? 0.0,
      upsample: options.upsample ?? 'deconv',
    };
    try {
      this.conv_0 = new TwoConv(dims, this.inChannels, fea[0], o);
      this.down_1 = new Down(dims, fea[0], fea[1], o);
      this.down_2 = new Down(dims, fea[1], fea[2], o);
      this.down_3 = new Down(dims, fea[2], fea[3], o);
      this.down_4 = new Down(dims, fea[3], fea[4], o);
      this.upcat_4 = new UpCat(dims, fea[4], fea[3], fea[3], o);
      this.upcat_3 = new UpCat(dims, fea[3], fea[2], fea[2], o);
      this.upcat_2 = new UpCat(dims, fea[2], fea[1], fea[1], o);
      this.upcat_1 = new UpCat(dims, fea[1], fea[0], fea[5], { ...o, halves: false });
    } catch (e) {
      this.dispose();
      if (e instanceof Error && !e.message.startsWith(`${name}:`)) e.message = `${name}: ${e.message.replace(/^(Convolution|ADN|UpSample): /, '')}`;
      throw e;
    }
    this.final_conv = new (Conv.get('conv', dims))({ inChannels: fea[5], outChannels, kernelSize: 1 });
  }

  forward(x: Tensor): Tensor {
    checkInputChannels('BasicUNet', x, this.inChannels, this.spatialDims);
    return torch.tidy(() => {
      const x0 = this.conv_0.forward(x);
      const x1 = this.down_1.forward(x0);
      const x2 = this.down_2.forward(x1);
      const x3 = this.down_3.forward(x2);
      const x4 = this.down_4.forward(x3);
      const u4 = this.upcat_4.forward(x4, x3);
      const u3 = this.upcat_3.forward(u4, x2);
      const u2 = this.upcat_2.forward(u3, x1);
      const u1 = this.upcat_1.forward(u2, x0);
      return this.final_conv.forward(u1);
    });
  }
}

/** MONAI's aliases. */
export const BasicUnet = BasicUNet;
export const Basicunet = BasicUNet;
