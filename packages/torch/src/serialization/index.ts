// @monai-ts/torch serialization: PyTorch .pt/.pth files, safetensors, checkpoints.
export { load, loadRaw, loadPickle, save, saveToBuffer, SerializationError, type LoadOptions } from './torch_io.js';
export { saveCheckpoint, loadCheckpoint, type Stateful, type LoadCheckpointOptions } from './checkpoint.js';
export * as safetensors from './safetensors.js';
export { tuple, isTuple, PyComplex, PY_ATTRS } from './pyvalues.js';
export { PickleError } from './unpickler.js';
export { UnsafeGlobalError } from './torch_policy.js';
export { RawTensor, RawStorage } from './raw.js';
