// SegResNet and SegResNetVAE (MONAI's monai/networks/nets/segresnet.py): Myronenko's encoder-decoder of
// pre-activation residual blocks, with the variational auto-encoder branch that regularises training.
// Keys as MONAI's: convInit.conv, down_layers.<i>.<j>, up_layers, up_samples.<i>.{0,1}, conv_final.{0,2},
// vae_down, vae_fc1/2/3, vae_fc_up_sample, vae_conv_final. The shared activation module (act_mod) sits in
// several places, as in MONAI (a PReLU's weight then appears under each of its keys).
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../../data/options.js';
import { checkChannels } from '../blocks/convolutions.js';
import { ResBlock, segResNetConvLayer, segResNetUpsampleLayer } from '../blocks/segresnet_block.js';
import type { UpsampleMode } from '../blocks/upsample.js';
import { Chain } from '../layers/chain.js';
import { Dropout, type TensorModule } from '../layers/factories.js';
import { getActLayer, getNormLayer, type LayerSpec } from '../layers/utils.js';
import { checkInputChannels } from './checks.js';
import { buildOrDispose, checkLayerSpecs } from './net_build.js';

export interface SegResNetOptions {
  /** 2 or 3 (default 3). */
  spatialDims?: number;
  initFilters?: number;
  inChannels?: number;
  outChannels?: number;
  dropoutProb?: number | null;
  /** Default ['RELU', { inplace: true }]. */
  act?: LayerSpec;
  /** Default ['GROUP', { numGroups: 8 }]. */
  norm?: LayerSpec;
  /** Deprecated by MONAI: only 'group' (or '') is accepted; with numGroups it replaces norm. */
  normName?: string;
  numGroups?: number;
  useConvFinal?: boolean;
  blocksDown?: number[];
  blocksUp?: number[];
  upsampleMode?: UpsampleMode;
}
const KEYS = ['spatialDims', 'initFilters', 'inChannels', 'outChannels', 'dropoutProb', 'act', 'norm', 'normName', 'numGroups', 'useConvFinal', 'blocksDown', 'blocksUp', 'upsampleMode'];
const UPSAMPLE_MODES = ['deconv', 'nontrainable', 'pixelshuffle'] as const;

/** `Out` is what forward returns: the segmentation, or [segmentation, vaeLoss] for SegResNetVAE. */
export class SegResNet<Out = Tensor> extends nn.Module {
  readonly spatialDims: number;
  readonly initFilters: number;
  readonly inChannels: number;
  readonly blocksDown: number[];
  readonly blocksUp: number[];
  readonly dropoutProb: number | null;
  readonly act: LayerSpec;
  readonly norm: LayerSpec;
  readonly upsampleMode: UpsampleMode;
  readonly useConvFinal: boolean;
  declare act_mod: TensorModule;
  declare convInit: TensorModule;
  declare down_layers: nn.ModuleList<Chain>;
  declare up_layers: nn.ModuleList<Chain>;
  declare up_samples: nn.ModuleList<Chain>;
  declare conv_final: Chain;
  declare dropout: TensorModule | undefined;

  constructor(options: SegResNetOptions = {}, extraKeys: string[] = []) {
    super();
    const name = new.target.name;
    checkOptions(name, options, [...KEYS, ...extraKeys]);
    const dims = options.spatialDims ?? 3;
    if (dims !== 2 && dims !== 3) throw new RangeError(`${name}: spatialDims must be 2 or 3, found ${dims}`);
    this.spatialDims = dims;
    this.initFilters = checkChannels(name, 'initFilters', options.initFilters ?? 8);
    this.inChannels = checkChannels(name, 'inChannels', options.inChannels ?? 1);
    const outChannels = checkChannels(name, 'outChannels', options.outChannels ?? 2);
    this.blocksDown = options.blocksDown ?? [1, 2, 2, 4];
    this.blocksUp = options.blocksUp ?? [1, 1, 1];
    if (!Array.isArray(this.blocksDown) || !this.blocksDown.length) throw new RangeError(`${name}: blocksDown must be a non-empty list, found ${JSON.stringify(this.blocksDown)}`);
    if (!Array.isArray(this.blocksUp) || this.blocksUp.length > this.blocksDown.length - 1)
      throw new RangeError(`${name}: blocksUp must have at most len(blocksDown) - 1 = ${this.blocksDown.length - 1} entries, found ${JSON.stringify(this.blocksUp)}`);
    this.dropoutProb = options.dropoutProb ?? null;
    this.act = options.act ?? ['RELU', { inplace: true }];
    let norm: LayerSpec = options.norm ?? ['GROUP', { numGroups: 8 }];
    if (options.normName) {
      if (options.normName.toLowerCase() !== 'group') throw new TypeError(`${name}: normName='${options.normName}' is deprecated, use the norm option instead`);
      norm = ['group', { numGroups: options.numGroups ?? 8 }];
    }
    this.norm = norm;
    this.upsampleMode = checkChoice(name, 'upsampleMode', options.upsampleMode ?? 'nontrainable', UPSAMPLE_MODES);
    this.useConvFinal = options.useConvFinal ?? true;
    checkLayerSpecs(name, [
      { option: 'act', kind: 'act', spec: this.act },
      { option: 'norm', kind: 'norm', spec: this.norm, dims },
    ]);
    buildOrDispose(name, this, () => {
      this.act_mod = getActLayer(this.act);
      this.convInit = segResNetConvLayer(dims, this.inChannels, this.initFilters);
      this.down_layers = new nn.ModuleList(this.blocksDown.map((n, i) => {
        const ch = this.initFilters * 2 ** i;
        const pre = i > 0 ? segResNetConvLayer(dims, ch / 2, ch, 3, 2) : new nn.Identity();
        return new Chain(pre, ...Array.from({ length: n }, () => this.resBlock(ch)));
      }));
      const nUp = this.blocksUp.length;
      this.up_layers = new nn.ModuleList(this.blocksUp.map((n, i) => {
        const ch = this.initFilters * 2 ** (nUp - i);
        return new Chain(...Array.from({ length: n }, () => this.resBlock(ch / 2)));
      }));
      this.up_samples = new nn.ModuleList(this.blocksUp.map((_, i) => {
        const ch = this.initFilters * 2 ** (nUp - i);
        return new Chain(segResNetConvLayer(dims, ch, ch / 2, 1), segResNetUpsampleLayer(dims, ch / 2, this.upsampleMode));
      }));
      this.conv_final = this.finalConv(outChannels);
      if (this.dropoutProb !== null) this.dropout = new (Dropout.get('dropout', dims))({ p: this.dropoutProb });
    });
  }

  protected resBlock(ch: number): ResBlock {
    return new ResBlock({ spatialDims: this.spatialDims, inChannels: ch, norm: this.norm, act: this.act });
  }

  protected finalConv(outChannels: number): Chain {
    return new Chain(
      getNormLayer(this.norm, this.spatialDims, this.initFilters),
      this.act_mod,
      segResNetConvLayer(this.spatialDims, this.initFilters, outChannels, 1, 1, true),
    );
  }

  /** The deepest features and every level's output, top first (call inside a tidy or dispose them). */
  encode(x: Tensor): [Tensor, Tensor[]] {
    let h = this.convInit.forward(x);
    if (this.dropout) h = this.dropout.forward(h);
    const downs: Tensor[] = [];
    for (const down of this.down_layers) {
      h = down.forward(h);
      downs.push(h);
    }
    return [h, downs];
  }

  /** Upsampling path; downX is deepest first. */
  decode(x: Tensor, downX: Tensor[]): Tensor {
    let h = x;
    for (let i = 0; i < this.up_samples.length; i++) {
      h = this.up_layers.at(i).forward(this.up_samples.at(i).forward(h).add(downX[i + 1]));
    }
    return this.useConvFinal ? this.conv_final.forward(h) : h;
  }

  forward(x: Tensor): Out {
    checkInputChannels(this.constructor.name, x, this.inChannels, this.spatialDims);
    this.checkSize(x);
    const seg = torch.tidy(() => {
      const [h, downs] = this.encode(x);
      return this.decode(h, downs.reverse());
    });
    return seg as unknown as Out; // SegResNetVAE overrides forward with its own pair
  }

  protected checkSize(x: Tensor): void {
    const f = 2 ** (this.blocksDown.length - 1);
    if (x.shape.slice(2).some((s) => s % f !== 0))
      throw new RangeError(`${this.constructor.name}: spatial sizes must be multiples of ${f} (2 ** (len(blocksDown) - 1)), found shape [${x.shape.join(', ')}]`);
  }
}

export interface SegResNetVAEOptions extends Omit<SegResNetOptions, 'normName' | 'numGroups'> {
  /** Spatial size of the training inputs (fixes the VAE's fully connected layers). */
  inputImageSize: number[];
  /** Estimate the latent standard deviation (default false: use vaeDefaultStd). */
  vaeEstimateStd?: boolean;
  vaeDefaultStd?: number;
  /** Latent size (default 256). */
  vaeNz?: number;
}
const VAE_KEYS = ['inputImageSize', 'vaeEstimateStd', 'vaeDefaultStd', 'vaeNz'];

/**
 * SegResNet with a VAE branch: forward gives [segmentation, vaeLoss] in training (the loss from a
 * reconstruction of the input through the decoder, with a random latent sample) and [segmentation, null]
 * in evaluation.
 */
export class SegResNetVAE extends SegResNet<[Tensor, Tensor | null]> {
  readonly inputImageSize: number[];
  readonly smallestFilters: number;
  readonly fcInsize: number[];
  readonly vaeEstimateStd: boolean;
  readonly vaeDefaultStd: number;
  readonly vaeNz: number;
  declare vae_down: Chain;
  declare vae_fc1: nn.Linear;
  declare vae_fc2: nn.Linear;
  declare vae_fc3: nn.Linear;
  declare vae_fc_up_sample: Chain;
  declare vae_conv_final: Chain;

  constructor(options: SegResNetVAEOptions) {
    checkOptions('SegResNetVAE', options, [...KEYS.filter((k) => k !== 'normName' && k !== 'numGroups'), ...VAE_KEYS], ['inputImageSize']);
    if (!Array.isArray(options.inputImageSize))
      throw new TypeError('SegResNetVAE: inputImageSize (the training input spatial size) is required');
    const { inputImageSize, vaeEstimateStd, vaeDefaultStd, vaeNz, ...base } = options;
    // Checked before the base network allocates anything.
    const dims = base.spatialDims ?? 3;
    const zoom = 2 ** ((base.blocksDown ?? [1, 2, 2, 4]).length - 1);
    if (inputImageSize.length !== dims)
      throw new RangeError(`SegResNetVAE: inputImageSize must have spatialDims=${dims} values, found ${JSON.stringify(inputImageSize)}`);
    if (inputImageSize.some((s) => Math.floor(s / (2 * zoom)) < 1))
      throw new RangeError(`SegResNetVAE: inputImageSize ${JSON.stringify(inputImageSize)} must be at least ${2 * zoom} per axis`);
    checkChannels('SegResNetVAE', 'vaeNz', vaeNz ?? 256);
    super(base, []);
    this.inputImageSize = inputImageSize.slice();
    this.smallestFilters = 16;
    this.fcInsize = inputImageSize.map((s) => Math.floor(s / (2 * zoom)));
    this.vaeEstimateStd = vaeEstimateStd ?? false;
    this.vaeDefaultStd = vaeDefaultStd ?? 0.3;
    this.vaeNz = vaeNz ?? 256;
    const vFilters = this.initFilters * zoom;
    const total = this.smallestFilters * this.fcInsize.reduce((a, b) => a * b, 1);
    buildOrDispose('SegResNetVAE', this, () => {
      this.vae_down = new Chain(
        getNormLayer(this.norm, dims, vFilters),
        this.act_mod,
        segResNetConvLayer(dims, vFilters, this.smallestFilters, 3, 2, true),
        getNormLayer(this.norm, dims, this.smallestFilters),
        this.act_mod,
      );
      this.vae_fc1 = new nn.Linear({ inFeatures: total, outFeatures: this.vaeNz });
      this.vae_fc2 = new nn.Linear({ inFeatures: total, outFeatures: this.vaeNz });
      this.vae_fc3 = new nn.Linear({ inFeatures: this.vaeNz, outFeatures: total });
      this.vae_fc_up_sample = new Chain(
        segResNetConvLayer(dims, this.smallestFilters, vFilters, 1),
        segResNetUpsampleLayer(dims, vFilters, this.upsampleMode),
        getNormLayer(this.norm, dims, vFilters),
        this.act_mod,
      );
      this.vae_conv_final = this.finalConv(this.inChannels);
    });
  }

  /** The VAE loss: latent regularisation plus the MSE of the reconstruction against the network input. */
  private vaeLoss(netInput: Tensor, vaeInput: Tensor): Tensor {
    let h = this.vae_down.forward(vaeInput).view([-1, this.vae_fc1.inFeatures]);
    const zMean = this.vae_fc1.forward(h);
    const noise = torch.randnLike(zMean);
    let reg: Tensor;
    if (this.vaeEstimateStd) {
      const zSigma = nn.functional.softplus(this.vae_fc2.forward(h));
      const s2 = zSigma.square();
      reg = zMean.square().add(s2).sub(s2.add(1e-8).log()).sub(1).mean().mul(0.5);
      h = zMean.add(zSigma.mul(noise));
    } else {
      reg = zMean.square().mean();
      h = zMean.add(noise.mul(this.vaeDefaultStd));
    }
    h = this.act_mod.forward(this.vae_fc3.forward(h)).view([-1, this.smallestFilters, ...this.fcInsize]);
    h = this.vae_fc_up_sample.forward(h);
    for (let i = 0; i < this.up_samples.length; i++) h = this.up_layers.at(i).forward(this.up_samples.at(i).forward(h));
    h = this.vae_conv_final.forward(h);
    return reg.add(nn.functional.mseLoss(netInput, h));
  }

  /** [segmentation, vaeLoss] in training, [segmentation, null] in evaluation (as forwardVAE). */
  override forward(x: Tensor): [Tensor, Tensor | null] {
    return this.forwardVAE(x);
  }

  forwardVAE(x: Tensor): [Tensor, Tensor | null] {
    checkInputChannels(this.constructor.name, x, this.inChannels, this.spatialDims);
    this.checkSize(x);
    return torch.tidy(() => {
      const [h, downs] = this.encode(x);
      const seg = this.decode(h, downs.reverse());
      return [seg, this.training ? this.vaeLoss(x, h) : null] as [Tensor, Tensor | null];
    });
  }
}
