// Padding modules (torch/nn/modules/padding.py): ConstantPad, ZeroPad2d, ReflectionPad, ReplicationPad.
import { Tensor } from '../../tensor.js';
import { Module, py, pyFloat } from '../module.js';
import * as F from '../functional/index.js';
import { ntuple } from '../functional/util.js';
import { checkOpts } from './common.js';
import { layerArgs } from './args.js';

type PadArg = number | number[];
type PadOptions = { padding: PadArg };
type ConstantPadOptions = { padding: PadArg; value: number };

/**
 * padding: one number for every side, or [left, right, (top, bottom, (front, back))]. Each layer
 * takes an options object or PyTorch's positional form: new ReflectionPad2d(1), new ConstantPad3d(1, 0.5).
 */
abstract class PadNd extends Module {
  readonly padding: number[];
  protected abstract readonly mode: F.PadMode;
  constructor(n: number, options: PadOptions, extraKeys: string[] = []) {
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
  constructor(n: number, args: unknown[]) {
    const options = layerArgs<ConstantPadOptions>(new.target.name, args, ['padding', 'value']);
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
  constructor(options: ConstantPadOptions);
  constructor(padding: PadArg, value: number);
  constructor(padding: PadArg, options: { value: number });
  constructor(...args: unknown[]) { super(1, args); }
}
export class ConstantPad2d extends ConstantPadNd {
  constructor(options: ConstantPadOptions);
  constructor(padding: PadArg, value: number);
  constructor(padding: PadArg, options: { value: number });
  constructor(...args: unknown[]) { super(2, args); }
}
export class ConstantPad3d extends ConstantPadNd {
  constructor(options: ConstantPadOptions);
  constructor(padding: PadArg, value: number);
  constructor(padding: PadArg, options: { value: number });
  constructor(...args: unknown[]) { super(3, args); }
}
export class ZeroPad2d extends ConstantPad2d {
  constructor(options: PadOptions);
  constructor(padding: PadArg);
  constructor(...args: unknown[]) {
    const options = layerArgs<PadOptions>('ZeroPad2d', args, ['padding']);
    checkOpts('ZeroPad2d', options, ['padding'], ['padding']);
    super({ padding: options.padding, value: 0 });
  }
  override extraRepr(): string {
    return py(this.padding);
  }
}

export class ReflectionPad1d extends PadNd {
  protected readonly mode = 'reflect' as const;
  constructor(options: PadOptions);
  constructor(padding: PadArg);
  constructor(...args: unknown[]) { super(1, layerArgs(new.target.name, args, ['padding'])); }
}
export class ReflectionPad2d extends PadNd {
  protected readonly mode = 'reflect' as const;
  constructor(options: PadOptions);
  constructor(padding: PadArg);
  constructor(...args: unknown[]) { super(2, layerArgs(new.target.name, args, ['padding'])); }
}
export class ReflectionPad3d extends PadNd {
  protected readonly mode = 'reflect' as const;
  constructor(options: PadOptions);
  constructor(padding: PadArg);
  constructor(...args: unknown[]) { super(3, layerArgs(new.target.name, args, ['padding'])); }
}
export class ReplicationPad1d extends PadNd {
  protected readonly mode = 'replicate' as const;
  constructor(options: PadOptions);
  constructor(padding: PadArg);
  constructor(...args: unknown[]) { super(1, layerArgs(new.target.name, args, ['padding'])); }
}
export class ReplicationPad2d extends PadNd {
  protected readonly mode = 'replicate' as const;
  constructor(options: PadOptions);
  constructor(padding: PadArg);
  constructor(...args: unknown[]) { super(2, layerArgs(new.target.name, args, ['padding'])); }
}
export class ReplicationPad3d extends PadNd {
  protected readonly mode = 'replicate' as const;
  constructor(options: PadOptions);
  constructor(padding: PadArg);
  constructor(...args: unknown[]) { super(3, layerArgs(new.target.name, args, ['padding'])); }
}
