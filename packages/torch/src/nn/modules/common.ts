// Helpers shared by the layer modules: option checking, tensor factories, Python-style printing.
import * as torch from '../../core.js';
import { Tensor } from '../../tensor.js';
import type { DType, Device } from '../../dtype.js';
import { Parameter } from '../parameter.js';
import { checkOptions } from '../../options.js';

export interface FactoryOptions {
  device?: Device;
  dtype?: DType;
}
export const FACTORY_KEYS = ['device', 'dtype'] as const;

/** Throws for unknown option keys (with a "did you mean"), and for missing required ones. */
export function checkOpts(cls: string, options: object | undefined, known: readonly string[], required: readonly string[] = []): void {
  if (options === undefined || options === null || typeof options !== 'object')
    throw new TypeError(`${cls}: expected an options object${required.length ? ` with ${required.join(', ')}` : ''}`);
  checkOptions(cls, options, known, required);
}

/** An uninitialised Parameter of the given shape (the caller initialises it). */
export function emptyParam(shape: number[], f: FactoryOptions = {}): Parameter {
  return torch.tidy(() => new Parameter(torch.empty(shape, { dtype: f.dtype ?? 'float32', device: f.device ?? 'cpu' })));
}

export function ones(shape: number[], f: FactoryOptions = {}): Tensor {
  return torch.ones(shape, { dtype: f.dtype ?? 'float32', device: f.device ?? 'cpu' });
}
export function zeros(shape: number[], f: FactoryOptions = {}, dtype?: DType): Tensor {
  return torch.zeros(shape, { dtype: dtype ?? f.dtype ?? 'float32', device: f.device ?? 'cpu' });
}

export { py, pyFloat } from '../module.js';
