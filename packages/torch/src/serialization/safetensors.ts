// safetensors (https://github.com/huggingface/safetensors) read/write.
//
// Layout: u64 little-endian header length N | N bytes of UTF-8 JSON | tensor data.
// The JSON maps tensor names to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to
// the start of the data section) plus an optional "__metadata__" string->string map.
// The writer reproduces the reference (Rust) writer byte for byte: tensors laid out by descending
// dtype rank then name, compact JSON with "__metadata__" first then the tensors in data order,
// header padded with spaces to a multiple of 8 bytes. The reference keeps metadata in a HashMap
// (unspecified order); we write metadata keys sorted.

import * as torch from '../core.js';
import type { Tensor } from '../tensor.js';
import { atomicWrite } from './atomic.js';
import {
  DType, DTYPE_SAFETENSORS, ELEMENT_SIZE, SAFETENSORS_CODE_SIZE, SAFETENSORS_DTYPE, SAFETENSORS_DTYPE_RANK,
} from './dtypes.js';
import { ByteSource, memorySource } from './source.js';
import { fillTensorBytes, readTensorBytes, withDeferredExternalMemory } from './tensor_bytes.js';
import { openSource, SerializationError, sourceName } from './torch_io.js';

/** Largest header the reference reader accepts. */
export const MAX_HEADER_SIZE = 100_000_000;

export interface SafetensorsTensorInfo {
  /** safetensors dtype code (F32, BF16, ...). */
  dtypeCode: string;
  /** Our dtype, or null for codes the binding has no dtype for (U16, U32, U64, F8_*). */
  dtype: DType | null;
  shape: number[];
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  headerSize: number;
  metadata: Record<string, string> | null;
  /** Tensors in data order. */
  tensors: Map<string, SafetensorsTensorInfo>;
  /** Byte offset of the data section in the file. */
  dataStart: number;
}

class FormatError extends Error {}

const isNonNegInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** Parse and validate the header of a safetensors buffer (the whole file) or source. */
export function parseHeader(input: Uint8Array | ByteSource): SafetensorsHeader {
  const src = input instanceof Uint8Array ? memorySource(input) : input;
  const size = src.size;
  if (size < 8) throw new FormatError(`file is ${size} bytes, too short for the 8-byte header length`);
  const lenBytes = src.read(0, 8);
  const n64 = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_SIZE)) throw new FormatError(`header length ${n64} is larger than the ${MAX_HEADER_SIZE}-byte limit (not a safetensors file?)`);
  const n = Number(n64);
  if (8 + n > size) {
    throw new FormatError(`truncated: the header needs ${n} bytes but only ${size - 8} follow the length field`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(src.read(8, n));
  } catch {
    throw new FormatError('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw new FormatError("header does not start with '{' (not a safetensors file?)");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FormatError(`header is not valid JSON: ${(err as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new FormatError('header JSON is not an object');
  let metadata: Record<string, string> | null = null;
  const list: [string, SafetensorsTensorInfo][] = [];
  for (const [name, info] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) throw new FormatError('__metadata__ is not an object');
      metadata = {};
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new FormatError(`__metadata__ value for '${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (info === null || typeof info !== 'object' || Array.isArray(info)) throw new FormatError(`entry for tensor '${name}' is not an object`);
    const { dtype, shape, data_offsets: off } = info as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_CODE_SIZE)) {
      throw new FormatError(`tensor '${name}' has unknown dtype ${JSON.stringify(dtype)}`);
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegInt)) throw new FormatError(`tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(off) || off.length !== 2 || !off.every(isNonNegInt) || off[1] < off[0]) {
      throw new FormatError(`tensor '${name}' has invalid data_offsets ${JSON.stringify(off)}`);
    }
    let numel = 1;
    for (const s of shape) numel *= s;
    const nbytes = numel * SAFETENSORS_CODE_SIZE[dtype]!;
    if (!Number.isSafeInteger(nbytes)) throw new FormatError(`tensor '${name}' is too large`);
    if (off[1] - off[0] !== nbytes) {
      throw new FormatError(
        `tensor '${name}' of dtype ${dtype} and shape [${shape}] needs ${nbytes} bytes but data_offsets [${off}] span ${off[1] - off[0]}`,
      );
    }
    list.push([name, { dtypeCode: dtype, dtype: SAFETENSORS_DTYPE[dtype] ?? null, shape: shape.slice(), dataOffsets: [off[0], off[1]] }]);
  }
  list.sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);
  let pos = 0;
  for (const [name, info] of list) {
    const [b, e] = info.dataOffsets;
    if (b < pos) {
      const prev = list.find(([, i]) => i.dataOffsets[1] > b && i !== info)?.[0];
      throw new FormatError(`tensor '${name}' data [${b}, ${e}) overlaps tensor '${prev}'`);
    }
    if (b > pos) throw new FormatError(`gap in the data section before tensor '${name}' (bytes ${pos}..${b} belong to no tensor)`);
    pos = e;
  }
  const dataStart = 8 + n;
  const available = size - dataStart;
  if (pos > available) {
    throw new FormatError(`truncated: the data section needs ${pos} bytes but the file has ${available} after the header`);
  }
  if (pos < available) throw new FormatError(`the file has ${available - pos} bytes after the last tensor's data`);
  return { headerSize: n, metadata, tensors: new Map(list), dataStart };
}

function wrap<T>(src: string | Uint8Array, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SerializationError) throw err;
    throw new SerializationError(sourceName(src), `invalid safetensors file: ${(err as Error).message}`, { cause: err });
  }
}

/** Header of a safetensors file or buffer (names, dtypes, shapes, offsets, metadata) without loading tensors. */
export function readHeader(src: string | Uint8Array): SafetensorsHeader {
  const source = openSource(src, 'safetensors.readHeader');
  try {
    return wrap(src, () => parseHeader(source));
  } finally {
    source.close();
  }
}

/** Metadata map of a safetensors file (null when it has none). */
export function readMetadata(src: string | Uint8Array): Record<string, string> | null {
  return readHeader(src).metadata;
}

function loadFrom(source: ByteSource, name: string | Uint8Array): Record<string, Tensor> {
  return withDeferredExternalMemory(() => loadTensors(source, name));
}

function loadTensors(source: ByteSource, name: string | Uint8Array): Record<string, Tensor> {
  const header = wrap(name, () => parseHeader(source));
  const out: Record<string, Tensor> = {};
  const made: Tensor[] = [];
  try {
    for (const [tname, info] of header.tensors) {
      if (!info.dtype) {
        throw new SerializationError(sourceName(name), `tensor '${tname}' has dtype ${info.dtypeCode}, which @monai-ts/torch has no dtype for`);
      }
      const [b] = info.dataOffsets;
      // Allocated, then read straight from the file into its memory (sizes were checked against
      // the file by parseHeader before this).
      const t = torch.empty(info.shape, { dtype: info.dtype });
      made.push(t);
      fillTensorBytes(t, (chunk, offset) => source.readInto(chunk, header.dataStart + b + offset));
      Object.defineProperty(out, tname, { value: t, enumerable: true, writable: true, configurable: true });
    }
  } catch (err) {
    for (const t of made) t.dispose();
    throw err;
  }
  return out;
}

/** `safetensors.torch.load`: the tensors of a safetensors buffer, in data order. */
export function load(bytes: Uint8Array): Record<string, Tensor> {
  return loadFrom(memorySource(bytes), bytes);
}

/** `safetensors.torch.load_file`: every tensor of the file, on the CPU (read tensor by tensor). */
export function loadFile(path: string): Record<string, Tensor> {
  const source = openSource(path, 'safetensors.loadFile');
  try {
    return loadFrom(source, path);
  } finally {
    source.close();
  }
}

type TensorMap = Record<string, Tensor> | Map<string, Tensor>;

const te = new TextEncoder();

function utf8Compare(a: string, b: string): number {
  const x = te.encode(a);
  const y = te.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

interface Planned {
  name: string;
  tensor: Tensor;
  code: string;
  shape: number[];
  nbytes: number;
}

/** Header bytes (length field + padded JSON) and the tensors in data order. */
function plan(tensors: TensorMap, metadata?: Record<string, string> | null): { head: Uint8Array; order: Planned[] } {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const order: Planned[] = [];
  for (const [name, t] of entries) {
    if (typeof name !== 'string') throw new TypeError('safetensors: tensor names must be strings');
    if (name === '__metadata__') throw new TypeError("safetensors: '__metadata__' cannot be a tensor name");
    if (!(t instanceof torch.Tensor)) throw new TypeError(`safetensors: '${name}' is not a Tensor`);
    const code = DTYPE_SAFETENSORS[t.dtype as DType];
    if (!code) throw new TypeError(`safetensors: tensor '${name}' has dtype ${t.dtype}, which safetensors cannot store`);
    const shape = t.shape;
    const nbytes = shape.reduce((a, b) => a * b, 1) * ELEMENT_SIZE[t.dtype as DType];
    order.push({ name, tensor: t, code, shape, nbytes });
  }
  order.sort((a, b) => SAFETENSORS_DTYPE_RANK[b.code]! - SAFETENSORS_DTYPE_RANK[a.code]! || utf8Compare(a.name, b.name));
  const parts: string[] = [];
  if (metadata) {
    const keys = Object.keys(metadata).sort(utf8Compare);
    for (const k of keys) {
      if (typeof metadata[k] !== 'string') throw new TypeError(`safetensors: metadata value for '${k}' must be a string`);
    }
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  let offset = 0;
  for (const p of order) {
    parts.push(`${JSON.stringify(p.name)}:{"dtype":"${p.code}","shape":[${p.shape.join(',')}],"data_offsets":[${offset},${offset + p.nbytes}]}`);
    offset += p.nbytes;
  }
  const json = te.encode(`{${parts.join(',')}}`);
  const pad = (8 - (json.length % 8)) % 8;
  const head = new Uint8Array(8 + json.length + pad);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.length + pad), true);
  head.set(json, 8);
  head.fill(0x20, 8 + json.length);
  return { head, order };
}

/** Passes the tensor's bytes to `emit` chunk by chunk, from its memory (no copy when contiguous). */
function emitTensor(p: Planned, emit: (chunk: Uint8Array, offset: number) => void): void {
  let n = 0;
  readTensorBytes(p.tensor, (c, o) => {
    emit(c, o);
    n += c.length;
  });
  if (n !== p.nbytes) throw new Error(`tensor '${p.name}' gave ${n} bytes, expected ${p.nbytes}`);
}

/** `safetensors.torch.save`: the bytes of a safetensors file. */
export function save(tensors: TensorMap, metadata?: Record<string, string> | null): Uint8Array {
  const { head, order } = plan(tensors, metadata);
  const total = head.length + order.reduce((a, p) => a + p.nbytes, 0);
  const out = new Uint8Array(total);
  out.set(head, 0);
  let o = head.length;
  for (const p of order) {
    emitTensor(p, (c, off) => out.set(c, o + off));
    o += p.nbytes;
  }
  return out;
}

/** `safetensors.torch.save_file`, written atomically (temporary file + rename). */
export function saveFile(tensors: TensorMap, path: string, metadata?: Record<string, string> | null): void {
  const { head, order } = plan(tensors, metadata);
  atomicWrite(path, (write) => {
    write(head);
    for (const p of order) emitTensor(p, (c) => write(c));
  });
}
