// Dropout, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout.
import { Tensor } from '../../tensor.js';
import { Module, py, pyFloat } from '../module.js';
import * as F from '../functional/index.js';
import { checkP } from '../functional/util.js';
import { checkOpts } from './common.js';
import { layerArgs, type PositionalArgs } from './args.js';

export interface DropoutOptions {
  p?: number;
  inplace?: boolean;
}
const DROPOUT_ARGS = ['p', 'inplace'] as const;
export type DropoutArgs = PositionalArgs<[p: number, inplace: boolean], typeof DROPOUT_ARGS, DropoutOptions>;

/** Base of the dropout modules (PyTorch's _DropoutNd). Active in training mode only. */
export abstract class DropoutNd extends Module {
  readonly p: number;
  readonly inplace: boolean;
  /** `new Dropout(0.2)` or `new Dropout({ p: 0.2 })`. */
  constructor(options?: DropoutOptions);
  constructor(...args: DropoutArgs);
  constructor(...args: unknown[]) {
    super();
    const options = layerArgs<DropoutOptions>(new.target.name, args, DROPOUT_ARGS);
    checkOpts(this.constructor.name, options, ['p', 'inplace']);
    this.p = options.p ?? 0.5;
    checkP(this.p, this.constructor.name);
    this.inplace = options.inplace ?? false;
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${py(this.inplace)}`;
  }
}

export class Dropout extends DropoutNd {
  forward(input: Tensor): Tensor { return F.dropout(input, { p: this.p, training: this.training, inplace: this.inplace }); }
}
export class Dropout1d extends DropoutNd {
  forward(input: Tensor): Tensor { return F.dropout1d(input, { p: this.p, training: this.training, inplace: this.inplace }); }
}
export class Dropout2d extends DropoutNd {
  forward(input: Tensor): Tensor { return F.dropout2d(input, { p: this.p, training: this.training, inplace: this.inplace }); }
}
export class Dropout3d extends DropoutNd {
  forward(input: Tensor): Tensor { return F.dropout3d(input, { p: this.p, training: this.training, inplace: this.inplace }); }
}
export class AlphaDropout extends DropoutNd {
  forward(input: Tensor): Tensor { return F.alphaDropout(input, { p: this.p, training: this.training }); }
}
export class FeatureAlphaDropout extends DropoutNd {
  forward(input: Tensor): Tensor { return F.featureAlphaDropout(input, { p: this.p, training: this.training }); }
}
