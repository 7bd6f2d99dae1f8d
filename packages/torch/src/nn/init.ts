// torch.nn.init: in-place initialisers with PyTorch's formulas and random-number call order, so
// that the same seed gives the same weights as PyTorch.
import * as torch from '../core.js';
import { Tensor } from '../tensor.js';

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** The recommended gain for a nonlinearity (param: the negative slope of leaky_relu, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity | string, param?: number | null): number {
  const linearFns = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d'];
  if (linearFns.includes(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  if (nonlinearity === 'tanh') return 5.0 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2.0);
  if (nonlinearity === 'leaky_relu') {
    let slope = 0.01;
    if (param !== undefined && param !== null) {
      if (typeof param !== 'number' || Number.isNaN(param)) throw new TypeError(`negative_slope ${param} not a valid number`);
      slope = param;
    }
    return Math.sqrt(2.0 / (1 + slope * slope));
  }
  if (nonlinearity === 'selu') return 3.0 / 4;
  throw new TypeError(`Unsupported nonlinearity ${nonlinearity}`);
}

/** [fanIn, fanOut] of a weight: size(1) * receptive field, size(0) * receptive field. */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  const s = tensor.shape;
  if (s.length < 2) throw new RangeError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  let rf = 1;
  for (let i = 2; i < s.length; i++) rf *= s[i];
  return [s[1] * rf, s[0] * rf];
}

function calculateCorrectFan(tensor: Tensor, mode: 'fan_in' | 'fan_out'): number {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new TypeError(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  const [fi, fo] = calculateFanInAndFanOut(tensor);
  return mode === 'fan_in' ? fi : fo;
}

const ng = <T>(fn: () => T): T => torch.noGrad(fn);

export function uniform_(tensor: Tensor, a = 0.0, b = 1.0): Tensor {
  return ng(() => tensor.uniform_({ from: a, to: b }));
}
export function normal_(tensor: Tensor, mean = 0.0, std = 1.0): Tensor {
  return ng(() => tensor.normal_({ mean, std }));
}
export function constant_(tensor: Tensor, val: number): Tensor {
  return ng(() => tensor.fill_(val));
}
export function zeros_(tensor: Tensor): Tensor {
  return ng(() => tensor.zero_());
}
export function ones_(tensor: Tensor): Tensor {
  return ng(() => tensor.fill_(1.0));
}

/** Python's math.erf (computed in float64 by libtorch). */
function erf(x: number): number {
  return torch.tidy(() => torch.tensor([x], { dtype: 'float64' }).erf().item());
}

/** Normal(mean, std) truncated to [a, b], by inverse-CDF sampling as PyTorch does. */
export function truncNormal_(tensor: Tensor, mean = 0.0, std = 1.0, a = -2.0, b = 2.0): Tensor {
  const normCdf = (x: number) => (1.0 + erf(x / Math.sqrt(2.0))) / 2.0;
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  return ng(() => {
    tensor.uniform_({ from: 2 * l - 1, to: 2 * u - 1 });
    tensor.erfinv_();
    tensor.mul_(std * Math.sqrt(2.0));
    tensor.add_(mean);
    tensor.clamp_({ min: a, max: b });
    return tensor;
  });
}

export function xavierUniform_(tensor: Tensor, gain = 1.0): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fi + fo));
  const a = Math.sqrt(3.0) * std;
  return uniform_(tensor, -a, a);
}
export function xavierNormal_(tensor: Tensor, gain = 1.0): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fi + fo));
  return normal_(tensor, 0.0, std);
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu only). */
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}
export function kaimingUniform_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  if (tensor.shape.includes(0)) return tensor;
  const fan = calculateCorrectFan(tensor, options.mode ?? 'fan_in');
  const gain = calculateGain(options.nonlinearity ?? 'leaky_relu', options.a ?? 0);
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return uniform_(tensor, -bound, bound);
}
export function kaimingNormal_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  if (tensor.shape.includes(0)) return tensor;
  const fan = calculateCorrectFan(tensor, options.mode ?? 'fan_in');
  const gain = calculateGain(options.nonlinearity ?? 'leaky_relu', options.a ?? 0);
  const std = gain / Math.sqrt(fan);
  return normal_(tensor, 0, std);
}

/** A (semi-)orthogonal matrix from the QR decomposition of a normal draw, scaled by gain. */
export function orthogonal_(tensor: Tensor, gain = 1): Tensor {
  if (tensor.dim() < 2) throw new RangeError('Only tensors with 2 or more dimensions are supported');
  if (tensor.numel() === 0) return tensor;
  const rows = tensor.size(0);
  const cols = tensor.numel() / rows;
  return ng(() =>
    torch.tidy(() => {
      let flat = torch.empty([rows, cols], { dtype: tensor.dtype, device: tensor.device }).normal_({ mean: 0, std: 1 });
      if (rows < cols) flat = flat.t();
      let [q, r] = torch.linalgQr(flat);
      const d = torch.diag(r, { diagonal: 0 });
      const ph = d.sign();
      q = q.mul(ph);
      if (rows < cols) q = q.t();
      tensor.viewAs(q).copy_(q);
      tensor.mul_(gain);
      return tensor;
    }),
  );
}

/** Fills a 2-D tensor with the identity. */
export function eye_(tensor: Tensor): Tensor {
  if (tensor.dim() !== 2) throw new RangeError('Only tensors with 2 dimensions are supported');
  return ng(() => torch.tidy(() => tensor.copy_(torch.eye(tensor.size(0), tensor.size(1), { dtype: tensor.dtype, device: tensor.device }))));
}

/** Dirac delta for {3,4,5}-D convolution weights (identity map per group). */
export function dirac_(tensor: Tensor, groups = 1): Tensor {
  const d = tensor.dim();
  if (d < 3 || d > 5) throw new RangeError('Only tensors with 3, 4, or 5 dimensions are supported');
  const s = tensor.shape;
  if (s[0] % groups !== 0) throw new RangeError('dim 0 must be divisible by groups');
  const outPerGroup = s[0] / groups;
  const minDim = Math.min(outPerGroup, s[1]);
  return ng(() => {
    tensor.zero_();
    for (let g = 0; g < groups; g++) {
      for (let i = 0; i < minDim; i++) {
        const idx: number[] = [g * outPerGroup + i, i, ...s.slice(2).map((k) => Math.floor(k / 2))];
        tensor.assign(1, ...idx);
      }
    }
    return tensor;
  });
}
