// torch.Generator: an independent random stream for ops that take `generator`.
import { native } from './native.js';
import { Tensor } from './tensor.js';
import { TorchError } from './errors.js';

export class Generator {
  private _id: number;
  readonly device: string;

  /** A new CPU generator (CUDA generators are not available through this binding). */
  constructor(options: { device?: string } = {}) {
    this.device = options.device ?? 'cpu';
    this._id = native.generatorNew(this.device);
  }

  /** Native id, checked. Internal. */
  get id(): number {
    if (this._id < 0) throw new TorchError('Generator was disposed', 'Generator');
    return this._id;
  }

  manualSeed(seed: number | bigint): this {
    if (typeof seed === 'number' && (!Number.isInteger(seed) || seed < 0))
      throw new TypeError(`Generator.manualSeed: expected a non-negative integer, found ${seed}`);
    native.generatorOp(this.id, 'manualSeed', seed);
    return this;
  }
  initialSeed(): bigint {
    return native.generatorOp(this.id, 'initialSeed');
  }
  /** Seeds from a non-deterministic source and returns the seed. */
  seed(): bigint {
    return native.generatorOp(this.id, 'seed');
  }
  /** The generator's state as a uint8 tensor (PyTorch's get_state). */
  getState(): Tensor {
    return new Tensor(native.generatorOp(this.id, 'getState'));
  }
  setState(state: Tensor): this {
    native.generatorOp(this.id, 'setState', state.handle);
    return this;
  }
  dispose(): void {
    if (this._id >= 0) native.generatorOp(this._id, 'free');
    this._id = -1;
  }
}
