// PyTorch .pt writer: the zip format with a protocol-2 pickle that PyTorch's
// `torch.load(..., weights_only=True)` accepts.

import { DType, DTYPE_STORAGE_CLASS, ELEMENT_SIZE } from './dtypes.js';
import { Pickler, SerializeError } from './pickler.js';
import { crc32, ZipWriter } from './zip.js';

/** What the writer needs to know about a tensor. */
export interface TensorAdapter {
  isTensor(v: unknown): boolean;
  info(t: unknown): { dtype: DType; shape: number[]; device: string; requiresGrad?: boolean; isParameter?: boolean };
  /**
   * Calls fn with consecutive chunks of the tensor's row-major little-endian bytes (views of its
   * memory where possible); may be called twice per tensor (CRC, then write).
   */
  chunks(t: unknown, fn: (chunk: Uint8Array) => void): void;
}

export interface PtWriteOptions {
  /** Folder name inside the archive (PyTorch >= 2 uses 'archive'). */
  archiveName?: string;
}

/**
 * Serialize `obj` into the zip format, streaming the archive to `sink`.
 * Tensor data goes from tensor memory to the sink chunk by chunk (a contiguous copy only for
 * non-contiguous or non-CPU tensors, one at a time).
 */
export function writePt(obj: unknown, adapter: TensorAdapter, sink: (b: Uint8Array) => void, opts: PtWriteOptions = {}): void {
  const prefix = `${opts.archiveName ?? 'archive'}/`;
  const tensors: unknown[] = [];
  const keyOf = new Map<unknown, string>();
  const pickler = new Pickler((value, p, path) => {
    if (!adapter.isTensor(value)) return false;
    if (p.tryGet(value as object)) return true;
    const { dtype, shape, device, requiresGrad = false, isParameter = false } = adapter.info(value);
    const cls = DTYPE_STORAGE_CLASS[dtype];
    if (!cls) throw new SerializeError(`cannot save a ${dtype} tensor at ${path}`);
    let key = keyOf.get(value);
    if (key === undefined) {
      key = String(tensors.length);
      keyOf.set(value, key);
      tensors.push(value);
    }
    const numel = shape.reduce((a, b) => a * b, 1);
    const stride: number[] = new Array(shape.length);
    let acc = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      stride[i] = acc;
      acc *= Math.max(shape[i]!, 1);
    }
    // nn.Parameter: torch._utils._rebuild_parameter(<tensor>, requires_grad, OrderedDict()), as PyTorch writes it.
    if (isParameter) p.global('torch._utils', '_rebuild_parameter');
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.mark();
    // persistent id: ('storage', torch.XStorage, key, location, numel)
    p.mark();
    p.str('storage');
    p.global('torch', cls);
    p.str(key);
    p.str(device.startsWith('cuda') ? device : 'cpu');
    p.int(numel);
    p.tupleFromMark();
    p.binpersid();
    p.int(0);
    p.intTuple(shape);
    p.intTuple(stride);
    p.bool(isParameter ? false : requiresGrad);
    p.global('collections', 'OrderedDict');
    p.emptyTuple();
    p.reduce();
    p.tupleFromMark();
    p.reduce();
    if (isParameter) {
      // (tensor, requires_grad, OrderedDict()) -> _rebuild_parameter
      p.bool(requiresGrad);
      p.global('collections', 'OrderedDict');
      p.emptyTuple();
      p.reduce();
      p.w.byte(0x87); // TUPLE3
      p.reduce();
    }
    p.memoize(value as object);
    return true;
  });
  pickler.save(obj);
  const pkl = pickler.finish();
  const zw = new ZipWriter(sink);
  zw.add(`${prefix}data.pkl`, pkl);
  zw.add(`${prefix}byteorder`, new TextEncoder().encode('little'));
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    const { dtype, shape } = adapter.info(t);
    const expect = shape.reduce((a, c) => a * c, 1) * ELEMENT_SIZE[dtype];
    // Two passes over the tensor's memory (the CRC goes in the header before the data), no copy.
    let crc = 0;
    let size = 0;
    adapter.chunks(t, (c) => {
      crc = crc32(c, crc);
      size += c.length;
    });
    if (size !== expect) throw new SerializeError(`tensor data for storage ${i} has ${size} bytes, expected ${expect}`);
    zw.addStreamed(`${prefix}data/${i}`, size, crc, (emit) => adapter.chunks(t, emit));
  }
  zw.add(`${prefix}version`, new TextEncoder().encode('3\n'));
  zw.finish();
}
