/**
 * The ImageReader interface, the reader registry (names -> factories, MONAI's suffix-based default
 * choice) and the shared helpers readers use to turn decoded bytes into tensors without copies
 * through JS arrays.
 */
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { ElementType, ITEM_SIZE, ImageFormatError, product } from './formats/common.js';
import { withByteChunks } from './tensor_chunks.js';
import { SLAB_DECODE_MIN_BYTES, decodeReversedInSlabs } from './decode_slabs.js';
import { suggestion } from './options.js';
import type { MetaDict } from './meta_tensor.js';

/** What LoadImage hands to `getData`: the dtype it will convert to (a reader may decode straight into it). */
export interface GetDataOptions {
  dtype?: torch.DType | null;
}

/**
 * A reader of one family of image files, MONAI's `ImageReader` (methods camelCased). `Img` is the
 * reader's own image object: what `read` returns (for a list of files, typically a list of them) and
 * `getData` takes back.
 *
 *   class MyReader implements ImageReader<MyImage> {
 *     readonly name = 'MyReader';
 *     verifySuffix(f: string | readonly string[]) { return isSupportedFormat(f, ['my']); }
 *     read(f: string | readonly string[]): MyImage { ... }
 *     getData(img: MyImage): [Tensor, MetaDict] { ... }
 *   }
 */
export interface ImageReader<Img = unknown> {
  /** Registry name, e.g. 'NibabelReader'. */
  readonly name: string;
  /** True when this reader handles the file (or every file of a list) by its suffix. */
  verifySuffix(filename: string | readonly string[]): boolean;
  /** Reads one file or a list of files into the reader's image object. */
  read(data: string | readonly string[], options?: Record<string, unknown>): Img;
  /** Tensor (array index order = affine index order) and metadata of an image object from `read`. */
  getData(img: Img, options?: GetDataOptions): [Tensor, MetaDict];
}

export type ReaderFactory = (options?: Record<string, unknown>) => ImageReader;

interface Registered {
  name: string;
  factory: ReaderFactory;
}

const REGISTRY = new Map<string, Registered>();
/** The built-in readers in MONAI's SUPPORTED_READERS order; LoadImage tries them from the last to the first. */
const BUILTIN_READERS: readonly string[] = ['PydicomReader', 'ITKReader', 'NrrdReader', 'NumpyReader', 'PILReader', 'NibabelReader'];
/** The automatic choice: the built-in readers, then user readers registered as default. */
const DEFAULT_ORDER: string[] = [...BUILTIN_READERS];

/**
 * Registers a reader under a name so `LoadImage({ reader: name })` can build it. Registering an
 * existing name replaces it. `asDefault` (default true for new names) adds it to the automatic choice;
 * user readers registered as default are tried before the built-in ones, as MONAI's `register`.
 */
export function registerReader(name: string, factory: ReaderFactory, options: { asDefault?: boolean } = {}): void {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('registerReader: name must be a non-empty string');
  if (typeof factory !== 'function') throw new TypeError('registerReader: factory must be a function returning an ImageReader');
  REGISTRY.set(name, { name, factory });
  const asDefault = options.asDefault ?? true;
  if (asDefault && !DEFAULT_ORDER.includes(name)) DEFAULT_ORDER.push(name);
}

export function unregisterReader(name: string): void {
  REGISTRY.delete(name);
  const i = DEFAULT_ORDER.indexOf(name);
  if (i >= 0 && !BUILTIN_READERS.includes(name)) DEFAULT_ORDER.splice(i, 1);
}

export function registeredReaders(): string[] {
  return [...REGISTRY.keys()];
}

/** Builds a reader by registry name (case-insensitive), with a "did you mean" hint for unknown names. */
export function createReader(name: string, options?: Record<string, unknown>): ImageReader {
  let r = REGISTRY.get(name);
  if (!r) for (const [k, v] of REGISTRY) if (k.toLowerCase() === name.toLowerCase()) r = v;
  if (!r) {
    throw new TypeError(`unknown image reader '${name}'${suggestion(name, [...REGISTRY.keys()])}; registered: ${[...REGISTRY.keys()].join(', ')}`);
  }
  return r.factory(options);
}

/** Default readers in MONAI's registration order (LoadImage searches the list from the end). */
export function defaultReaders(options?: Record<string, unknown>): ImageReader[] {
  const out: ImageReader[] = [];
  for (const n of DEFAULT_ORDER) {
    const r = REGISTRY.get(n);
    if (!r) continue;
    try {
      out.push(r.factory(options));
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      out.push(r.factory()); // the reader does not take these options
    }
  }
  return out;
}

/** True when every file (or the single file) ends with one of the suffixes (case-insensitive). */
export function isSupportedFormat(filename: string | readonly string[], suffixes: readonly string[]): boolean {
  const files = typeof filename === 'string' ? [filename] : filename;
  if (files.length === 0) return false;
  return files.every((f) => {
    const name = String(f).toLowerCase();
    return suffixes.some((s) => name.endsWith(`.${s.toLowerCase()}`));
  });
}

export function ensureList<T>(x: T | readonly T[]): T[] {
  return Array.isArray(x) ? [...(x as T[])] : [x as T];
}

// ---------------------------------------------------------------------------------------------
// bytes -> tensor

/** torch dtype holding the raw bytes of an element type (unsigned wider types reinterpret as signed). */
const STORAGE: Record<ElementType, torch.DType> = {
  bool: 'bool',
  uint8: 'uint8',
  int8: 'int8',
  int16: 'int16',
  uint16: 'int16',
  int32: 'int32',
  uint32: 'int32',
  int64: 'int64',
  uint64: 'int64',
  float16: 'float16',
  float32: 'float32',
  float64: 'float64',
  complex64: 'complex64',
  complex128: 'complex128',
};

/** The torch dtype an element type loads as (numpy uint16 -> int32, uint32 -> int64, uint64 -> int64/float64). */
export function torchDtypeFor(e: ElementType): torch.DType {
  if (e === 'uint16') return 'int32';
  if (e === 'uint32' || e === 'uint64') return 'int64';
  return STORAGE[e];
}

export interface DecodeSpec {
  file: string;
  element: ElementType;
  /** C-order shape of the bytes as they are decoded */
  layoutShape: number[];
  /** permutation from the layout to the array's index order, or null for identity */
  permutation: number[] | null;
  /**
   * writes numel * itemsize bytes (host byte order) into the chunks, in order (the chunks cover one
   * tensor storage; several when it is larger than a typed array can view, each a multiple of 16 bytes)
   */
  fill(dest: Uint8Array[]): void;
  /**
   * set when `fill` accepts any iterable of chunks and consumes them strictly in order: large
   * volumes with a reversed layout are then decoded slab by slab (see decode_slabs.ts)
   */
  fillInOrder?: (dest: Iterable<Uint8Array>) => void;
}

/** Refuses to allocate more than this for one image unless raised (guards lying headers). */
export let MAX_IMAGE_BYTES = 2 ** 40;
export function setMaxImageBytes(n: number): void {
  MAX_IMAGE_BYTES = n;
}

/**
 * Allocates a tensor, lets the codec decode straight into its storage, then permutes into index
 * order (one libtorch copy, fused with a dtype conversion when `dtype` is given).
 */
export function decodeToTensor(spec: DecodeSpec, dtype?: torch.DType | null): Tensor {
  const numel = product(spec.layoutShape);
  const nbytes = numel * ITEM_SIZE[spec.element];
  if (!Number.isSafeInteger(nbytes) || nbytes > MAX_IMAGE_BYTES)
    throw new ImageFormatError(spec.file, `image of shape ${spec.layoutShape.join('x')} (${nbytes} bytes) exceeds the allowed size`);
  return torch.tidy(() => {
    const m0 = spec.permutation ? leadingReversal(spec.permutation) : 0;
    if (spec.fillInOrder && m0 >= 2 && nbytes > SLAB_DECODE_MIN_BYTES && spec.element !== 'uint64') {
      const out = decodeReversedInSlabs(spec.layoutShape, m0, spec.element, STORAGE[spec.element], dtype ?? torchDtypeFor(spec.element), spec.fillInOrder, reverseLeadingAxes);
      if (out) return out;
    }
    const raw = torch.empty(spec.layoutShape, { dtype: STORAGE[spec.element] });
    if (numel > 0) {
      withByteChunks(raw, (chunks) => spec.fill(chunks)); // in parts: one view cannot exceed 4 GiB
    }
    let t: Tensor = raw;
    if (spec.element === 'uint16') t = t.to({ dtype: torchDtypeFor(spec.element) }).bitwiseAnd(0xffff);
    else if (spec.element === 'uint32') t = t.to({ dtype: torchDtypeFor(spec.element) }).bitwiseAnd(0xffffffff);
    else if (spec.element === 'uint64') {
      if (numel > 0 && (t.lt(0).any().item() as unknown as number | boolean)) t = t.to({ dtype: 'float64' }).add(t.lt(0).to({ dtype: 'float64' }).mul(2 ** 64));
    }
    const perm = spec.permutation;
    const identity = !perm || perm.every((p, i) => p === i);
    const target = dtype ?? t.dtype;
    if (identity) return target === t.dtype ? t : t.to({ dtype: target });
    const m = leadingReversal(perm!);
    if (m >= 2) return reverseLeadingAxes(t, m, target, true); // t is this scope's own: freed early
    const view = t.permute(perm!);
    const out = torch.empty(view.shape, { dtype: target });
    out.copy_(view);
    return out;
  });
}

/** m when perm reverses its first m axes and keeps the rest in place, else 0. */
function leadingReversal(perm: number[]): number {
  let m = perm.length;
  while (m > 0 && perm[m - 1] === m - 1) m--;
  for (let i = 0; i < m; i++) if (perm[i] !== m - 1 - i) return 0;
  return m;
}

/**
 * Reverses the first m axes of a C-order tensor (Fortran-order file data into index order) as a chain
 * of blocked transposes: step k moves axis k behind the axes still to be placed, keeping the block of
 * already-placed axes contiguous. Each pass streams memory; a single strided permuted copy of a
 * volume thrashes the cache and measured about 4x slower for a 512x512x200 int16 volume. The last pass
 * writes the requested dtype.
 */
export function reverseLeadingAxes(t: Tensor, m: number, dtype: torch.DType, consume = false): Tensor {
  const shape = t.shape;
  const d = shape.slice(0, m);
  const tail = shape.slice(m);
  const T = tail.reduce((a, b) => a * b, 1);
  const finalShape = [...d.slice().reverse(), ...tail];
  let cur = t;
  for (let k = 0; k < m - 1; k++) {
    const B = d.slice(0, k).reduce((a, b) => a * b, T);
    const P = d.slice(k + 1).reduce((a, b) => a * b, 1);
    const r = cur.reshape([d[k], P, B]);
    const v = r.permute([1, 0, 2]);
    const next = k === m - 2 ? torch.empty([P, d[k], B], { dtype }) : v.contiguous();
    if (k === m - 2) next.copy_(v);
    // free each pass's input (and its views) at once, so that at most two volumes are alive
    // (`t` too when the caller hands it over with consume)
    v.dispose();
    r.dispose();
    if (cur !== t || consume) cur.dispose();
    if (k === m - 2) return next.reshape(finalShape);
    cur = next;
  }
  return cur.to({ dtype }).reshape(finalShape); // m < 2 does not reach here
}

/**
 * Calls fn with the C-order bytes of `t` (host order) viewed in place in a contiguous copy's storage
 * (or `t`'s own when it is already contiguous): no copy into JS memory. The view is valid only during fn.
 */
export function withTensorBytes<T>(t: Tensor, fn: (bytes: Uint8Array) => T): T {
  const c = t.device.startsWith('cpu') ? t.contiguous() : t.to({ device: 'cpu' }).contiguous();
  try {
    return c.withData((a) => fn(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)));
  } finally {
    if (c !== t) c.dispose();
  }
}

/** A copy of a tensor's C-order bytes (host order). */
export function tensorBytes(t: Tensor): Uint8Array {
  return withTensorBytes(t, (b) => b.slice());
}

/** Element type of a torch dtype, for writers. */
export function elementOf(dt: torch.DType): ElementType {
  if (dt === 'bfloat16') throw new Error('bfloat16 cannot be written to image files; convert to float32 first');
  return dt as ElementType;
}

// ---------------------------------------------------------------------------------------------
// multi-file helpers (MONAI's _copy_compatible_dict / _stack_images)

function allcloseArr(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= 1e-8 + 1e-5 * Math.abs(b[i]))) return false;
  return true;
}

/** Copies the first image's metadata; later images must agree on affine and spatial shape. */
export function copyCompatibleDict(from: MetaDict, to: MetaDict): void {
  if (Object.keys(to).length === 0) {
    for (const [k, v] of Object.entries(from)) to[k] = v === null || v === undefined ? 'none' : v;
    return;
  }
  const fa = from.affine as ArrayLike<number> | undefined;
  if (fa !== undefined && !allcloseArr(fa, to.affine as ArrayLike<number>))
    throw new Error(`affine matrix of all images should be the same for channel-wise concatenation. Got ${Array.from(fa)} and ${Array.from(to.affine as ArrayLike<number>)}.`);
  const fs_ = from.spatial_shape as ArrayLike<number> | undefined;
  if (fs_ !== undefined && !allcloseArr(fs_, to.spatial_shape as ArrayLike<number>))
    throw new Error(`spatial_shape of all images should be the same for channel-wise concatenation. Got ${Array.from(fs_)} and ${Array.from(to.spatial_shape as ArrayLike<number>)}.`);
}

export function isNoChannel(v: unknown): boolean {
  return v === undefined || v === null || v === 'no_channel' || (typeof v === 'number' && Number.isNaN(v));
}

/** Concatenates along the original channel dim when there is one, else stacks on a new first axis. Consumes the inputs. */
export function stackImages(images: Tensor[], meta: MetaDict): Tensor {
  if (images.length === 1) return images[0];
  try {
    const cd = meta.original_channel_dim;
    if (!isNoChannel(cd)) return torch.cat(images, { dim: Number(cd) });
    meta.original_channel_dim = 0;
    return torch.stack(images, { dim: 0 });
  } finally {
    for (const t of images) t.dispose();
  }
}
