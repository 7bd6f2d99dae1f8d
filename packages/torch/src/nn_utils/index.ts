// torch.nn.utils helpers that belong with the optimizers (re-exported by nn as nn.utils).
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from './clip_grad.js';
