// PyTorch .pt/.pth files: the zip format (torch.save default since 1.6) and the legacy format
// (`_use_new_zipfile_serialization=False`), read through the restricted unpickler, plus the zip
// writer. This file is byte-level only: tensors appear as `RawTensor` records; `tensors.ts` turns
// them into @monai-ts/torch Tensors.

import {
  byteSwapInPlace, DType, DTYPE_STORAGE_CLASS, ELEMENT_SIZE, STORAGE_CLASS_DTYPE, SWAP_SIZE, TORCH_DTYPE_NAMES,
} from './dtypes.js';
import { Pickler, SerializeError } from './pickler.js';
import { PyComplex, PyDict, PyGlobal, PySet, PyTuple } from './pyvalues.js';
import { describe, PickleError, unpickle, UnpicklePolicy } from './unpickler.js';
import { isZip, ZipReader, ZipWriter } from './zip.js';

/** A storage as found in the file. Bytes are little-endian. */
export class RawStorage {
  /** Set for legacy storage views: this storage is `viewOf[viewOffset : viewOffset + numel]` (elements). */
  viewOf: RawStorage | null = null;
  viewOffset = 0;
  private _bytes: Uint8Array | null = null;
  constructor(
    readonly key: string,
    readonly dtype: DType,
    readonly numel: number,
    readonly location: string,
    private loader: (() => Uint8Array) | null = null,
  ) {}
  get nbytes(): number {
    return this.numel * ELEMENT_SIZE[this.dtype];
  }
  /** The storage's bytes (loaded on first use). */
  get bytes(): Uint8Array {
    if (this._bytes === null) {
      if (this.viewOf) {
        const es = ELEMENT_SIZE[this.dtype];
        this._bytes = this.viewOf.bytes.subarray(this.viewOffset * es, (this.viewOffset + this.numel) * es);
      } else if (this.loader) {
        this._bytes = this.loader();
      } else {
        throw new PickleError(`storage '${this.key}' has no data`);
      }
    }
    return this._bytes;
  }
  setBytes(b: Uint8Array): void {
    this._bytes = b;
  }
  /** The storage that owns the memory, and this storage's element offset within it. */
  root(): { storage: RawStorage; offset: number } {
    let s: RawStorage = this;
    let offset = 0;
    while (s.viewOf) {
      offset += s.viewOffset;
      s = s.viewOf;
    }
    return { storage: s, offset };
  }
}

/** A tensor as described by the pickle: a strided view of a storage. */
export class RawTensor {
  constructor(
    readonly storage: RawStorage,
    readonly storageOffset: number,
    readonly shape: number[],
    readonly stride: number[],
    public requiresGrad: boolean,
    public isParameter = false,
  ) {}
  get dtype(): DType {
    return this.storage.dtype;
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

export class DTypeRef {
  constructor(readonly dtype: DType) {}
}
class StorageType {
  constructor(readonly dtype: DType, readonly name: string) {}
}

const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

/** Globals a checkpoint may name. Anything else is refused before it is used. */
const ALLOWED_FUNCTIONS = new Set([
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch._tensor._rebuild_from_type_v2',
  'collections.OrderedDict',
  'torch.Size',
  'torch.Tensor',
  'torch.nn.parameter.Parameter',
  'torch.device',
  'torch.storage._load_from_bytes',
  'builtins.set', 'builtins.frozenset', 'builtins.complex', 'builtins.bytearray',
  '__builtin__.set', '__builtin__.frozenset', '__builtin__.complex', '__builtin__.bytearray',
  '_codecs.encode',
]);

export class UnsafeGlobalError extends PickleError {
  override name = 'UnsafeGlobalError';
  constructor(readonly global: string, detail = '') {
    super(
      `refusing to load global '${global}': it is not on the allow-list of a weights-only load ` +
        `(tensors, storages, OrderedDict, torch.Size and plain Python values)${detail}. Nothing was executed.`,
    );
  }
}

function asInt(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  throw new PickleError(`expected an integer for ${what}, got ${describe(v)}`);
}

function asIntList(v: unknown, what: string): number[] {
  if (!(v instanceof PyTuple) && !Array.isArray(v)) throw new PickleError(`expected a tuple for ${what}, got ${describe(v)}`);
  const items = v instanceof PyTuple ? v.items : v;
  return items.map((x, i) => asInt(x, `${what}[${i}]`));
}

function asStr(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder('latin1').decode(v);
  throw new PickleError(`expected a string for ${what}, got ${describe(v)}`);
}

function makeTensor(storage: unknown, offset: unknown, size: unknown, stride: unknown, requiresGrad: unknown): RawTensor {
  if (!(storage instanceof RawStorage)) throw new PickleError(`tensor rebuild expects a storage, got ${describe(storage)}`);
  const off = asInt(offset, 'storage_offset');
  const shape = asIntList(size, 'size');
  const strides = asIntList(stride, 'stride');
  if (shape.length !== strides.length) throw new PickleError(`tensor has ${shape.length} sizes but ${strides.length} strides`);
  if (off < 0 || shape.some((s) => s < 0) || strides.some((s) => s < 0)) {
    throw new PickleError('tensor has a negative size, stride or storage offset');
  }
  if (!shape.includes(0)) {
    let last = off;
    for (let i = 0; i < shape.length; i++) last += (shape[i]! - 1) * strides[i]!;
    if (last >= storage.numel) {
      throw new PickleError(
        `tensor of size [${shape}] with stride [${strides}] at offset ${off} needs ${last + 1} elements, ` +
          `but its storage '${storage.key}' has ${storage.numel}`,
      );
    }
  }
  return new RawTensor(storage, off, shape, strides, requiresGrad === true);
}

interface PtContext {
  /** zip: storage key -> loader; legacy: storages created on first mention. */
  storageFor(typeName: StorageType, key: string, location: string, numel: number, view: unknown): RawStorage;
  nested(bytes: Uint8Array): unknown;
}

function torchPolicy(ctx: PtContext): UnpicklePolicy {
  return {
    findGlobal(module: string, name: string): unknown {
      const full = `${module}.${name}`;
      if (module === 'torch' || module === 'torch.storage') {
        if (name in STORAGE_CLASS_DTYPE) return new StorageType(STORAGE_CLASS_DTYPE[name]!, name);
        if (name === 'UntypedStorage' || name === '_UntypedStorage') return new StorageType('uint8', name);
      }
      if (module === 'torch' && name in TORCH_DTYPE_NAMES) return new DTypeRef(TORCH_DTYPE_NAMES[name]!);
      if (ALLOWED_FUNCTIONS.has(full)) return new PyGlobal(module, name);
      throw new UnsafeGlobalError(full);
    },

    reduce(fn: unknown, args: unknown[]): unknown {
      if (!(fn instanceof PyGlobal)) {
        throw new PickleError(`REDUCE called on a ${fn instanceof StorageType ? `storage class ${fn.name}` : describe(fn)}, which is not callable here`);
      }
      switch (fn.fullName) {
        case 'torch._utils._rebuild_tensor_v2':
          if (args.length < 6) throw new PickleError('_rebuild_tensor_v2 needs 6 arguments');
          return makeTensor(args[0], args[1], args[2], args[3], args[4]);
        case 'torch._utils._rebuild_tensor':
          if (args.length < 4) throw new PickleError('_rebuild_tensor needs 4 arguments');
          return makeTensor(args[0], args[1], args[2], args[3], false);
        case 'torch._utils._rebuild_parameter':
        case 'torch._utils._rebuild_parameter_with_state': {
          const t = args[0];
          if (!(t instanceof RawTensor)) throw new PickleError(`${fn.name} expects a tensor, got ${describe(t)}`);
          const p = new RawTensor(t.storage, t.storageOffset, t.shape, t.stride, args[1] === true, true);
          return p;
        }
        case 'torch._tensor._rebuild_from_type_v2': {
          const [func, newType, fargs] = args;
          if (!(newType instanceof PyGlobal) || !['torch.Tensor', 'torch.nn.parameter.Parameter'].includes(newType.fullName)) {
            throw new UnsafeGlobalError(newType instanceof PyGlobal ? newType.fullName : describe(newType), ' (tensor subclass)');
          }
          if (!(fargs instanceof PyTuple)) throw new PickleError('_rebuild_from_type_v2 expects an argument tuple');
          const r = this.reduce(func, fargs.items);
          if (r instanceof RawTensor && newType.name === 'Parameter') r.isParameter = true;
          return r;
        }
        case 'collections.OrderedDict': {
          const d = new PyDict(true);
          if (args.length > 0) {
            const src = args[0];
            const pairs = src instanceof PyTuple ? src.items : Array.isArray(src) ? src : null;
            if (!pairs) throw new PickleError(`OrderedDict() expects a list of pairs, got ${describe(src)}`);
            for (const p of pairs) {
              const kv = p instanceof PyTuple ? p.items : Array.isArray(p) ? p : null;
              if (!kv || kv.length !== 2) throw new PickleError('OrderedDict() item is not a pair');
              d.set(kv[0], kv[1]);
            }
          }
          return d;
        }
        case 'torch.Size':
          return new PyTuple(args.length ? asIntList(args[0], 'torch.Size') : []);
        case 'torch.device':
          return args.map((a) => String(a)).join(':');
        case 'torch.storage._load_from_bytes': {
          if (!(args[0] instanceof Uint8Array)) throw new PickleError('_load_from_bytes expects bytes');
          return ctx.nested(args[0]);
        }
        case 'builtins.set': case '__builtin__.set':
        case 'builtins.frozenset': case '__builtin__.frozenset': {
          const s = new PySet(fn.name === 'frozenset');
          const src = args[0];
          if (src !== undefined) {
            const items = src instanceof PyTuple ? src.items : Array.isArray(src) ? src : src instanceof PySet ? src.items : null;
            if (!items) throw new PickleError(`${fn.name}() expects a list, got ${describe(src)}`);
            s.items.push(...items);
          }
          return s;
        }
        case 'builtins.complex': case '__builtin__.complex': {
          const re = args[0] ?? 0;
          const im = args[1] ?? 0;
          if (typeof re !== 'number' || typeof im !== 'number') throw new PickleError('complex() expects two floats');
          return new PyComplex(re, im);
        }
        case 'builtins.bytearray': case '__builtin__.bytearray': {
          const a = args[0];
          if (a === undefined) return new Uint8Array(0);
          if (a instanceof Uint8Array) return a.slice();
          if (typeof a === 'string' && args[1] === 'latin-1') return Uint8Array.from(a, (c) => c.charCodeAt(0) & 0xff);
          throw new PickleError('unsupported bytearray() arguments');
        }
        case '_codecs.encode': {
          const [s, enc] = args;
          if (typeof s !== 'string' || (enc !== 'latin1' && enc !== 'latin-1')) {
            throw new PickleError(`_codecs.encode is only allowed for latin1 byte strings, got encoding ${String(enc)}`);
          }
          const out = new Uint8Array(s.length);
          for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
          return out;
        }
        default:
          throw new UnsafeGlobalError(fn.fullName, ' (it cannot be called)');
      }
    },

    newObj(cls: unknown, args: unknown[]): unknown {
      if (cls instanceof PyGlobal && cls.fullName === 'collections.OrderedDict') return new PyDict(true);
      if (cls instanceof PyGlobal && (cls.fullName === 'builtins.set' || cls.fullName === 'builtins.frozenset')) {
        return this.reduce(cls, args);
      }
      throw new UnsafeGlobalError(cls instanceof PyGlobal ? cls.fullName : describe(cls), ' (it cannot be instantiated)');
    },

    build(inst: unknown, state: unknown): unknown {
      if (inst instanceof PyDict) {
        // OrderedDict attributes, e.g. a state dict's `_metadata`.
        if (state instanceof PyDict) {
          inst.attrs = new Map(state.map);
          return inst;
        }
        if (state === null) return inst;
      }
      if (inst instanceof RawTensor) {
        // Parameter/tensor python attributes (state): ignored, but only plain dicts/None are accepted.
        return inst;
      }
      throw new PickleError(`BUILD (setstate) is not allowed on a ${describe(inst)}`);
    },

    persistentLoad(pid: unknown): unknown {
      if (!(pid instanceof PyTuple) || pid.items.length === 0) {
        throw new PickleError(`unsupported persistent id ${describe(pid)}`);
      }
      const kind = asStr(pid.items[0], 'persistent id type');
      if (kind === 'module') {
        throw new UnsafeGlobalError('torch.nn.Module (a whole pickled module)', '; save and load its state_dict() instead');
      }
      if (kind !== 'storage') throw new PickleError(`unsupported persistent id type '${kind}'`);
      const [, st, key, location, numel, view] = pid.items;
      if (!(st instanceof StorageType)) throw new PickleError(`persistent storage id names ${describe(st)}, not a storage class`);
      return ctx.storageFor(st, asStr(key, 'storage key'), asStr(location, 'storage location'), asInt(numel, 'storage size'), view);
    },
  };
}

/** Find the archive's folder prefix ('archive/' for torch>=2, the file's stem for 1.x). */
function zipPrefix(z: ZipReader): string {
  for (const n of z.names()) {
    if (n.endsWith('data.pkl')) {
      const p = n.slice(0, -'data.pkl'.length);
      if (p === '' || (p.endsWith('/') && !p.slice(0, -1).includes('/'))) return p;
    }
  }
  if (z.has('constants.pkl') || z.names().some((n) => n.endsWith('/constants.pkl'))) {
    throw new PickleError('this is a TorchScript archive (torch.jit.save); load it with jit.load');
  }
  throw new PickleError('zip archive has no data.pkl record: not a file written by torch.save');
}

function loadZip(bytes: Uint8Array): unknown {
  const z = new ZipReader(bytes);
  const prefix = zipPrefix(z);
  if (z.has(`${prefix}constants.pkl`)) {
    throw new PickleError('this is a TorchScript archive (torch.jit.save); load it with jit.load');
  }
  let bigEndian = false;
  if (z.has(`${prefix}byteorder`)) {
    const bo = new TextDecoder().decode(z.read(`${prefix}byteorder`)).trim();
    if (bo !== 'little' && bo !== 'big') throw new PickleError(`unknown byteorder record '${bo}'`);
    bigEndian = bo === 'big';
  }
  const storages = new Map<string, RawStorage>();
  const ctx: PtContext = {
    storageFor(st, key, location, numel) {
      let s = storages.get(key);
      if (s) return s;
      const name = `${prefix}data/${key}`;
      if (!z.has(name)) throw new PickleError(`storage record '${name}' is missing from the archive`);
      s = new RawStorage(key, st.dtype, numel, location, () => {
        const need = numel * ELEMENT_SIZE[st.dtype];
        const b = z.read(name);
        if (b.length < need) throw new PickleError(`storage '${name}' has ${b.length} bytes, expected ${need}`);
        const data = b.subarray(0, need);
        if (!bigEndian) return data;
        const copy = data.slice();
        byteSwapInPlace(copy, SWAP_SIZE[st.dtype]);
        return copy;
      });
      storages.set(key, s);
      return s;
    },
    nested: (b) => loadLegacyStorageBytes(b),
  };
  const { value } = unpickle(z.read(`${prefix}data.pkl`), torchPolicy(ctx));
  return value;
}

interface LegacyState {
  objects: Map<string, RawStorage>;
}

function legacyContext(st: LegacyState): PtContext {
  return {
    storageFor(type, key, location, numel, view) {
      let root = st.objects.get(key);
      if (!root) {
        root = new RawStorage(key, type.dtype, numel, location);
        st.objects.set(key, root);
      }
      if (view !== null && view !== undefined) {
        if (!(view instanceof PyTuple) || view.items.length !== 3) throw new PickleError('bad legacy storage view metadata');
        const viewKey = asStr(view.items[0], 'view key');
        const offset = asInt(view.items[1], 'view offset');
        const size = asInt(view.items[2], 'view size');
        let v = st.objects.get(viewKey);
        if (!v) {
          if (offset + size > root.numel) throw new PickleError(`legacy storage view '${viewKey}' is out of range`);
          v = new RawStorage(viewKey, type.dtype, size, location);
          v.viewOf = root;
          v.viewOffset = offset;
          st.objects.set(viewKey, v);
        }
        return v;
      }
      return root;
    },
    nested: (b) => loadLegacyStorageBytes(b),
  };
}

/** Legacy format: magic, protocol, sys info, pickle, storage keys, raw storages. */
function loadLegacy(bytes: Uint8Array): unknown {
  const st: LegacyState = { objects: new Map() };
  const plain = torchPolicy(legacyContext(st));
  let r: { value: unknown; end: number };
  try {
    r = unpickle(bytes, plain, 0);
  } catch (err) {
    if (err instanceof UnsafeGlobalError || !(err instanceof PickleError)) throw err;
    throw new PickleError(`not a PyTorch file: neither a zip archive nor a legacy torch.save pickle (${err.message})`);
  }
  if (r.value !== MAGIC_NUMBER && r.value !== Number(MAGIC_NUMBER)) {
    throw new PickleError('not a PyTorch file: the legacy magic number is missing');
  }
  r = unpickle(bytes, plain, r.end);
  if (r.value !== LEGACY_PROTOCOL_VERSION) throw new PickleError(`unsupported legacy protocol version ${String(r.value)}`);
  // sys info ({protocol_version, little_endian, type_sizes}): storages are always stored
  // little-endian by torch's legacy writer, so nothing in it changes how we read.
  r = unpickle(bytes, plain, r.end);
  const main = unpickle(bytes, plain, r.end);
  const keysR = unpickle(bytes, plain, main.end);
  const keys = keysR.value;
  if (!Array.isArray(keys)) throw new PickleError('legacy storage key list is missing');
  readLegacyStorages(bytes, keysR.end, keys, st);
  return main.value;
}

function readLegacyStorages(bytes: Uint8Array, start: number, keys: unknown[], st: LegacyState): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = start;
  for (const k of keys) {
    const key = asStr(k, 'storage key');
    const s = st.objects.get(key);
    if (!s) throw new PickleError(`legacy storage '${key}' is listed but never used`);
    if (pos + 8 > bytes.length) throw new PickleError(`truncated: storage '${key}' size is missing at byte ${pos}`);
    const n = Number(dv.getBigInt64(pos, true));
    pos += 8;
    const es = ELEMENT_SIZE[s.dtype];
    if (n !== s.numel) throw new PickleError(`legacy storage '${key}' has ${n} elements, expected ${s.numel}`);
    const nb = n * es;
    if (pos + nb > bytes.length) {
      throw new PickleError(`truncated: storage '${key}' needs ${nb} bytes at byte ${pos}, the file has ${bytes.length - pos} left`);
    }
    s.setBytes(bytes.subarray(pos, pos + nb));
    pos += nb;
  }
  return pos;
}

/** `torch.storage._load_from_bytes`: a legacy torch.save of a single storage. */
function loadLegacyStorageBytes(bytes: Uint8Array): unknown {
  if (isZip(bytes)) return loadZip(bytes);
  const v = loadLegacy(bytes);
  if (!(v instanceof RawStorage)) throw new PickleError('_load_from_bytes did not contain a storage');
  return v;
}

/**
 * A plain pickle (Python's `pickle.dump`, not `torch.save`) through the same restricted unpickler.
 * Tensors in such pickles carry their storage as `torch.storage._load_from_bytes(<legacy torch.save>)`.
 */
export function parsePlainPickle(bytes: Uint8Array): unknown {
  const ctx: PtContext = {
    storageFor() {
      throw new PickleError('persistent ids (storages outside the pickle) cannot appear in a plain pickle');
    },
    nested: (b) => loadLegacyStorageBytes(b),
  };
  return unpickle(bytes, torchPolicy(ctx)).value;
}

function looksLikeTar(b: Uint8Array): boolean {
  return b.length > 262 && new TextDecoder('latin1').decode(b.subarray(257, 262)) === 'ustar';
}

/** Parse a .pt file's bytes into Python-shaped values with `RawTensor` leaves. */
export function parsePt(bytes: Uint8Array): unknown {
  if (isZip(bytes)) return loadZip(bytes);
  if (looksLikeTar(bytes)) throw new PickleError('the tar-based format of PyTorch < 0.4 is not supported');
  if (bytes.length === 0) throw new PickleError('the file is empty');
  return loadLegacy(bytes);
}

// ----------------------------------------------------------------------------------------------
// Writing

/** What the writer needs to know about a tensor. */
export interface TensorAdapter {
  isTensor(v: unknown): boolean;
  info(t: unknown): { dtype: DType; shape: number[]; device: string };
  /** Contiguous little-endian bytes of the tensor's elements. */
  bytes(t: unknown): Uint8Array;
}

export interface PtWriteOptions {
  /** Folder name inside the archive (PyTorch >= 2 uses 'archive'). */
  archiveName?: string;
}

/**
 * Serialize `obj` into the zip format, streaming the archive to `sink`.
 * Tensor data is fetched record by record, so at most one tensor copy is held at a time.
 */
export function writePt(obj: unknown, adapter: TensorAdapter, sink: (b: Uint8Array) => void, opts: PtWriteOptions = {}): void {
  const prefix = `${opts.archiveName ?? 'archive'}/`;
  const tensors: unknown[] = [];
  const keyOf = new Map<unknown, string>();
  const pickler = new Pickler((value, p, path) => {
    if (!adapter.isTensor(value)) return false;
    if (p.tryGet(value as object)) return true;
    const { dtype, shape, device } = adapter.info(value);
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
    p.bool(false);
    p.global('collections', 'OrderedDict');
    p.emptyTuple();
    p.reduce();
    p.tupleFromMark();
    p.reduce();
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
    const b = adapter.bytes(t);
    const expect = shape.reduce((a, c) => a * c, 1) * ELEMENT_SIZE[dtype];
    if (b.length !== expect) throw new SerializeError(`tensor data for storage ${i} has ${b.length} bytes, expected ${expect}`);
    zw.add(`${prefix}data/${i}`, b);
  }
  zw.add(`${prefix}version`, new TextEncoder().encode('3\n'));
  zw.finish();
}
