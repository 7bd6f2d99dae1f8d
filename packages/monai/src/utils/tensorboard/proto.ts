/**
 * The few TensorBoard protobuf messages a SummaryWriter writes (tensorboard/compat/proto: event.proto,
 * summary.proto, tensor.proto, tensor_shape.proto), encoded and decoded by hand. Encoding follows the
 * proto3 rules Python's SerializeToString applies: fields in field-number order, plain scalar fields left
 * out when they hold their default (0, '', empty), members of a oneof and set sub-messages always written,
 * repeated numbers packed. So an event written here has the same bytes as one from Python's protobuf.
 */

/** HistogramProto: the statistics and the right bucket edges with their counts. */
export interface HistogramProto {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

/** Summary.Image: an encoded PNG or GIF. */
export interface ImageProto {
  height: number;
  width: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA */
  colorspace: number;
  encodedImageString: Uint8Array;
}

/** The TensorProto subset text summaries use (DT_STRING values) and new-style scalars (DT_FLOAT). */
export interface TensorProto {
  dtype: number;
  shape: number[];
  stringVal?: Uint8Array[];
  floatVal?: number[];
  doubleVal?: number[];
}

export interface PluginData {
  pluginName: string;
  content?: Uint8Array;
}

export interface SummaryValue {
  tag: string;
  simpleValue?: number;
  image?: ImageProto;
  histo?: HistogramProto;
  tensor?: TensorProto;
  metadata?: { pluginData?: PluginData; displayName?: string; summaryDescription?: string };
}

export interface SummaryProto {
  value: SummaryValue[];
}

/** SessionLog status values. */
export const SessionStatus = { STATUS_UNSPECIFIED: 0, START: 1, STOP: 2, CHECKPOINT: 3 } as const;

export interface EventProto {
  wallTime: number;
  step: number;
  fileVersion?: string;
  summary?: SummaryProto;
  sessionLog?: { status: number; checkpointPath?: string; msg?: string };
}

/** TensorFlow DataType enum values used here. */
export const DataType = { DT_FLOAT: 1, DT_DOUBLE: 2, DT_STRING: 7 } as const;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/** Appends protobuf fields to a growing byte buffer. */
class ProtoWriter {
  private buf = new Uint8Array(64);
  private len = 0;
  private readonly scratch = new DataView(new ArrayBuffer(8));

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** An unsigned varint; negative int64 values take ten bytes (two's complement), as protobuf writes them. */
  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    if (v < 0x80n) {
      this.buf[this.len++] = Number(v);
      return;
    }
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  private key(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  int(field: number, v: number, always = false): void {
    if (!v && !always) return;
    if (!Number.isInteger(v)) throw new TypeError(`protobuf field ${field}: expected an integer, found ${v}`);
    this.key(field, WIRE_VARINT);
    this.varint(v);
  }

  double(field: number, v: number, always = false): void {
    if (v === 0 && !Object.is(v, -0) && !always) return;
    this.key(field, WIRE_I64);
    this.scratch.setFloat64(0, v, true);
    this.raw(new Uint8Array(this.scratch.buffer, 0, 8));
  }

  float(field: number, v: number, always = false): void {
    if (v === 0 && !Object.is(v, -0) && !always) return;
    this.key(field, WIRE_I32);
    this.scratch.setFloat32(0, v, true);
    this.raw(new Uint8Array(this.scratch.buffer, 0, 4));
  }

  bytes(field: number, b: Uint8Array, always = false): void {
    if (!b.length && !always) return;
    this.key(field, WIRE_LEN);
    this.varint(b.length);
    this.raw(b);
  }

  string(field: number, s: string | undefined, always = false): void {
    if (s === undefined) return;
    this.bytes(field, utf8.encode(s), always);
  }

  packedDoubles(field: number, vs: number[]): void {
    if (!vs.length) return;
    const b = new Uint8Array(vs.length * 8);
    const dv = new DataView(b.buffer);
    vs.forEach((v, i) => dv.setFloat64(i * 8, v, true));
    this.bytes(field, b);
  }

  packedFloats(field: number, vs: number[]): void {
    if (!vs.length) return;
    const b = new Uint8Array(vs.length * 4);
    const dv = new DataView(b.buffer);
    vs.forEach((v, i) => dv.setFloat32(i * 4, v, true));
    this.bytes(field, b);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function encodeHistogram(h: HistogramProto): Uint8Array {
  const w = new ProtoWriter();
  w.double(1, h.min);
  w.double(2, h.max);
  w.double(3, h.num);
  w.double(4, h.sum);
  w.double(5, h.sumSquares);
  w.packedDoubles(6, h.bucketLimit);
  w.packedDoubles(7, h.bucket);
  return w.finish();
}

function encodeImage(im: ImageProto): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, im.height);
  w.int(2, im.width);
  w.int(3, im.colorspace);
  w.bytes(4, im.encodedImageString);
  return w.finish();
}

function encodeTensor(t: TensorProto): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, t.dtype);
  const shape = new ProtoWriter();
  for (const size of t.shape) {
    const dim = new ProtoWriter();
    dim.int(1, size);
    shape.bytes(2, dim.finish(), true);
  }
  w.bytes(2, shape.finish(), true);
  w.packedFloats(5, t.floatVal ?? []);
  w.packedDoubles(6, t.doubleVal ?? []);
  for (const s of t.stringVal ?? []) w.bytes(8, s, true);
  return w.finish();
}

function encodeValue(v: SummaryValue): Uint8Array {
  const w = new ProtoWriter();
  w.string(1, v.tag);
  const kinds = [v.simpleValue, v.image, v.histo, v.tensor].filter((k) => k !== undefined).length;
  if (kinds !== 1) throw new Error(`Summary.Value '${v.tag}': expected exactly one of simpleValue, image, histo or tensor, found ${kinds}`);
  if (v.simpleValue !== undefined) w.float(2, v.simpleValue, true);
  if (v.image) w.bytes(4, encodeImage(v.image), true);
  if (v.histo) w.bytes(5, encodeHistogram(v.histo), true);
  if (v.tensor) w.bytes(8, encodeTensor(v.tensor), true);
  if (v.metadata) {
    const m = new ProtoWriter();
    const pd = v.metadata.pluginData;
    if (pd) {
      const p = new ProtoWriter();
      p.string(1, pd.pluginName);
      p.bytes(2, pd.content ?? new Uint8Array(0));
      m.bytes(1, p.finish(), true);
    }
    m.string(2, v.metadata.displayName);
    m.string(3, v.metadata.summaryDescription);
    w.bytes(9, m.finish(), true);
  }
  return w.finish();
}

export function encodeSummary(s: SummaryProto): Uint8Array {
  const w = new ProtoWriter();
  for (const v of s.value) w.bytes(1, encodeValue(v), true);
  return w.finish();
}

/** Serializes an Event as Python's protobuf does (wall_time and step left out when 0). */
export function encodeEvent(e: EventProto): Uint8Array {
  const w = new ProtoWriter();
  w.double(1, e.wallTime);
  w.int(2, e.step);
  if (e.fileVersion !== undefined) w.string(3, e.fileVersion, true);
  if (e.summary) w.bytes(5, encodeSummary(e.summary), true);
  if (e.sessionLog) {
    const s = new ProtoWriter();
    s.int(1, e.sessionLog.status);
    s.string(2, e.sessionLog.checkpointPath);
    s.string(3, e.sessionLog.msg);
    w.bytes(7, s.finish(), true);
  }
  return w.finish();
}

// ---- decoding (for tests and tools: reads what TensorBoard or Python wrote too) ----

interface Field {
  field: number;
  wire: number;
  /** varint as bigint, fixed64/fixed32 as their raw bytes, length-delimited as bytes */
  value: bigint | Uint8Array;
}

/** Splits a message into its fields; throws on a truncated or malformed buffer. */
export function parseFields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error(`protobuf: truncated varint at byte ${pos}`);
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
      if (shift > 63n) throw new Error(`protobuf: varint longer than 10 bytes at byte ${pos}`);
    }
  };
  const take = (n: number): Uint8Array => {
    if (pos + n > buf.length) throw new Error(`protobuf: field needs ${n} bytes at byte ${pos}, only ${buf.length - pos} left`);
    const b = buf.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 0) throw new Error(`protobuf: field number 0 at byte ${pos}`);
    if (wire === WIRE_VARINT) out.push({ field, wire, value: varint() });
    else if (wire === WIRE_I64) out.push({ field, wire, value: take(8) });
    else if (wire === WIRE_LEN) out.push({ field, wire, value: take(Number(varint())) });
    else if (wire === WIRE_I32) out.push({ field, wire, value: take(4) });
    else throw new Error(`protobuf: unsupported wire type ${wire} (field ${field}) at byte ${pos}`);
  }
  return out;
}

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const asBytes = (f: Field): Uint8Array => {
  if (!(f.value instanceof Uint8Array) || f.wire !== WIRE_LEN) throw new Error(`protobuf: field ${f.field} expected length-delimited, found wire type ${f.wire}`);
  return f.value;
};
const asDouble = (f: Field): number => dv(f.value as Uint8Array).getFloat64(0, true);
const asFloat = (f: Field): number => dv(f.value as Uint8Array).getFloat32(0, true);
const asInt = (f: Field): number => Number(BigInt.asIntN(64, f.value as bigint));
const asString = (f: Field): string => utf8Decoder.decode(asBytes(f));

/** Doubles of a repeated double field, packed or not. */
function doubles(fields: Field[], n: number): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== n) continue;
    if (f.wire === WIRE_I64) out.push(asDouble(f));
    else {
      const b = asBytes(f);
      for (let i = 0; i + 8 <= b.length; i += 8) out.push(dv(b).getFloat64(i, true));
    }
  }
  return out;
}

function floats(fields: Field[], n: number): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== n) continue;
    if (f.wire === WIRE_I32) out.push(asFloat(f));
    else {
      const b = asBytes(f);
      for (let i = 0; i + 4 <= b.length; i += 4) out.push(dv(b).getFloat32(i, true));
    }
  }
  return out;
}

function decodeHistogram(b: Uint8Array): HistogramProto {
  const fs = parseFields(b);
  const one = (n: number): number => { const f = fs.find((x) => x.field === n); return f ? asDouble(f) : 0; };
  return { min: one(1), max: one(2), num: one(3), sum: one(4), sumSquares: one(5), bucketLimit: doubles(fs, 6), bucket: doubles(fs, 7) };
}

function decodeImage(b: Uint8Array): ImageProto {
  const im: ImageProto = { height: 0, width: 0, colorspace: 0, encodedImageString: new Uint8Array(0) };
  for (const f of parseFields(b)) {
    if (f.field === 1) im.height = asInt(f);
    else if (f.field === 2) im.width = asInt(f);
    else if (f.field === 3) im.colorspace = asInt(f);
    else if (f.field === 4) im.encodedImageString = asBytes(f).slice();
  }
  return im;
}

function decodeTensor(b: Uint8Array): TensorProto {
  const fs = parseFields(b);
  const t: TensorProto = { dtype: 0, shape: [] };
  for (const f of fs) {
    if (f.field === 1) t.dtype = asInt(f);
    else if (f.field === 2) {
      for (const d of parseFields(asBytes(f))) {
        if (d.field !== 2) continue;
        const size = parseFields(asBytes(d)).find((x) => x.field === 1);
        t.shape.push(size ? asInt(size) : 0);
      }
    } else if (f.field === 8) (t.stringVal ??= []).push(asBytes(f).slice());
  }
  const fv = floats(fs, 5);
  if (fv.length) t.floatVal = fv;
  const dvs = doubles(fs, 6);
  if (dvs.length) t.doubleVal = dvs;
  return t;
}

function decodeValue(b: Uint8Array): SummaryValue {
  const v: SummaryValue = { tag: '' };
  for (const f of parseFields(b)) {
    if (f.field === 1) v.tag = asString(f);
    else if (f.field === 2) v.simpleValue = asFloat(f);
    else if (f.field === 4) v.image = decodeImage(asBytes(f));
    else if (f.field === 5) v.histo = decodeHistogram(asBytes(f));
    else if (f.field === 8) v.tensor = decodeTensor(asBytes(f));
    else if (f.field === 9) {
      const m: NonNullable<SummaryValue['metadata']> = {};
      for (const g of parseFields(asBytes(f))) {
        if (g.field === 1) {
          const pd: PluginData = { pluginName: '' };
          for (const p of parseFields(asBytes(g))) {
            if (p.field === 1) pd.pluginName = asString(p);
            else if (p.field === 2) pd.content = asBytes(p).slice();
          }
          m.pluginData = pd;
        } else if (g.field === 2) m.displayName = asString(g);
        else if (g.field === 3) m.summaryDescription = asString(g);
      }
      v.metadata = m;
    }
  }
  return v;
}

export function decodeSummary(b: Uint8Array): SummaryProto {
  return { value: parseFields(b).filter((f) => f.field === 1).map((f) => decodeValue(asBytes(f))) };
}

/** Parses one serialized Event (fields this module does not know are skipped). */
export function decodeEvent(b: Uint8Array): EventProto {
  const e: EventProto = { wallTime: 0, step: 0 };
  for (const f of parseFields(b)) {
    if (f.field === 1) e.wallTime = asDouble(f);
    else if (f.field === 2) e.step = asInt(f);
    else if (f.field === 3) e.fileVersion = asString(f);
    else if (f.field === 5) e.summary = decodeSummary(asBytes(f));
    else if (f.field === 7) {
      const s: NonNullable<EventProto['sessionLog']> = { status: 0 };
      for (const g of parseFields(asBytes(f))) {
        if (g.field === 1) s.status = asInt(g);
        else if (g.field === 2) s.checkpointPath = asString(g);
        else if (g.field === 3) s.msg = asString(g);
      }
      e.sessionLog = s;
    }
  }
  return e;
}
