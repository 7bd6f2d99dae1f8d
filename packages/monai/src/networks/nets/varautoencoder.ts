// VarAutoEncoder (MONAI's monai/networks/nets/varautoencoder.py): an AutoEncoder whose encoding goes
// through linear layers 'mu', 'logvar' and back through 'decodeL'. forward gives
// [reconstruction, mu, logvar, z]; in eval mode z = mu.
import * as torch from '@monai-ts/torch';
import { nn, Tensor } from '@monai-ts/torch';
import { samePadding, calculateOutShape } from '../layers/convutils.js';
import type { DropoutSpec, LayerSpec } from '../layers/utils.js';
import { AutoEncoderBase } from './autoencoder.js';
import { checkInputChannels } from './checks.js';

type IntOrSeq = number | number[];

export interface VarAutoEncoderOptions {
  spatialDims: number;
  /** [channels, ...spatial size] of the input. */
  inShape: number[];
  outChannels: number;
  latentSize: number;
  channels: number[];
  strides: IntOrSeq[];
  kernelSize?: IntOrSeq;
  upKernelSize?: IntOrSeq;
  numResUnits?: number;
  interChannels?: number[] | null;
  interDilations?: number[] | null;
  numInterUnits?: number;
  act?: LayerSpec | null;
  norm?: LayerSpec | null;
  dropout?: DropoutSpec | null;
  bias?: boolean;
  /** Sigmoid on the reconstruction (default true). */
  useSigmoid?: boolean;
}
const KEYS = ['spatialDims', 'inShape', 'outChannels', 'latentSize', 'channels', 'strides', 'kernelSize', 'upKernelSize', 'numResUnits', 'interChannels', 'interDilations', 'numInterUnits', 'act', 'norm', 'dropout', 'bias', 'useSigmoid'];
const REQUIRED = ['spatialDims', 'inShape', 'outChannels', 'latentSize', 'channels', 'strides'];

export class VarAutoEncoder extends AutoEncoderBase {
  readonly inShape: number[];
  readonly latentSize: number;
  readonly useSigmoid: boolean;
  readonly finalSize: number[];
  declare mu: nn.Linear;
  declare logvar: nn.Linear;
  declare decodeL: nn.Linear;

  constructor(options: VarAutoEncoderOptions) {
    if (!options || !Array.isArray(options.inShape) || options.inShape.length < 2)
      throw new TypeError(`VarAutoEncoder: inShape must be [channels, ...spatial size], found ${JSON.stringify(options?.inShape)}`);
    if ('inChannels' in options) throw new TypeError('VarAutoEncoder: unknown option \'inChannels\' (the channels are inShape[0])');
    const { inShape, latentSize, useSigmoid, ...rest } = options;
    super({ ...rest, inChannels: inShape[0] }, [...KEYS, 'inChannels'], [...REQUIRED.filter((k) => k !== 'inShape' && k !== 'latentSize'), 'inChannels']);
    this.inShape = inShape.slice(1);
    this.latentSize = latentSize;
    this.useSigmoid = useSigmoid ?? true;
    const padding = samePadding(this.kernelSize);
    let size = this.inShape;
    for (const s of this.strides) size = calculateOutShape(size, this.kernelSize, s, padding);
    this.finalSize = size;
    const linearSize = size.reduce((a, b) => a * b, 1) * this.encodedChannels;
    this.mu = new nn.Linear({ inFeatures: linearSize, outFeatures: latentSize });
    this.logvar = new nn.Linear({ inFeatures: linearSize, outFeatures: latentSize });
    this.decodeL = new nn.Linear({ inFeatures: latentSize, outFeatures: linearSize });
  }

  /** [mu, logvar] of the encoding of x. */
  encodeForward(x: Tensor): [Tensor, Tensor] {
    return torch.tidy(() => {
      const e = this.intermediate.forward(this.encode.forward(x));
      const flat = e.reshape([e.size(0), -1]);
      return [this.mu.forward(flat), this.logvar.forward(flat)];
    });
  }

  decodeForward(z: Tensor, useSigmoid = true): Tensor {
    return torch.tidy(() => {
      const h = nn.functional.relu(this.decodeL.forward(z));
      const x = this.decode.forward(h.reshape([h.size(0), this.channels[this.channels.length - 1], ...this.finalSize]));
      return useSigmoid ? torch.sigmoid(x) : x;
    });
  }

  /** mu + std * noise in training, mu + std in eval (as MONAI, which adds the std itself then). */
  reparameterize(mu: Tensor, logvar: Tensor): Tensor {
    return torch.tidy(() => {
      let std = logvar.mul(0.5).exp();
      if (this.training) std = torch.randnLike(std).mul(std);
      return std.add(mu);
    });
  }

  /** [reconstruction, mu, logvar, z]. */
  forward(x: Tensor): [Tensor, Tensor, Tensor, Tensor] {
    checkInputChannels('VarAutoEncoder', x, this.inChannels, this.dimensions);
    return torch.tidy(() => {
      const [mu, logvar] = this.encodeForward(x);
      const z = this.reparameterize(mu, logvar);
      return [this.decodeForward(z, this.useSigmoid), mu, logvar, z] as [Tensor, Tensor, Tensor, Tensor];
    });
  }
}
