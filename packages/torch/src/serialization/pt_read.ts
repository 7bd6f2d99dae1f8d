// PyTorch .pt/.pth readers: the zip format (torch.save default since 1.6), the legacy format
// (`_use_new_zipfile_serialization=False`) and plain pickles, all through the restricted unpickler.

import { byteSwapInPlace, ELEMENT_SIZE, SWAP_SIZE } from './dtypes.js';
import { PyTuple } from './pyvalues.js';
import { RawStorage } from './raw.js';
import { asInt, asStr, PtContext, torchPolicy, UnsafeGlobalError } from './torch_policy.js';
import { PickleError, unpickle } from './unpickler.js';
import { ByteSource, memorySource } from './source.js';
import { isZip, ZipReader } from './zip.js';

const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

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

function loadZip(src: Uint8Array | ByteSource, verify: boolean): unknown {
  const z = new ZipReader(src);
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
      const need = numel * ELEMENT_SIZE[st.dtype];
      const entry = z.entries.get(name)!;
      // Checked before any memory is allocated for it: the record must hold what the pickle claims.
      if (entry.size < need) {
        throw new PickleError(`storage '${name}' has ${entry.size} bytes, but the pickle describes ${numel} ${st.dtype} elements (${need} bytes)`);
      }
      s = new RawStorage(key, st.dtype, numel, location, () => {
        const read = z.chunkReader(name, need, verify);
        if (!bigEndian) return read;
        const swap = SWAP_SIZE[st.dtype];
        return (dest, offset) => {
          read(dest, offset);
          byteSwapInPlace(dest, swap);
        };
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

/** The pickles at the head of a legacy file: magic, protocol, sys info, the object, storage keys. */
function parseLegacyHead(bytes: Uint8Array): { st: LegacyState; value: unknown; keys: unknown[]; end: number } {
  const st: LegacyState = { objects: new Map() };
  const plain = torchPolicy(legacyContext(st));
  let r: { value: unknown; end: number };
  try {
    r = unpickle(bytes, plain, 0);
  } catch (err) {
    // The magic number's pickle is a few bytes: any failure here means another kind of file.
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
  return { st, value: main.value, keys, end: keysR.end };
}

const TRUNCATED = /^truncated pickle/;
/** First window for the legacy head's pickles (tests lower it to exercise the growing window). */
export const legacyHead = { windowBytes: 1 << 20 };

/**
 * Legacy format: magic, protocol, sys info, pickle, storage keys, then each storage as its element
 * count (int64) and raw bytes. The pickles are parsed from the start of the file (a window that
 * grows until they fit: they describe the tensors, and are small); the storages are then located
 * with positioned reads and read straight into tensor memory when the tensors are made.
 */
function loadLegacy(src: ByteSource): unknown {
  let head: ReturnType<typeof parseLegacyHead>;
  for (let window = Math.min(src.size, legacyHead.windowBytes); ; window = Math.min(src.size, window * 4)) {
    try {
      head = parseLegacyHead(src.read(0, window));
      break;
    } catch (err) {
      if (!(err instanceof PickleError) || !TRUNCATED.test(err.message) || window === src.size) throw err;
    }
  }
  let pos = head.end;
  for (const k of head.keys) {
    const key = asStr(k, 'storage key');
    const s = head.st.objects.get(key);
    if (!s) throw new PickleError(`legacy storage '${key}' is listed but never used`);
    if (pos + 8 > src.size) throw new PickleError(`truncated: storage '${key}' size is missing at byte ${pos}`);
    const nb8 = src.read(pos, 8);
    const n = Number(new DataView(nb8.buffer, nb8.byteOffset, 8).getBigInt64(0, true));
    pos += 8;
    if (n !== s.numel) throw new PickleError(`legacy storage '${key}' has ${n} elements, expected ${s.numel}`);
    const nb = n * ELEMENT_SIZE[s.dtype];
    if (pos + nb > src.size) {
      throw new PickleError(`truncated: storage '${key}' needs ${nb} bytes at byte ${pos}, the file has ${src.size - pos} left`);
    }
    const at = pos;
    s.setReader(() => (dest, offset) => src.readInto(dest, at + offset));
    pos += nb;
  }
  return head.value;
}

/** `torch.storage._load_from_bytes`: a legacy torch.save of a single storage. */
function loadLegacyStorageBytes(bytes: Uint8Array): unknown {
  if (isZip(bytes)) return loadZip(bytes, true);
  const v = loadLegacy(memorySource(bytes));
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

/**
 * Parse a .pt file into Python-shaped values with `RawTensor` leaves. For the zip format, storages
 * are read from `src` when first used, so `src` must stay open until they are.
 */
export function parsePt(input: Uint8Array | ByteSource, opts: { verifyChecksums?: boolean } = {}): unknown {
  const src = input instanceof Uint8Array ? memorySource(input) : input;
  if (src.size === 0) throw new PickleError('the file is empty');
  if (isZip(src)) return loadZip(src, opts.verifyChecksums ?? false);
  const head = src.read(0, Math.min(src.size, 512));
  if (looksLikeTar(head)) throw new PickleError('the tar-based format of PyTorch < 0.4 is not supported');
  return loadLegacy(src);
}
