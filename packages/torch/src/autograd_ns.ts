// torch.autograd namespace.
export { backward, grad } from './autograd.js';
