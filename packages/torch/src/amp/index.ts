// torch.amp: the autocast scope and GradScaler.
//   autocast({ deviceType: 'cpu', dtype: 'bfloat16' }, () => model.forward(x))   // bf16 on CPU
//   autocast({ deviceType: 'cuda' }, fn)                                         // fp16 on CUDA
export { autocast, autocastState, type AutocastOptions } from '../autograd.js';
export { GradScaler, OptState, type GradScalerOptions, type GradScalerStateDict } from './grad_scaler.js';
