// Padding modules (torch/nn/modules/padding.py): ConstantPad, ZeroPad2d, ReflectionPad, ReplicationPad.
import { Tensor } from '../../tensor.js';
import { Module, py, pyFloat } from '../module.js';
import * as F from '../functional/index.js';
import { ntuple } from '../functional/util.js';
import { checkOpts } from './common.js';

/** padding: one number for every side, or [left, right, (top, bottom, (front, back))]. */
abstract class PadNd extends Module {
  readonly padding: number[];
  protected abstract readonly mode: F.PadMode;
  constructor(n: number, options: { padding: number | number[] }, extraKeys: string[] = []) {
    super();
    checkOpts(this.constructor.name, options, ['padding', ...extraKeys], ['padding']);
    this.padding = ntuple(options.padding, 2 * n, `${this.constructor.name} padding`);
  }
  forward(input: Tensor): Tensor {
    return F.pad(input, this.padding, { mode: this.mode });
  }
  override extraRepr(): string {
    return py(this.padding);
  }
}

abstract class ConstantPadNd extends PadNd {
  protected readonly mode = 'constant' as const;
  readonly value: number;
  constructor(n: number, options: { padding: number | number[]; value: number }) {
    super(n, options, ['value']);
    if (options.value === undefined) throw new TypeError(`${this.constructor.name}: missing required option 'value'`);
    this.value = options.value;
  }
  override forward(input: Tensor): Tensor {
    return F.pad(input, this.padding, { mode: 'constant', value: this.value });
  }
  override extraRepr(): string {
    return `padding=${py(this.padding)}, value=${pyFloat(this.value)}`;
  }
}
export class ConstantPad1d extends ConstantPadNd {
  constructor(options: { padding: number | number[]; value: number }) { super(1, options); }
}
export class ConstantPad2d extends ConstantPadNd {
  constructor(options: { padding: number | number[]; value: number }) { super(2, options); }
}
export class ConstantPad3d extends ConstantPadNd {
  constructor(options: { padding: number | number[]; value: number }) { super(3, options); }
}
export class ZeroPad2d extends ConstantPad2d {
  constructor(options: { padding: number | number[] }) {
    checkOpts('ZeroPad2d', options, ['padding'], ['padding']);
    super({ padding: options.padding, value: 0 });
  }
  override extraRepr(): string {
    return py(this.padding);
  }
}

export class ReflectionPad1d extends PadNd {
  protected readonly mode = 'reflect' as const;
  constructor(options: { padding: number | number[] }) { super(1, options); }
}
export class ReflectionPad2d extends PadNd {
  protected readonly mode = 'reflect' as const;
  constructor(options: { padding: number | number[] }) { super(2, options); }
}
export class ReflectionPad3d extends PadNd {
  protected readonly mode = 'reflect' as const;
  constructor(options: { padding: number | number[] }) { super(3, options); }
}
export class ReplicationPad1d extends PadNd {
  protected readonly mode = 'replicate' as const;
  constructor(options: { padding: number | number[] }) { super(1, options); }
}
export class ReplicationPad2d extends PadNd {
  protected readonly mode = 'replicate' as const;
  constructor(options: { padding: number | number[] }) { super(2, options); }
}
export class ReplicationPad3d extends PadNd {
  protected readonly mode = 'replicate' as const;
  constructor(options: { padding: number | number[] }) { super(3, options); }
}
