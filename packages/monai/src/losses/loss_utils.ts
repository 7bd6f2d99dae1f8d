// Pieces shared by the segmentation losses: option checks, the activation / one-hot / background
// preparation of input and target that MONAI's Dice-family losses all run first, class weights, and
// the final reduction.
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { checkChoice } from '../data/options.js';
import { oneHot } from '../networks/utils.js';

export type LossReduction = 'none' | 'mean' | 'sum';
export const LOSS_REDUCTIONS = ['none', 'mean', 'sum'] as const;

/** A class weight as MONAI accepts it: one number for every class, one per class, or a tensor. */
export type ClassWeight = number | number[] | Tensor;

export function checkReduction(owner: string, value: unknown): LossReduction {
  return checkChoice(owner, 'reduction', value ?? 'mean', LOSS_REDUCTIONS);
}

/** sigmoid, softmax and otherAct are exclusive; otherAct must be a function. */
export function checkActivation(owner: string, o: { sigmoid?: boolean; softmax?: boolean; otherAct?: unknown }): void {
  if (o.otherAct !== undefined && o.otherAct !== null && typeof o.otherAct !== 'function')
    throw new TypeError(`${owner}: otherAct must be null or a function (Tensor) => Tensor, found ${typeof o.otherAct}`);
  const n = Number(!!o.sigmoid) + Number(!!o.softmax) + Number(o.otherAct !== undefined && o.otherAct !== null);
  if (n > 1) throw new TypeError(`${owner}: sigmoid, softmax and otherAct are exclusive; more than one was given`);
}

export function checkNonNegative(owner: string, what: string, v: number): void {
  if (!(v >= 0)) throw new RangeError(`${owner}: ${what} should be no less than 0.0, found ${v}`);
}

/** A weight option as a float32 tensor (kept, owned by the loss), or null. */
export function weightTensor(owner: string, w: ClassWeight | null | undefined): Tensor | null {
  if (w === undefined || w === null) return null;
  if (w instanceof Tensor) return torch.tidy(() => w.detach().clone());
  if (typeof w === 'number') return torch.tensor(w, { dtype: 'float32' });
  if (Array.isArray(w) && w.every((x) => typeof x === 'number')) return torch.tensor(w, { dtype: 'float32' });
  throw new TypeError(`${owner}: weight must be a number, an array of numbers or a Tensor, found ${typeof w}`);
}

/**
 * The class weight for `n` classes, as a tensor like `like`: a scalar weight repeats for every class;
 * a sequence must have one entry per class (background excluded when includeBackground is false).
 */
export function classWeightFor(owner: string, w: Tensor, n: number, like: Tensor): Tensor {
  return torch.tidy(() => {
    let cw: Tensor;
    if (w.dim() === 0) cw = w.expand([n]);
    else {
      if (w.shape[0] !== n)
        throw new RangeError(
          `${owner}: weight must have one value per class: ${n} (without the background class when includeBackground is false), found ${w.shape[0]}`,
        );
      cw = w;
    }
    if (cw.min().item() < 0) throw new RangeError(`${owner}: weight values should be no less than 0, found ${cw.min().item()}`);
    return cw.to({ dtype: like.dtype, device: like.device });
  });
}

/**
 * A label-index target [B, 1, ...] as one-hot [B, numClasses, ...] float32 (networks' oneHot, MONAI's
 * one_hot), after checks that name the loss: one channel, labels within [0, numClasses).
 */
export function oneHotLabels(owner: string, labels: Tensor, numClasses: number): Tensor {
  if (labels.dim() >= 2 && labels.shape[1] !== 1)
    throw new RangeError(`${owner}: toOnehotY expects a target of label indices with one channel ([B, 1, ...]), found shape [${labels.shape.join(', ')}]`);
  const [lo, hi] = torch.tidy(() => [labels.min().item(), labels.max().item()]);
  if (lo < 0 || hi >= numClasses)
    throw new RangeError(`${owner}: toOnehotY found label values in [${lo}, ${hi}], expected values in [0, ${numClasses - 1}] for ${numClasses} input channels`);
  return oneHot(labels, numClasses);
}

/** Emits a warning once per loss instance and message (Python shows a warning once per call site). */
export class Warner {
  private readonly seen = new Set<string>();
  constructor(private readonly owner: string) {}
  warn(msg: string): void {
    if (this.seen.has(msg)) return;
    this.seen.add(msg);
    process.emitWarning(`${this.owner}: ${msg}`, { type: 'UserWarning' });
  }
}

export interface PrepareOptions {
  sigmoid?: boolean;
  softmax?: boolean;
  otherAct?: ((x: Tensor) => Tensor) | null;
  toOnehotY?: boolean;
  includeBackground?: boolean;
}

/**
 * Activation, one-hot target and background removal, in MONAI's order, then the shape check.
 * Returns new tensors (the caller's tidy frees them).
 */
export function prepareInputTarget(owner: string, warner: Warner, input: Tensor, target: Tensor, o: PrepareOptions): [Tensor, Tensor] {
  if (input.dim() < 2) throw new RangeError(`${owner}: input must have shape [B, C, ...], found [${input.shape.join(', ')}]`);
  let x = input;
  let y = target;
  if (o.sigmoid) x = x.sigmoid();
  const nPred = x.shape[1];
  if (o.softmax) {
    if (nPred === 1) warner.warn('single channel prediction, `softmax=true` ignored.');
    else x = x.softmax(1);
  }
  if (o.otherAct) x = o.otherAct(x);
  if (o.toOnehotY) {
    if (nPred === 1) warner.warn('single channel prediction, `toOnehotY=true` ignored.');
    else y = oneHotLabels(owner, y, nPred);
  }
  if (o.includeBackground === false) {
    if (nPred === 1) warner.warn('single channel prediction, `includeBackground=false` ignored.');
    else {
      y = y.narrow(1, 1, y.shape[1] - 1);
      x = x.narrow(1, 1, nPred - 1);
    }
  }
  checkSameShape(owner, x, y, o);
  return [x, y];
}

export function checkSameShape(owner: string, x: Tensor, y: Tensor, o: PrepareOptions = {}): void {
  const a = x.shape;
  const b = y.shape;
  if (a.length !== b.length || a.some((v, i) => v !== b[i])) {
    const notes = [o.toOnehotY ? 'toOnehotY=true' : '', o.includeBackground === false ? 'includeBackground=false' : ''].filter(Boolean);
    throw new RangeError(
      `${owner}: ground truth has a different shape ([${b.join(', ')}]) from input ([${a.join(', ')}])` +
        (notes.length ? ` after ${notes.join(', ')}` : '') +
        (o.toOnehotY ? '' : '; for a label-index target of shape [B, 1, ...] set toOnehotY=true'),
    );
  }
}

/** Dimensions reduced by the Dice-family losses: spatial ones, plus the batch with batch=true. */
export function reduceAxes(ndim: number, batch: boolean): number[] {
  const axes: number[] = [];
  if (batch) axes.push(0);
  for (let d = 2; d < ndim; d++) axes.push(d);
  return axes;
}

/** mean / sum of everything, or for 'none' a view [B, C, 1, ...] broadcastable against the input. */
export function reduceDiceLike(f: Tensor, reduction: LossReduction, inputNdim: number): Tensor {
  if (reduction === 'mean') return f.mean();
  if (reduction === 'sum') return f.sum();
  return f.view([...f.shape.slice(0, 2), ...Array(inputNdim - 2).fill(1)]);
}

export function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
