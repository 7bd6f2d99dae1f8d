// torch.ops: every generated op (the private, _-prefixed ones and backward kernels included) and the
// hand-written native image kernels.
export * from './generated/ops_ns.js';
export * from './imgproc.js';
export * from './legacy_random.js';
export * from './interp.js';
