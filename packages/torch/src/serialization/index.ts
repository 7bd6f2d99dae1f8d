// @monai-ts/torch serialization: PyTorch .pt/.pth files, safetensors, checkpoints.
//
//   load(pathOrBytes, {dicts, device})   torch.load: zip and legacy formats, weights-only (restricted
//                                        unpickler: unknown globals are refused by name, nothing runs)
//   loadPickle(pathOrBytes)              plain pickle.dump files of tensors, same restrictions
//   loadRaw(pathOrBytes)                 as load, tensors left as RawTensor records (no tensor memory)
//   save(obj, path) / saveToBuffer(obj)  torch.save (zip format, pickle protocol 2), atomic write;
//                                        readable by torch.load(path, weights_only=True)
//   safetensors.loadFile/load/saveFile/save/readHeader/readMetadata
//   saveCheckpoint(path, {model, optimizer, ..., epoch}) / loadCheckpoint(path, {model, optimizer})
//
// Python values map to JS as: dict -> plain object (all keys strings) or Map (any other key; or
// every dict with {dicts: 'map'}); OrderedDict attributes such as a state dict's `_metadata` ->
// non-enumerable PY_ATTRS property (written back by save); list -> array; tuple -> array marked
// as a tuple (isTuple; make one with tuple(...)); int -> number, or bigint beyond 2^53; float ->
// number; str -> string; bytes/bytearray -> Uint8Array; set/frozenset -> Set; complex ->
// PyComplex; None -> null; torch.dtype -> its name; Tensor/Parameter -> Tensor (requiresGrad kept);
// numpy arrays -> Tensors (numeric dtypes), numpy scalars -> numbers/bigints/booleans; MONAI's
// MetaTensor -> Tensor with PY_CLASS = 'monai.data.meta_tensor.MetaTensor' and PY_ATTRS = its state
// ({_meta, _applied_operations, ...}); MONAI string enums -> their values.
export { load, loadRaw, loadPickle, save, saveToBuffer, SerializationError, type LoadOptions } from './torch_io.js';
export { saveCheckpoint, loadCheckpoint, type Stateful, type LoadCheckpointOptions } from './checkpoint.js';
export * as safetensors from './safetensors.js';
export { tuple, isTuple, PyComplex, PY_ATTRS, PY_CLASS } from './pyvalues.js';
export { PickleError } from './unpickler.js';
export { UnsafeGlobalError } from './torch_policy.js';
export { RawTensor, RawStorage } from './raw.js';
export { atomicWrite } from './atomic.js';
