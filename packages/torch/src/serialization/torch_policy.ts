// The allow-list policy of the restricted unpickler for PyTorch files: which globals may be named,
// and what calling them means (building RawTensor records, OrderedDicts, sets, ...). Nothing is
// imported or executed; unknown globals are refused by name.

import { STORAGE_CLASS_DTYPE, TORCH_DTYPE_NAMES } from './dtypes.js';
import { PyComplex, PyDict, PyGlobal, PySet, PyTuple } from './pyvalues.js';
import { DTypeRef, RawStorage, RawTensor, StorageType } from './raw.js';
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

export function asInt(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  throw new PickleError(`expected an integer for ${what}, got ${describe(v)}`);
}

function asIntList(v: unknown, what: string): number[] {
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
