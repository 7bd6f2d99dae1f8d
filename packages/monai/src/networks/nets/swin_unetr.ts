// SwinUNETR (MONAI's monai/networks/nets/swin_unetr.py): a Swin transformer encoder (shifted-window
// attention with relative position bias, patch merging) feeding a UNETR-style convolutional decoder, after
// Hatamizadeh et al. Keys as MONAI's: swinViT.patch_embed.proj, swinViT.layers<i>.0.blocks.<j>.{norm1,
// attn.relative_position_bias_table, attn.relative_position_index, attn.qkv, attn.proj, norm2, mlp.linear1,
// mlp.linear2}, swinViT.layers<i>.0.downsample.{reduction,norm}, encoder1..4, encoder10, decoder1..5, out.
// MONAI's quirks are kept so its weights give its outputs: PatchMerging's 3-D neighbour order (two
// neighbours repeated) and the relative-position index of the full window cut to smaller windows.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { checkChoice, checkOptions } from '../../data/options.js';
import { checkChannels } from '../blocks/convolutions.js';
import { UnetOutBlock } from '../blocks/dynunet_block.js';
import { MLPBlock, checkDropoutRate } from '../blocks/mlp.js';
import { repeatToDims } from '../blocks/patchembedding.js';
import { UnetrBasicBlock, UnetrUpBlock } from '../blocks/unetr_block.js';
import { DropPath } from '../layers/drop_path.js';
import { Conv, type TensorModule } from '../layers/factories.js';
import type { LayerSpec } from '../layers/utils.js';
import { checkInputChannels } from './checks.js';
import { buildOrDispose, checkLayerSpecs } from './net_build.js';

const prod = (a: number[]) => a.reduce((x, y) => x * y, 1);

/** (B, spatial..., C) -> (B * windows, prod(ws), C). */
export function windowPartition(x: Tensor, ws: number[]): Tensor {
  const [b, ...rest] = x.shape;
  const c = rest[rest.length - 1];
  const sp = rest.slice(0, -1);
  const split = x.view([b, ...sp.flatMap((s, i) => [s / ws[i], ws[i]]), c]);
  const n = sp.length;
  const order = [0, ...sp.map((_, i) => 1 + 2 * i), ...sp.map((_, i) => 2 + 2 * i), 1 + 2 * n];
  return split.permute(order).contiguous().view([-1, prod(ws), c]);
}

/** Inverse of windowPartition for dims [B, spatial...]. */
export function windowReverse(windows: Tensor, ws: number[], dims: number[]): Tensor {
  const [b, ...sp] = dims;
  const n = sp.length;
  const x = windows.view([b, ...sp.map((s, i) => s / ws[i]), ...ws, -1]);
  const order = [0, ...sp.flatMap((_, i) => [1 + i, 1 + n + i]), 1 + 2 * n];
  return x.permute(order).contiguous().view([b, ...sp, -1]);
}

/** Windows no larger than the input (and no shift where the input fits in one window). */
export function getWindowSize(xSize: number[], windowSize: number[], shiftSize: number[]): [number[], number[]] {
  const ws = windowSize.slice(), ss = shiftSize.slice();
  xSize.forEach((s, i) => {
    if (s <= windowSize[i]) {
      ws[i] = s;
      ss[i] = 0;
    }
  });
  return [ws, ss];
}

/** Python's slice(start, stop) bounds on a length (negative from the end, -0 being 0). */
function pySlice(start: number | null, stop: number | null, len: number): [number, number] {
  const norm = (v: number | null, dflt: number) => (v === null ? dflt : v < 0 ? Math.max(0, len + v) : Math.min(v, len));
  const a = norm(start, 0), b = norm(stop, len);
  return [a, Math.max(a, b)];
}

/** The shifted-window attention mask: 0 within a region, -100 across regions, (windows, n, n). */
export function computeMask(dims: number[], ws: number[], shift: number[], device: string): Tensor {
  return torch.tidy(() => {
    const img = torch.zeros([1, ...dims, 1], { device });
    const regions = dims.map((len, i) => [pySlice(null, -ws[i], len), pySlice(-ws[i], -shift[i], len), pySlice(-shift[i], null, len)]);
    let cnt = 0;
    const fill = (d: number, view: Tensor) => {
      for (const [a, b] of regions[d]) {
        const part = view.narrow(d + 1, a, b - a);
        if (d === dims.length - 1) part.fill_(cnt++);
        else fill(d + 1, part);
      }
    };
    fill(0, img);
    const mw = windowPartition(img, ws).squeeze(-1);
    const diff = mw.unsqueeze(1).sub(mw.unsqueeze(2));
    return diff.ne(0).to({ dtype: 'float32' }).mul(-100.0);
  });
}

/** Relative-position index of a window (MONAI's construction), as int64 (n, n). */
function relativePositionIndex(ws: number[]): Tensor {
  const n = prod(ws);
  const coords: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c: number[] = [];
    let r = i;
    for (let d = ws.length - 1; d >= 0; d--) {
      c.unshift(r % ws[d]);
      r = Math.floor(r / ws[d]);
    }
    coords.push(c);
  }
  const mult = ws.map((_, d) => prod(ws.slice(d + 1).map((w) => 2 * w - 1)));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) out[i * n + j] = coords[i].reduce((s, ci, d) => s + (ci - coords[j][d] + ws[d] - 1) * mult[d], 0);
  return torch.tidy(() => torch.tensor(out, { dtype: 'float64' }).to({ dtype: 'int64' }).view([n, n]));
}

/** Window multi-head self-attention with a learned relative position bias. */
export class WindowAttention extends nn.Module {
  readonly dim: number;
  readonly windowSize: number[];
  readonly numHeads: number;
  readonly scale: number;
  declare relative_position_bias_table: nn.Parameter;
  declare relative_position_index: Tensor;
  declare qkv: nn.Linear;
  declare attn_drop: TensorModule;
  declare proj: nn.Linear;
  declare proj_drop: TensorModule;
  declare softmax: TensorModule;

  constructor(dim: number, numHeads: number, windowSize: number[], qkvBias = false, attnDrop = 0.0, projDrop = 0.0) {
    super();
    this.dim = dim;
    this.windowSize = windowSize;
    this.numHeads = numHeads;
    this.scale = Math.floor(dim / numHeads) ** -0.5;
    this.registerParameter('relative_position_bias_table', torch.zeros([prod(windowSize.map((w) => 2 * w - 1)), numHeads]));
    this.registerBuffer('relative_position_index', relativePositionIndex(windowSize));
    this.qkv = new nn.Linear({ inFeatures: dim, outFeatures: dim * 3, bias: qkvBias });
    this.attn_drop = new nn.Dropout({ p: attnDrop }) as TensorModule;
    this.proj = new nn.Linear({ inFeatures: dim, outFeatures: dim });
    this.proj_drop = new nn.Dropout({ p: projDrop }) as TensorModule;
    nn.init.truncNormal_(this.relative_position_bias_table, 0, 0.02);
    this.softmax = new nn.Softmax({ dim: -1 }) as TensorModule;
  }

  forward(x: Tensor, mask: Tensor | null): Tensor {
    return torch.tidy(() => {
      const [b, n, c] = x.shape;
      const h = this.numHeads;
      const qkv = this.qkv.forward(x).reshape([b, n, 3, h, c / h]).permute([2, 0, 3, 1, 4]);
      const q = qkv.select(0, 0).mul(this.scale), k = qkv.select(0, 1), v = qkv.select(0, 2);
      let attn = torch.matmul(q, k.transpose(-2, -1));
      const idx = this.relative_position_index.slice(0, 0, n).slice(1, 0, n).reshape([-1]);
      const bias = this.relative_position_bias_table.indexSelect(0, idx).reshape([n, n, -1]).permute([2, 0, 1]);
      attn = attn.add(bias.unsqueeze(0));
      if (mask) {
        const nw = mask.size(0);
        attn = attn.view([b / nw, nw, h, n, n]).add(mask.unsqueeze(1).unsqueeze(0)).view([-1, h, n, n]);
      }
      attn = this.attn_drop.forward(this.softmax.forward(attn));
      return this.proj_drop.forward(this.proj.forward(torch.matmul(attn, v).transpose(1, 2).reshape([b, n, c])));
    });
  }
}

/** Norm, (shifted) window attention and MLP with residuals, on channel-last (B, spatial..., C) tokens. */
export class SwinTransformerBlock extends nn.Module {
  readonly windowSize: number[];
  readonly shiftSize: number[];
  declare norm1: nn.LayerNorm;
  declare attn: WindowAttention;
  declare drop_path: TensorModule;
  declare norm2: nn.LayerNorm;
  declare mlp: MLPBlock;

  constructor(o: { dim: number; numHeads: number; windowSize: number[]; shiftSize: number[]; mlpRatio?: number; qkvBias?: boolean; drop?: number; attnDrop?: number; dropPath?: number; actLayer?: LayerSpec }) {
    super();
    this.windowSize = o.windowSize;
    this.shiftSize = o.shiftSize;
    this.norm1 = new nn.LayerNorm({ normalizedShape: o.dim });
    this.attn = new WindowAttention(o.dim, o.numHeads, o.windowSize, o.qkvBias ?? true, o.attnDrop ?? 0, o.drop ?? 0);
    const dp = o.dropPath ?? 0;
    this.drop_path = (dp > 0 ? new DropPath({ dropProb: dp }) : new nn.Identity()) as TensorModule;
    this.norm2 = new nn.LayerNorm({ normalizedShape: o.dim });
    this.mlp = new MLPBlock({ hiddenSize: o.dim, mlpDim: Math.trunc(o.dim * (o.mlpRatio ?? 4.0)), act: o.actLayer ?? 'GELU', dropoutRate: o.drop ?? 0, dropoutMode: 'swin' });
  }

  private part1(x: Tensor, mask: Tensor | null): Tensor {
    const sp = x.shape.slice(1, -1);
    const c = x.shape[x.dim() - 1];
    const [ws, ss] = getWindowSize(sp, this.windowSize, this.shiftSize);
    const pads = sp.map((s, i) => (ws[i] - (s % ws[i])) % ws[i]);
    let h = this.norm1.forward(x);
    // F.pad widths from the last dimension: channels (0, 0), then the spatial axes in reverse.
    if (pads.some((p) => p > 0)) h = nn.functional.pad(h, [0, 0, ...pads.slice().reverse().flatMap((p) => [0, p])]);
    const dims = [x.size(0), ...h.shape.slice(1, -1)];
    const axes = sp.map((_, i) => i + 1);
    const shifted = ss.some((s) => s > 0);
    if (shifted) h = h.roll(ss.map((s) => -s), { dims: axes });
    const attnWindows = this.attn.forward(windowPartition(h, ws), shifted ? mask : null).view([-1, ...ws, c]);
    h = windowReverse(attnWindows, ws, dims);
    if (shifted) h = h.roll(ss, { dims: axes });
    if (pads.some((p) => p > 0)) sp.forEach((s, i) => (h = h.narrow(i + 1, 0, s)));
    return h.contiguous();
  }

  forward(x: Tensor, mask: Tensor | null): Tensor {
    return torch.tidy(() => {
      const h = x.add(this.drop_path.forward(this.part1(x, mask)));
      return h.add(this.drop_path.forward(this.mlp.forward(this.norm2.forward(h))));
    });
  }
}

/** Concatenates each 2x2(x2) neighbourhood's tokens (channel-last), normalises and halves them to 2C. */
export class PatchMergingV2 extends nn.Module {
  readonly dim: number;
  declare reduction: nn.Linear;
  declare norm: nn.LayerNorm;
  constructor(options: { dim: number; spatialDims?: number }) {
    super();
    const dims = options.spatialDims ?? 3;
    this.dim = options.dim;
    const k = dims === 3 ? 8 : 4;
    this.reduction = new nn.Linear({ inFeatures: k * options.dim, outFeatures: 2 * options.dim, bias: false });
    this.norm = new nn.LayerNorm({ normalizedShape: k * options.dim });
  }
  /** Pads odd sizes by one. */
  protected padEven(x: Tensor): Tensor {
    const sp = x.shape.slice(1, -1);
    if (!sp.some((s) => s % 2 === 1)) return x;
    return nn.functional.pad(x, [0, 0, ...sp.slice().reverse().flatMap((s) => [0, s % 2])]);
  }
  /** x[:, o0::2, o1::2(, o2::2), :] */
  protected static pick(x: Tensor, offsets: number[]): Tensor {
    let y = x;
    offsets.forEach((o, i) => (y = y.slice(i + 1, o, null, 2)));
    return y;
  }
  protected neighbours(x: Tensor): Tensor[] {
    if (x.dim() === 5) {
      const out: Tensor[] = [];
      for (const i of [0, 1]) for (const j of [0, 1]) for (const k of [0, 1]) out.push(PatchMergingV2.pick(x, [i, j, k]));
      return out;
    }
    // MONAI's 2-D order: product over (i, j) of x[:, j::2, i::2].
    const out: Tensor[] = [];
    for (const i of [0, 1]) for (const j of [0, 1]) out.push(PatchMergingV2.pick(x, [j, i]));
    return out;
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => this.reduction.forward(this.norm.forward(torch.cat(this.neighbours(this.padEven(x)), -1))));
  }
}

/** MONAI's original patch merging: in 3-D its fixed neighbour list (with two repeats); in 2-D as V2. */
export class PatchMerging extends PatchMergingV2 {
  protected override neighbours(x: Tensor): Tensor[] {
    if (x.dim() !== 5) return super.neighbours(x);
    const offs = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 1], [1, 1, 1]];
    return offs.map((o) => PatchMergingV2.pick(x, o));
  }
}

type MergingClass = new (options: { dim: number; spatialDims?: number }) => PatchMergingV2;
const MERGING: Record<'merging' | 'mergingv2', MergingClass> = { merging: PatchMerging, mergingv2: PatchMergingV2 };

/** Swin blocks (alternately unshifted and shifted) over channel-first input, then optional merging. */
export class BasicLayer extends nn.Module {
  readonly windowSize: number[];
  readonly shiftSize: number[];
  declare blocks: nn.ModuleList<SwinTransformerBlock>;
  declare downsample: PatchMergingV2 | undefined;

  constructor(o: { dim: number; depth: number; numHeads: number; windowSize: number[]; dropPath: number[]; mlpRatio?: number; qkvBias?: boolean; drop?: number; attnDrop?: number; downsample?: MergingClass | null }) {
    super();
    this.windowSize = o.windowSize;
    this.shiftSize = o.windowSize.map((w) => Math.floor(w / 2));
    const noShift = o.windowSize.map(() => 0);
    this.blocks = new nn.ModuleList(Array.from({ length: o.depth }, (_, i) => new SwinTransformerBlock({
      dim: o.dim, numHeads: o.numHeads, windowSize: o.windowSize, shiftSize: i % 2 === 0 ? noShift : this.shiftSize,
      mlpRatio: o.mlpRatio, qkvBias: o.qkvBias, drop: o.drop, attnDrop: o.attnDrop, dropPath: o.dropPath[i] ?? 0,
    })));
    if (o.downsample) this.downsample = new o.downsample({ dim: o.dim, spatialDims: o.windowSize.length });
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const [b, , ...sp] = x.shape;
      const n = sp.length;
      const [ws, ss] = getWindowSize(sp, this.windowSize, this.shiftSize);
      let h = x.permute([0, ...sp.map((_, i) => i + 2), 1]);
      const padded = sp.map((s, i) => Math.ceil(s / ws[i]) * ws[i]);
      const mask = computeMask(padded, ws, ss, x.device);
      for (const blk of this.blocks) h = blk.forward(h, mask);
      h = h.view([b, ...sp, -1]);
      if (this.downsample) h = this.downsample.forward(h);
      return h.permute([0, n + 1, ...sp.map((_, i) => i + 1)]);
    });
  }
}

/** Patches by a strided convolution (MONAI's PatchEmbed; zero-padded up to whole patches). */
export class PatchEmbed extends nn.Module {
  readonly patchSize: number[];
  readonly embedDim: number;
  declare proj: TensorModule;
  constructor(o: { patchSize: number[]; inChans: number; embedDim: number; spatialDims: number }) {
    super();
    this.patchSize = o.patchSize;
    this.embedDim = o.embedDim;
    this.proj = new (Conv.get('conv', o.spatialDims))({ inChannels: o.inChans, outChannels: o.embedDim, kernelSize: o.patchSize, stride: o.patchSize });
  }
  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const sp = x.shape.slice(2);
      const pads = sp.map((s, i) => (s % this.patchSize[i] === 0 ? 0 : this.patchSize[i] - (s % this.patchSize[i])));
      const h = pads.some((p) => p > 0) ? nn.functional.pad(x, pads.slice().reverse().flatMap((p) => [0, p])) : x;
      return this.proj.forward(h);
    });
  }
}

export interface SwinTransformerOptions {
  inChans: number;
  embedDim: number;
  windowSize: number[];
  patchSize: number[];
  depths: number[];
  numHeads: number[];
  mlpRatio?: number;
  qkvBias?: boolean;
  dropRate?: number;
  attnDropRate?: number;
  dropPathRate?: number;
  spatialDims?: number;
  downsample?: 'merging' | 'mergingv2';
  useV2?: boolean;
}

/** The encoder: patch embedding and four BasicLayers (each in a one-element list, as MONAI). */
export class SwinTransformer extends nn.Module {
  readonly numLayers: number;
  readonly useV2: boolean;
  declare patch_embed: PatchEmbed;
  declare pos_drop: TensorModule;
  declare layers1: nn.ModuleList<BasicLayer>;
  declare layers2: nn.ModuleList<BasicLayer>;
  declare layers3: nn.ModuleList<BasicLayer>;
  declare layers4: nn.ModuleList<BasicLayer>;
  declare layers1c: nn.ModuleList<UnetrBasicBlock> | undefined;
  declare layers2c: nn.ModuleList<UnetrBasicBlock> | undefined;
  declare layers3c: nn.ModuleList<UnetrBasicBlock> | undefined;
  declare layers4c: nn.ModuleList<UnetrBasicBlock> | undefined;

  constructor(o: SwinTransformerOptions) {
    super();
    const dims = o.spatialDims ?? 3;
    this.numLayers = o.depths.length;
    if (this.numLayers !== 4) throw new RangeError(`SwinTransformer: depths must have 4 entries, found ${JSON.stringify(o.depths)}`);
    this.useV2 = o.useV2 ?? false;
    this.patch_embed = new PatchEmbed({ patchSize: o.patchSize, inChans: o.inChans, embedDim: o.embedDim, spatialDims: dims });
    this.pos_drop = new nn.Dropout({ p: o.dropRate ?? 0 }) as TensorModule;
    const total = o.depths.reduce((a, b) => a + b, 0);
    const rate = o.dropPathRate ?? 0;
    // torch.linspace(0, rate, total) in float32, as MONAI reads it back with .item().
    const dpr = torch.tidy(() => Array.from(torch.linspace(0, rate, total).toTypedArray() as Float32Array));
    const lists = [new nn.ModuleList<BasicLayer>(), new nn.ModuleList<BasicLayer>(), new nn.ModuleList<BasicLayer>(), new nn.ModuleList<BasicLayer>()];
    [this.layers1, this.layers2, this.layers3, this.layers4] = lists;
    const clists = this.useV2 ? [0, 1, 2, 3].map(() => new nn.ModuleList<UnetrBasicBlock>()) : null;
    if (clists) [this.layers1c, this.layers2c, this.layers3c, this.layers4c] = clists;
    const Merge = MERGING[o.downsample ?? 'merging'];
    let start = 0;
    for (let i = 0; i < 4; i++) {
      const dim = o.embedDim * 2 ** i;
      lists[i].append(new BasicLayer({
        dim, depth: o.depths[i], numHeads: o.numHeads[i], windowSize: o.windowSize, dropPath: dpr.slice(start, start + o.depths[i]),
        mlpRatio: o.mlpRatio ?? 4.0, qkvBias: o.qkvBias ?? true, drop: o.dropRate ?? 0, attnDrop: o.attnDropRate ?? 0, downsample: Merge,
      }));
      start += o.depths[i];
      if (clists) clists[i].append(new UnetrBasicBlock({ spatialDims: dims, inChannels: dim, outChannels: dim, kernelSize: 3, stride: 1, normName: 'instance', resBlock: true }));
    }
  }

  /** Layer norm over channels without affine parameters (when normalize). */
  projOut(x: Tensor, normalize = false): Tensor {
    if (!normalize) return x;
    return torch.tidy(() => {
      const n = x.dim();
      const last = x.permute([0, ...Array.from({ length: n - 2 }, (_, i) => i + 2), 1]);
      const y = nn.functional.layerNorm(last, [x.size(1)]);
      return y.permute([0, n - 1, ...Array.from({ length: n - 2 }, (_, i) => i + 1)]);
    });
  }

  /** The five feature maps: patch embedding and each stage's output, channel-first. */
  forward(x: Tensor, normalize = true): Tensor[] {
    return torch.tidy(() => {
      let h = this.pos_drop.forward(this.patch_embed.forward(x));
      const outs = [this.projOut(h, normalize)];
      const layers = [this.layers1, this.layers2, this.layers3, this.layers4];
      const cs = [this.layers1c, this.layers2c, this.layers3c, this.layers4c];
      for (let i = 0; i < 4; i++) {
        const c = cs[i];
        if (c) h = c.at(0).forward(h.contiguous());
        h = layers[i].at(0).forward(h.contiguous());
        outs.push(this.projOut(h, normalize));
      }
      return outs;
    });
  }
}

export interface SwinUNETROptions {
  /** Deprecated by MONAI 1.3 (the input size is checked in forward): only checked for divisibility by 32. */
  imgSize?: number | number[];
  inChannels: number;
  outChannels: number;
  depths?: number[];
  numHeads?: number[];
  /** Multiple of 12 (default 24). */
  featureSize?: number;
  /** Default 'instance'. */
  normName?: LayerSpec;
  dropRate?: number;
  attnDropRate?: number;
  dropoutPathRate?: number;
  /** Layer-normalise the encoder's feature maps (default true). */
  normalize?: boolean;
  /** Gradient checkpointing: accepted for compatibility, no effect here. */
  useCheckpoint?: boolean;
  /** 2 or 3 (default 3). */
  spatialDims?: number;
  downsample?: 'merging' | 'mergingv2';
  useV2?: boolean;
}
const KEYS = ['imgSize', 'inChannels', 'outChannels', 'depths', 'numHeads', 'featureSize', 'normName', 'dropRate', 'attnDropRate', 'dropoutPathRate', 'normalize', 'useCheckpoint', 'spatialDims', 'downsample', 'useV2'];

export class SwinUNETR extends nn.Module {
  static readonly patchSize = 2;
  readonly spatialDims: number;
  readonly inChannels: number;
  readonly normalize: boolean;
  declare swinViT: SwinTransformer;
  declare encoder1: UnetrBasicBlock;
  declare encoder2: UnetrBasicBlock;
  declare encoder3: UnetrBasicBlock;
  declare encoder4: UnetrBasicBlock;
  declare encoder10: UnetrBasicBlock;
  declare decoder5: UnetrUpBlock;
  declare decoder4: UnetrUpBlock;
  declare decoder3: UnetrUpBlock;
  declare decoder2: UnetrUpBlock;
  declare decoder1: UnetrUpBlock;
  declare out: UnetOutBlock;

  constructor(options: SwinUNETROptions) {
    super();
    const name = new.target.name;
    checkOptions(name, options, KEYS, ['inChannels', 'outChannels']);
    const dims = options.spatialDims ?? 3;
    if (dims !== 2 && dims !== 3) throw new RangeError(`${name}: spatialDims must be 2 or 3, found ${dims}`);
    this.spatialDims = dims;
    if (options.imgSize !== undefined) {
      process.emitWarning(`${name}: imgSize is deprecated since MONAI 1.3; the input size is checked in forward`, 'DeprecationWarning');
      this.checkInputSize(repeatToDims(name, 'imgSize', options.imgSize, dims));
    }
    this.inChannels = checkChannels(name, 'inChannels', options.inChannels);
    const outChannels = checkChannels(name, 'outChannels', options.outChannels);
    const dropRate = checkDropoutRate(name, options.dropRate ?? 0, 'dropRate');
    const attnDropRate = options.attnDropRate ?? 0;
    if (!(attnDropRate >= 0 && attnDropRate <= 1)) throw new RangeError(`${name}: attnDropRate must be between 0 and 1, found ${attnDropRate}`);
    const pathRate = options.dropoutPathRate ?? 0;
    if (!(pathRate >= 0 && pathRate <= 1)) throw new RangeError(`${name}: dropoutPathRate must be between 0 and 1, found ${pathRate}`);
    const fs = options.featureSize ?? 24;
    if (!(Number.isInteger(fs) && fs > 0 && fs % 12 === 0)) throw new RangeError(`${name}: featureSize must be a positive multiple of 12, found ${fs}`);
    const depths = options.depths ?? [2, 2, 2, 2];
    const numHeads = options.numHeads ?? [3, 6, 12, 24];
    if (!Array.isArray(depths) || depths.length !== 4) throw new RangeError(`${name}: depths must have 4 entries, found ${JSON.stringify(depths)}`);
    if (!Array.isArray(numHeads) || numHeads.length !== 4) throw new RangeError(`${name}: numHeads must have 4 entries, found ${JSON.stringify(numHeads)}`);
    numHeads.forEach((h, i) => {
      if ((fs * 2 ** i) % h !== 0) throw new RangeError(`${name}: stage ${i + 1} has ${fs * 2 ** i} channels, not divisible by numHeads[${i}]=${h}`);
    });
    const downsample = checkChoice(name, 'downsample', options.downsample ?? 'merging', ['merging', 'mergingv2'] as const);
    const normName = options.normName ?? 'instance';
    this.normalize = options.normalize ?? true;
    checkLayerSpecs(name, [{ option: 'normName', kind: 'norm', spec: normName, dims }]);
    buildOrDispose(name, this, () => {
      this.swinViT = new SwinTransformer({
        inChans: this.inChannels, embedDim: fs, windowSize: new Array(dims).fill(7), patchSize: new Array(dims).fill(SwinUNETR.patchSize),
        depths, numHeads, mlpRatio: 4.0, qkvBias: true, dropRate, attnDropRate, dropPathRate: pathRate, spatialDims: dims, downsample, useV2: options.useV2 ?? false,
      });
      const enc = (inCh: number, outCh: number) => new UnetrBasicBlock({ spatialDims: dims, inChannels: inCh, outChannels: outCh, kernelSize: 3, stride: 1, normName, resBlock: true });
      const dec = (inCh: number, outCh: number) => new UnetrUpBlock({ spatialDims: dims, inChannels: inCh, outChannels: outCh, kernelSize: 3, upsampleKernelSize: 2, normName, resBlock: true });
      this.encoder1 = enc(this.inChannels, fs);
      this.encoder2 = enc(fs, fs);
      this.encoder3 = enc(2 * fs, 2 * fs);
      this.encoder4 = enc(4 * fs, 4 * fs);
      this.encoder10 = enc(16 * fs, 16 * fs);
      this.decoder5 = dec(16 * fs, 8 * fs);
      this.decoder4 = dec(8 * fs, 4 * fs);
      this.decoder3 = dec(4 * fs, 2 * fs);
      this.decoder2 = dec(2 * fs, fs);
      this.decoder1 = dec(fs, fs);
      this.out = new UnetOutBlock({ spatialDims: dims, inChannels: fs, outChannels });
    });
  }

  private checkInputSize(spatial: number[]): void {
    const f = SwinUNETR.patchSize ** 5;
    const wrong = spatial.map((s, i) => (s % f !== 0 ? i + 2 : -1)).filter((i) => i >= 0);
    if (wrong.length)
      throw new RangeError(`${this.constructor.name}: spatial dimensions ${JSON.stringify(wrong)} of input image (spatial shape: [${spatial.join(', ')}]) must be divisible by ${SwinUNETR.patchSize}**5`);
  }

  forward(xIn: Tensor): Tensor {
    checkInputChannels(this.constructor.name, xIn, this.inChannels, this.spatialDims);
    this.checkInputSize(xIn.shape.slice(2));
    return torch.tidy(() => {
      const hs = this.swinViT.forward(xIn, this.normalize);
      const enc0 = this.encoder1.forward(xIn);
      const enc1 = this.encoder2.forward(hs[0]);
      const enc2 = this.encoder3.forward(hs[1]);
      const enc3 = this.encoder4.forward(hs[2]);
      const dec4 = this.encoder10.forward(hs[4]);
      const dec3 = this.decoder5.forward(dec4, hs[3]);
      const dec2 = this.decoder4.forward(dec3, enc3);
      const dec1 = this.decoder3.forward(dec2, enc2);
      const dec0 = this.decoder2.forward(dec1, enc1);
      return this.out.forward(this.decoder1.forward(dec0, enc0));
    });
  }
}
