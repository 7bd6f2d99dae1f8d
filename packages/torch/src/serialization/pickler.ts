// A small pickle writer (protocol 2) that only emits opcodes PyTorch 1.13's `weights_only`
// unpickler understands (plus BINFLOAT for floats and BINBYTES for bytes, which 1.13's restricted
// unpickler lacks but every other unpickler, PyTorch >= 2.0's weights_only included, accepts).

import { isTuple, PY_ATTRS, PyComplex } from './pyvalues.js';

export class ByteWriter {
  buf: Uint8Array;
  len = 0;
  private dv: DataView;
  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
    this.dv = new DataView(this.buf.buffer);
  }
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
    this.dv = new DataView(nb.buffer);
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  u16(v: number): void {
    this.ensure(2);
    this.dv.setUint16(this.len, v, true);
    this.len += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.dv.setUint32(this.len, v, true);
    this.len += 4;
  }
  i32(v: number): void {
    this.ensure(4);
    this.dv.setInt32(this.len, v, true);
    this.len += 4;
  }
  f64be(v: number): void {
    this.ensure(8);
    this.dv.setFloat64(this.len, v, false);
    this.len += 8;
  }
  ascii(s: string): void {
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i) & 0xff);
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

const te = new TextEncoder();

/** Encode a bigint as pickle LONG1 payload (little-endian two's complement, minimal length). */
export function encodeLong(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array(0);
  const out: number[] = [];
  let x = v;
  for (;;) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
    const signBit = (out[out.length - 1]! & 0x80) !== 0;
    if ((x === 0n && !signBit) || (x === -1n && signBit)) break;
  }
  return Uint8Array.from(out);
}

export class SerializeError extends Error {
  override name = 'SerializeError';
}

/** Returns true when it has written `value` itself. */
export type PickleHook = (value: unknown, p: Pickler, path: string) => boolean;

export class Pickler {
  readonly w = new ByteWriter();
  private memo = new Map<object, number>();
  private active = new Set<object>();

  constructor(private hook: PickleHook | null = null) {
    this.w.byte(0x80); // PROTO 2
    this.w.byte(2);
  }

  finish(): Uint8Array {
    this.w.byte(0x2e); // STOP
    return this.w.result();
  }

  // --- low-level emitters
  mark(): void { this.w.byte(0x28); }
  global(module: string, name: string): void {
    this.w.byte(0x63);
    this.w.ascii(`${module}\n${name}\n`);
  }
  emptyTuple(): void { this.w.byte(0x29); }
  tupleFromMark(): void { this.w.byte(0x74); }
  reduce(): void { this.w.byte(0x52); }
  binpersid(): void { this.w.byte(0x51); }
  none(): void { this.w.byte(0x4e); }
  bool(b: boolean): void { this.w.byte(b ? 0x88 : 0x89); }
  str(s: string): void {
    const b = te.encode(s);
    this.w.byte(0x58); // BINUNICODE
    this.w.u32(b.length);
    this.w.bytes(b);
  }
  int(v: number | bigint): void {
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      if (v >= 0 && v < 256) { this.w.byte(0x4b); this.w.byte(v); return; }
      if (v >= 0 && v < 65536) { this.w.byte(0x4d); this.w.u16(v); return; }
      if (v >= -0x80000000 && v <= 0x7fffffff) { this.w.byte(0x4a); this.w.i32(v); return; }
      v = BigInt(v);
    }
    const b = encodeLong(BigInt(v));
    if (b.length > 255) throw new SerializeError('integer too large to pickle');
    this.w.byte(0x8a); // LONG1
    this.w.byte(b.length);
    this.w.bytes(b);
  }
  float(v: number): void {
    this.w.byte(0x47); // BINFLOAT
    this.w.f64be(v);
  }
  /** Write an int tuple (sizes, strides) the way Python does. */
  intTuple(xs: readonly number[]): void {
    this.tuple(xs.length, (i) => this.int(xs[i]!));
  }
  tuple(n: number, item: (i: number) => void): void {
    if (n === 0) { this.emptyTuple(); return; }
    if (n <= 3) {
      for (let i = 0; i < n; i++) item(i);
      this.w.byte(0x84 + n); // TUPLE1..3
      return;
    }
    this.mark();
    for (let i = 0; i < n; i++) item(i);
    this.tupleFromMark();
  }
  private put(obj: object): void {
    const i = this.memo.size;
    this.memo.set(obj, i);
    if (i < 256) { this.w.byte(0x71); this.w.byte(i); } else { this.w.byte(0x72); this.w.u32(i); }
  }
  /** If `obj` was written before, emit a memo GET and return true. */
  tryGet(obj: object): boolean {
    const i = this.memo.get(obj);
    if (i === undefined) return false;
    if (i < 256) { this.w.byte(0x68); this.w.byte(i); } else { this.w.byte(0x6a); this.w.u32(i); }
    return true;
  }
  /** Memoize the object now on top of the stack. */
  memoize(obj: object): void {
    this.put(obj);
  }

  // --- values
  save(value: unknown, path = '<root>'): void {
    if (this.hook && this.hook(value, this, path)) return;
    if (value === null || value === undefined) return this.none();
    switch (typeof value) {
      case 'boolean': return this.bool(value);
      case 'string': return this.str(value);
      case 'bigint': return this.int(value);
      case 'number':
        if (Number.isSafeInteger(value) && !Object.is(value, -0)) return this.int(value);
        return this.float(value);
      case 'object': break;
      default:
        throw new SerializeError(`cannot save a ${typeof value} at ${path}`);
    }
    const obj = value as object;
    if (this.tryGet(obj)) return;
    if (obj instanceof Uint8Array && !(obj instanceof Uint8ClampedArray)) {
      this.w.byte(0x42); // BINBYTES
      this.w.u32(obj.length);
      this.w.bytes(obj);
      this.put(obj);
      return;
    }
    if (obj instanceof PyComplex) {
      this.global('builtins', 'complex');
      this.float(obj.re);
      this.float(obj.im);
      this.w.byte(0x86);
      this.reduce();
      this.put(obj);
      return;
    }
    if (Array.isArray(obj)) {
      if (isTuple(obj)) {
        if (this.active.has(obj)) throw new SerializeError(`tuple at ${path} contains itself`);
        this.active.add(obj);
        this.tuple(obj.length, (i) => this.save(obj[i], `${path}[${i}]`));
        this.active.delete(obj);
        this.put(obj);
        return;
      }
      this.w.byte(0x5d); // EMPTY_LIST
      this.put(obj);
      this.batched(obj.length, (i) => this.save(obj[i], `${path}[${i}]`), 0x65, 0x61);
      return;
    }
    const attrs = (obj as Record<symbol, unknown>)[PY_ATTRS];
    if (attrs !== undefined && (obj instanceof Map || Object.getPrototypeOf(obj) === Object.prototype)) {
      // An OrderedDict with attributes (a state dict's `_metadata`): OrderedDict(), items, BUILD.
      this.global('collections', 'OrderedDict');
      this.emptyTuple();
      this.reduce();
      this.put(obj);
      const entries: [unknown, unknown][] = obj instanceof Map ? [...obj.entries()] : Object.entries(obj);
      this.batched(entries.length, (i) => {
        const [k, v] = entries[i]!;
        this.saveKey(k, path);
        this.save(v, `${path}.${String(k)}`);
      }, 0x75, 0x73);
      this.save(attrs, `${path}<attrs>`);
      this.w.byte(0x62); // BUILD
      return;
    }
    if (obj instanceof Map) {
      this.w.byte(0x7d); // EMPTY_DICT
      this.put(obj);
      const entries = [...obj.entries()];
      this.batched(entries.length, (i) => {
        const [k, v] = entries[i]!;
        this.saveKey(k, path);
        this.save(v, `${path}.${String(k)}`);
      }, 0x75, 0x73);
      return;
    }
    const proto = Object.getPrototypeOf(obj);
    if (proto === Object.prototype || proto === null) {
      this.w.byte(0x7d); // EMPTY_DICT
      this.put(obj);
      const keys = Object.keys(obj);
      this.batched(keys.length, (i) => {
        const k = keys[i]!;
        this.str(k);
        this.save((obj as Record<string, unknown>)[k], `${path}.${k}`);
      }, 0x75, 0x73);
      return;
    }
    throw new SerializeError(
      `cannot save a ${proto?.constructor?.name ?? 'object'} at ${path}: only tensors, plain objects, Maps, ` +
        'arrays, tuples, numbers, bigints, strings, booleans, null and Uint8Array (bytes) can be saved',
    );
  }

  private saveKey(k: unknown, path: string): void {
    if (typeof k === 'object' && k !== null && !Array.isArray(k)) {
      throw new SerializeError(`cannot save a Map key of type ${typeof k} at ${path}`);
    }
    this.save(k, `${path}<key>`);
  }

  /** Python's batching: MARK items... APPENDS/SETITEMS in groups of 1000 (single item: APPEND/SETITEM). */
  private batched(n: number, item: (i: number) => void, many: number, one: number): void {
    for (let start = 0; start < n; start += 1000) {
      const end = Math.min(n, start + 1000);
      if (end - start === 1) {
        item(start);
        this.w.byte(one);
      } else {
        this.mark();
        for (let i = start; i < end; i++) item(i);
        this.w.byte(many);
      }
    }
  }
}
