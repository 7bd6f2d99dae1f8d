// The allow-list policy of the restricted unpickler for PyTorch files: which globals may be named,
// and what calling them means (building RawTensor records, OrderedDicts, sets, ...). Nothing is
// imported or executed; unknown globals are refused by name.

import { STORAGE_CLASS_DTYPE } from './dtypes.js';
import { DTYPE_BY_NAME } from '../dtype.js';
import { PyComplex, PyDict, PyGlobal, PySet, PyTuple } from './pyvalues.js';
import { DTypeRef, NumpyArray, NumpyDType, RawStorage, RawTensor, StorageType } from './raw.js';
import { describe, PickleError, UnpicklePolicy } from './unpickler.js';

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
  // numpy arrays, dtypes and scalars: rebuilt from their bytes, no numpy code involved.
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar',
  'numpy.ndarray', 'numpy.dtype',
  // MONAI's tensor subclass (its Python state is returned as data) and its string enums.
  'monai.data.meta_tensor.MetaTensor',
  // only as getattr(<MONAI enum class>, '<member>'), see MONAI_ENUM_MEMBERS
  'builtins.getattr', '__builtin__.getattr',
]);

/** Tensor subclasses `_rebuild_from_type_v2` may name (as types; nothing of them runs). */
const TENSOR_TYPES = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter', 'monai.data.meta_tensor.MetaTensor']);

/** MONAI string enums (MetaKeys, SpaceKeys, TraceKeys, ...): `Enum(value)` is just the value. */
const isMonaiEnum = (module: string): boolean => module === 'monai.utils.enums';

/**
 * Python >= 3.11 pickles enum members by name, `getattr(SpaceKeys, 'RAS')`; these are the MONAI
 * members that appear in MetaTensor metadata, with their values.
 */
const MONAI_ENUM_MEMBERS: Record<string, Record<string, string>> = {
  SpaceKeys: { RAS: 'RAS', LPS: 'LPS' },
  MetaKeys: {
    AFFINE: 'affine', ORIGINAL_AFFINE: 'original_affine', SPATIAL_SHAPE: 'spatial_shape', SPACE: 'space',
    ORIGINAL_CHANNEL_DIM: 'original_channel_dim', SAVED_TO: 'saved_to',
  },
  TraceKeys: {
    CLASS_NAME: 'class', ID: 'id', ORIG_SIZE: 'orig_size', EXTRA_INFO: 'extra_info', DO_TRANSFORM: 'do_transforms',
    KEY_SUFFIX: '_transforms', NONE: 'none', TRACING: 'tracing', STATUSES: 'statuses', LAZY: 'lazy',
  },
};

function numpyScalar(dt: NumpyDType, b: Uint8Array): number | bigint | boolean {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = !dt.bigEndian;
  const need = (n: number) => {
    if (b.length !== n) throw new PickleError(`numpy scalar of dtype ${dt.code} has ${b.length} bytes, expected ${n}`);
  };
  switch (dt.code) {
    case 'f8': need(8); return dv.getFloat64(0, le);
    case 'f4': need(4); return dv.getFloat32(0, le);
    case 'f2': need(2); return halfToNumber(dv.getUint16(0, le));
    case 'i8': need(8); return normBig(dv.getBigInt64(0, le));
    case 'u8': need(8); return normBig(dv.getBigUint64(0, le));
    case 'i4': need(4); return dv.getInt32(0, le);
    case 'u4': need(4); return dv.getUint32(0, le);
    case 'i2': need(2); return dv.getInt16(0, le);
    case 'u2': need(2); return dv.getUint16(0, le);
    case 'i1': need(1); return dv.getInt8(0);
    case 'u1': need(1); return dv.getUint8(0);
    case 'b1': need(1); return b[0] !== 0;
    default: throw new PickleError(`numpy scalar of dtype '${dt.code}' is not supported`);
  }
}

function normBig(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export class UnsafeGlobalError extends PickleError {
  override name = 'UnsafeGlobalError';
  constructor(readonly global: string, detail = '') {
    super(
      `refusing to load global '${global}': it is not on the allow-list of a weights-only load ` +
        `(tensors, storages, OrderedDict, torch.Size and plain Python values)${detail}. Nothing was executed.`,
    );
  }
}

export function asInt(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  throw new PickleError(`expected an integer for ${what}, got ${describe(v)}`);
}

export function asIntList(v: unknown, what: string): number[] {
  if (!(v instanceof PyTuple) && !Array.isArray(v)) throw new PickleError(`expected a tuple for ${what}, got ${describe(v)}`);
  const items = v instanceof PyTuple ? v.items : v;
  return items.map((x, i) => asInt(x, `${what}[${i}]`));
}

export function asStr(v: unknown, what: string): string {
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

export interface PtContext {
  /** zip: storage key -> loader; legacy: storages created on first mention. */
  storageFor(typeName: StorageType, key: string, location: string, numel: number, view: unknown): RawStorage;
  nested(bytes: Uint8Array): unknown;
}

export function torchPolicy(ctx: PtContext): UnpicklePolicy {
  return {
    findGlobal(module: string, name: string): unknown {
      const full = `${module}.${name}`;
      if (module === 'torch' || module === 'torch.storage') {
        if (Object.hasOwn(STORAGE_CLASS_DTYPE, name)) return new StorageType(STORAGE_CLASS_DTYPE[name]!, name);
        if (name === 'UntypedStorage' || name === '_UntypedStorage') return new StorageType('uint8', name);
      }
      if (module === 'torch' && Object.hasOwn(DTYPE_BY_NAME, name)) return new DTypeRef(DTYPE_BY_NAME[name]!);
      if (ALLOWED_FUNCTIONS.has(full) || isMonaiEnum(module)) return new PyGlobal(module, name);
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
          const [func, newType, fargs, state] = args;
          if (!(newType instanceof PyGlobal) || !TENSOR_TYPES.has(newType.fullName)) {
            throw new UnsafeGlobalError(newType instanceof PyGlobal ? newType.fullName : describe(newType), ' (tensor subclass)');
          }
          if (!(fargs instanceof PyTuple)) throw new PickleError('_rebuild_from_type_v2 expects an argument tuple');
          const r = this.reduce(func, fargs.items);
          if (r instanceof RawTensor && newType.name === 'Parameter') r.isParameter = true;
          if (r instanceof RawTensor && newType.fullName !== 'torch.Tensor' && newType.name !== 'Parameter') {
            const t = new RawTensor(r.storage, r.storageOffset, r.shape, r.stride, r.requiresGrad, r.isParameter);
            t.pyClass = newType.fullName;
            t.pyState = state ?? null;
            return t;
          }
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
        case 'builtins.getattr':
        case '__builtin__.getattr': {
          const [cls, member] = args;
          if (!(cls instanceof PyGlobal) || !isMonaiEnum(cls.module) || typeof member !== 'string') {
            throw new UnsafeGlobalError(`${fn.module}.getattr`, ` (only allowed on MONAI enums, got ${cls instanceof PyGlobal ? cls.fullName : describe(cls)})`);
          }
          const value = MONAI_ENUM_MEMBERS[cls.name]?.[member];
          if (value === undefined) throw new PickleError(`unknown MONAI enum member ${cls.fullName}.${member}`);
          return value;
        }
        case 'numpy.core.multiarray._reconstruct':
        case 'numpy._core.multiarray._reconstruct': {
          if (!(args[0] instanceof PyGlobal) || args[0].fullName !== 'numpy.ndarray') {
            throw new PickleError('_reconstruct is only allowed for numpy.ndarray');
          }
          return new NumpyArray();
        }
        case 'numpy.dtype': {
          if (typeof args[0] !== 'string') throw new PickleError('numpy.dtype() expects a type code');
          return new NumpyDType(args[0]);
        }
        case 'numpy.core.multiarray.scalar':
        case 'numpy._core.multiarray.scalar': {
          const [dt, data] = args;
          if (!(dt instanceof NumpyDType) || !(data instanceof Uint8Array)) throw new PickleError('numpy scalar() expects a dtype and bytes');
          return numpyScalar(dt, data);
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
          if (isMonaiEnum(fn.module) && args.length === 1 && (typeof args[0] === 'string' || typeof args[0] === 'number')) {
            return args[0];
          }
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
      if (inst instanceof NumpyDType) {
        // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
        const st = state instanceof PyTuple ? state.items : null;
        if (!st || typeof st[1] !== 'string') throw new PickleError('bad numpy dtype state');
        if (st[3] !== null && st[3] !== undefined) throw new PickleError(`structured numpy dtypes are not supported`);
        inst.byteorder = st[1];
        return inst;
      }
      if (inst instanceof NumpyArray) {
        // (version, shape, dtype, is_fortran, rawdata)
        const st = state instanceof PyTuple ? state.items : null;
        if (!st || st.length !== 5) throw new PickleError('bad numpy array state');
        const [, shape, dt, fortran, raw] = st;
        if (!(dt instanceof NumpyDType)) throw new PickleError('numpy array state has no dtype');
        if (!(raw instanceof Uint8Array)) throw new PickleError(`numpy array of dtype '${dt.code}' holds Python objects, which cannot be loaded`);
        inst.shape = asIntList(shape, 'numpy shape');
        inst.dtype = dt;
        inst.fortran = fortran === true;
        inst.data = raw;
        return inst;
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
