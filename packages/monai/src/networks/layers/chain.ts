// Sequential application that frees each intermediate result as soon as the next layer has used it.
// nn.Sequential leaves intermediates to the caller's scope; inside a network that would hold every
// activation of a forward pass until the scope ends (autograd keeps what backward needs in C++ anyway).
import { nn, Tensor } from '@monai-ts/torch';

/** Applies `modules` in order to `input`; intermediates are disposed, the input and the result are not. */
export function runChain(modules: Iterable<nn.Module>, input: Tensor): Tensor {
  let x = input;
  for (const m of modules) {
    const y = m.forward(x) as Tensor;
    if (x !== input && y !== x) x.dispose();
    x = y;
  }
  return x;
}

/** nn.Sequential whose forward frees intermediates (same children, same state-dict keys). */
export class Chain extends nn.Sequential {
  override forward(input: Tensor): Tensor;
  override forward(input: unknown): unknown;
  override forward(input: unknown): unknown {
    return runChain(this._submodules(), input as Tensor);
  }
}
