// nn.functional.multiHeadAttentionForward: PyTorch 1.13's reference ("slow path") algorithm.
import * as torch from '../../core.js';
import { Tensor } from '../../tensor.js';
import { linear, dropout } from './layers.js';
import { softmax } from './activation.js';
import { pad } from './sampling.js';
import { checkOptions } from './util.js';

export interface MultiHeadAttentionOptions {
  embedDimToCheck: number;
  numHeads: number;
  inProjWeight: Tensor | null;
  inProjBias: Tensor | null;
  biasK: Tensor | null;
  biasV: Tensor | null;
  addZeroAttn: boolean;
  dropoutP: number;
  outProjWeight: Tensor;
  outProjBias: Tensor | null;
  training?: boolean;
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  attnMask?: Tensor | null;
  useSeparateProjWeight?: boolean;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  averageAttnWeights?: boolean;
}

const same = (a: Tensor, b: Tensor) => a === b || a.is(b);
const eqShape = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Multi-head attention on (L, N, E) query and (S, N, E) key/value (or unbatched (L, E)).
 * Returns [output, weights or null].
 */
export function multiHeadAttentionForward(query: Tensor, key: Tensor, value: Tensor, o: MultiHeadAttentionOptions): [Tensor, Tensor | null] {
  const training = o.training ?? true;
  const needWeights = o.needWeights ?? true;
  const average = o.averageAttnWeights ?? true;
  const numHeads = o.numHeads;
  const isBatched = query.dim() === 3;
  if (!isBatched && query.dim() !== 2) throw new RangeError(`query should be unbatched 2D or batched 3D tensor but received ${query.dim()}-D query tensor`);
  if (key.dim() !== query.dim() || value.dim() !== query.dim())
    throw new RangeError(`query, key and value must have the same number of dimensions, found ${query.dim()}, ${key.dim()}, ${value.dim()}`);
  const result = torch.tidy(() => {
    let q0 = query, k0 = key, v0 = value;
    let kpm = o.keyPaddingMask ?? null;
    if (!isBatched) {
      q0 = query.unsqueeze(1);
      k0 = same(key, query) ? q0 : key.unsqueeze(1);
      v0 = same(value, key) ? k0 : same(value, query) ? q0 : value.unsqueeze(1);
      if (kpm) kpm = kpm.unsqueeze(0);
    }
    const [tgtLen, bsz, embedDim] = q0.shape;
    let srcLen = k0.shape[0];
    if (embedDim !== o.embedDimToCheck) throw new RangeError(`was expecting embedding dimension of ${o.embedDimToCheck}, but got ${embedDim}`);
    const headDim = Math.floor(embedDim / numHeads);
    if (headDim * numHeads !== embedDim) throw new RangeError(`embed_dim ${embedDim} not divisible by num_heads ${numHeads}`);
    // in-projection
    let q: Tensor, k: Tensor, v: Tensor;
    if (!o.useSeparateProjWeight) {
      if (!o.inProjWeight) throw new TypeError('useSeparateProjWeight is false but inProjWeight is null');
      [q, k, v] = inProjectionPacked(q0, k0, v0, o.inProjWeight, o.inProjBias);
    } else {
      if (!o.qProjWeight || !o.kProjWeight || !o.vProjWeight) throw new TypeError('useSeparateProjWeight is true but q/k/v projection weights are missing');
      const [bq, bk, bv] = o.inProjBias ? o.inProjBias.chunk(3) : [null, null, null];
      q = linear(q0, o.qProjWeight, bq);
      k = linear(k0, o.kProjWeight, bk);
      v = linear(v0, o.vProjWeight, bv);
    }
    let attnMask = o.attnMask ?? null;
    if (attnMask) {
      if (attnMask.dtype === 'uint8') attnMask = attnMask.to('bool');
      else if (!(attnMask.dtype === 'bool' || attnMask.dtype.startsWith('float') || attnMask.dtype === 'bfloat16'))
        throw new TypeError(`Only float, byte, and bool types are supported for attn_mask, not ${attnMask.dtype}`);
      if (attnMask.dim() === 2) {
        if (!eqShape(attnMask.shape, [tgtLen, srcLen])) throw new RangeError(`The shape of the 2D attn_mask is [${attnMask.shape.join(', ')}], but should be [${tgtLen}, ${srcLen}].`);
        attnMask = attnMask.unsqueeze(0);
      } else if (attnMask.dim() === 3) {
        if (!eqShape(attnMask.shape, [bsz * numHeads, tgtLen, srcLen])) throw new RangeError(`The shape of the 3D attn_mask is [${attnMask.shape.join(', ')}], but should be [${bsz * numHeads}, ${tgtLen}, ${srcLen}].`);
      } else {
        throw new RangeError(`attn_mask's dimension ${attnMask.dim()} is not supported`);
      }
    }
    if (kpm && kpm.dtype === 'uint8') kpm = kpm.to('bool');
    if (o.biasK && o.biasV) {
      k = torch.cat([k, o.biasK.repeat([1, bsz, 1])]);
      v = torch.cat([v, o.biasV.repeat([1, bsz, 1])]);
      if (attnMask) attnMask = pad(attnMask, [0, 1]);
      if (kpm) kpm = pad(kpm, [0, 1]);
    }
    q = q.contiguous().view([tgtLen, bsz * numHeads, headDim]).transpose(0, 1);
    k = k.contiguous().view([k.shape[0], bsz * numHeads, headDim]).transpose(0, 1);
    v = v.contiguous().view([v.shape[0], bsz * numHeads, headDim]).transpose(0, 1);
    if (o.addZeroAttn) {
      const zs = [bsz * numHeads, 1, headDim];
      k = torch.cat([k, torch.zeros(zs, { dtype: k.dtype, device: k.device })], { dim: 1 });
      v = torch.cat([v, torch.zeros(zs, { dtype: v.dtype, device: v.device })], { dim: 1 });
      if (attnMask) attnMask = pad(attnMask, [0, 1]);
      if (kpm) kpm = pad(kpm, [0, 1]);
    }
    srcLen = k.size(1);
    if (kpm) {
      if (!eqShape(kpm.shape, [bsz, srcLen])) throw new RangeError(`expecting key_padding_mask shape of [${bsz}, ${srcLen}], but got [${kpm.shape.join(', ')}]`);
      kpm = kpm.view([bsz, 1, 1, srcLen]).expand([-1, numHeads, -1, -1]).reshape([bsz * numHeads, 1, srcLen]);
      if (!attnMask) attnMask = kpm;
      else if (attnMask.dtype === 'bool') attnMask = attnMask.logicalOr(kpm);
      else attnMask = attnMask.maskedFill(kpm, -Infinity);
    }
    if (attnMask && attnMask.dtype === 'bool') {
      const m = torch.zerosLike(attnMask, { dtype: q.dtype });
      m.maskedFill_(attnMask, -Infinity);
      attnMask = m;
    }
    const dropoutP = training ? o.dropoutP : 0.0;
    const E = q.shape[2];
    const qScaled = q.div(Math.sqrt(E));
    let w = attnMask ? torch.baddbmm(attnMask, qScaled, k.transpose(-2, -1)) : torch.bmm(qScaled, k.transpose(-2, -1));
    w = softmax(w, -1);
    if (dropoutP > 0) w = dropout(w, { p: dropoutP });
    let out = torch.bmm(w, v);
    out = out.transpose(0, 1).contiguous().view([tgtLen * bsz, embedDim]);
    out = linear(out, o.outProjWeight, o.outProjBias);
    out = out.view([tgtLen, bsz, out.size(1)]);
    if (needWeights) {
      w = w.view([bsz, numHeads, tgtLen, srcLen]);
      if (average) w = w.sum(1).div(numHeads);
      if (!isBatched) {
        out = out.squeeze(1);
        w = w.squeeze(0);
      }
      return [out, w] as [Tensor, Tensor | null];
    }
    if (!isBatched) out = out.squeeze(1);
    return [out, null] as [Tensor, Tensor | null];
  });
  return result;
}

function inProjectionPacked(q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | null): [Tensor, Tensor, Tensor] {
  const E = q.size(-1);
  if (same(k, v)) {
    if (same(q, k)) return linear(q, w, b).chunk(3, { dim: -1 }) as [Tensor, Tensor, Tensor];
    const [wq, wkv] = w.split([E, E * 2]);
    const [bq, bkv] = b ? b.split([E, E * 2]) : [null, null];
    const [kk, vv] = linear(k, wkv, bkv).chunk(2, { dim: -1 });
    return [linear(q, wq, bq), kk, vv];
  }
  const [wq, wk, wv] = w.chunk(3);
  const [bq, bk, bv] = b ? b.chunk(3) : [null, null, null];
  return [linear(q, wq, bq), linear(k, wk, bk), linear(v, wv, bv)];
}

/**
 * softmax(q k^T * scale + mask) v over the last two dimensions (PyTorch 2.x's
 * F.scaled_dot_product_attention, math path). A bool attnMask marks the positions that take part;
 * a float mask is added. isCausal masks out keys after each query. scale defaults to 1/sqrt(E).
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor,
  options: { attnMask?: Tensor | null; dropoutP?: number; isCausal?: boolean; scale?: number | null } = {}): Tensor {
  checkOptions(options, ['attnMask', 'dropoutP', 'isCausal', 'scale'], 'scaledDotProductAttention');
  const attnMask = options.attnMask ?? null;
  if (options.isCausal && attnMask) throw new TypeError('scaledDotProductAttention: give either attnMask or isCausal, not both');
  return torch.tidy(() => {
    const L = query.size(-2), S = key.size(-2);
    const scale = options.scale ?? 1 / Math.sqrt(query.size(-1));
    let w = torch.matmul(query, key.transpose(-2, -1)).mul(scale);
    if (options.isCausal) {
      const keep = torch.ones([L, S], { dtype: 'bool', device: query.device }).tril();
      w = w.maskedFill(keep.logicalNot(), -Infinity);
    } else if (attnMask) {
      w = attnMask.dtype === 'bool' ? w.maskedFill(attnMask.logicalNot(), -Infinity) : w.add(attnMask);
    }
    w = softmax(w, -1);
    const p = options.dropoutP ?? 0;
    if (p > 0) w = dropout(w, { p });
    return torch.matmul(w, value);
  });
}
