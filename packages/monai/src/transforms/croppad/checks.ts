/** Input and call-option checks shared by the crop and pad transforms (internal; not re-exported). */
import { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { describeValue } from '../transform.js';

/** Checks the image is a channel-first tensor with at least one spatial dim (and `nSpatial` when given). */
export function checkImage(who: string, img: unknown, what = 'img'): asserts img is Tensor {
  if (!(img instanceof Tensor)) throw new TypeError(`${who}: ${what} must be a channel-first Tensor, got ${describeValue(img)}`);
  if (img.dim() < 2) throw new RangeError(`${who}: ${what} must be channel-first with at least one spatial dim (C, spatial...), got shape [${img.shape.join(', ')}]`);
}

/** Lazy flag or options object of a call (applyTransform hands lazy-capable transforms a boolean). */
export function callOpts<T extends object>(who: string, options: T | boolean | null | undefined, allowed: readonly string[]): T & { lazy?: boolean | null } {
  if (options === undefined || options === null) return {} as T;
  if (typeof options === 'boolean') return { lazy: options } as T & { lazy?: boolean };
  checkOptions(`${who}.call`, options, allowed);
  return options as T & { lazy?: boolean | null };
}
