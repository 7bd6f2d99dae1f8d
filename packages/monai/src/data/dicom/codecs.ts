// Compressed pixel data codecs: the @cornerstonejs WebAssembly codecs (instantiated synchronously, so that
// reading stays synchronous), jpeg-lossless-decoder-js for JPEG lossless, and our RLE decoder.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { decodeJpegDct } from './jpeg_dct.js';

const require = createRequire(import.meta.url);

// The WebAssembly API (a Node global; the project's lib settings do not declare it).
type WasmModule = object;
interface WasmInstance {
  exports: unknown;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** What a codec reports about the frame it decoded. */
export interface DecodedFrame {
  width: number;
  height: number;
  components: number;
  bitsPerSample: number;
  signed: boolean;
  /** Decoded samples, interleaved, little-endian: 1 byte per sample if bitsPerSample <= 8, else 2. */
  bytes: Uint8Array;
}

/** The header limits a decoded frame must respect (from the DICOM data set); checked before decoding. */
export interface FrameLimits {
  rows: number;
  cols: number;
  spp: number;
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  readHeader?(): void;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  delete(): void;
}

type CodecName = 'jpeg' | 'jpegls' | 'j2k' | 'htj2k';

// `js` and `wasm` are subpaths each package exports (its package.json "exports"), not files inside it.
const CODECS: Record<CodecName, { pkg: string; js: string; wasm: string; cls: string }> = {
  jpeg: { pkg: '@cornerstonejs/codec-libjpeg-turbo-8bit', js: 'decodewasmjs', wasm: 'decodewasm', cls: 'JPEGDecoder' },
  jpegls: { pkg: '@cornerstonejs/codec-charls', js: 'decodewasmjs', wasm: 'decodewasm', cls: 'JpegLSDecoder' },
  j2k: { pkg: '@cornerstonejs/codec-openjpeg', js: 'decodewasmjs', wasm: 'decodewasm', cls: 'J2KDecoder' },
  htj2k: { pkg: '@cornerstonejs/codec-openjph', js: 'wasmjs', wasm: 'wasm', cls: 'HTJ2KDecoder' },
};

const compiled = new Map<CodecName, WasmModule>();
const instances = new Map<CodecName, Record<string, unknown>>();

/** Instantiates a codec module synchronously (the Emscripten factory accepts a synchronous instantiateWasm hook). */
function codecModule(name: CodecName): Record<string, unknown> {
  const existing = instances.get(name);
  if (existing) return existing;
  const spec = CODECS[name];
  let mod = compiled.get(name);
  if (!mod) {
    mod = new Wasm.Module(readFileSync(require.resolve(`${spec.pkg}/${spec.wasm}`)));
    compiled.set(name, mod);
  }
  const factory = require(`${spec.pkg}/${spec.js}`) as (arg: object) => Promise<unknown>;
  const wasmModule = mod;
  const arg: Record<string, unknown> = {
    instantiateWasm(imports: object, receive: (inst: WasmInstance, m: WasmModule) => void) {
      const inst = new Wasm.Instance(wasmModule, imports);
      receive(inst, wasmModule);
      return inst.exports;
    },
    print: () => {},
    printErr: () => {},
  };
  const ready = factory(arg);
  // The promise resolves later; the module is usable now. Swallow a late rejection (reported by the decode call).
  if (ready && typeof (ready as Promise<unknown>).catch === 'function') (ready as Promise<unknown>).catch(() => {});
  if (typeof arg[spec.cls] !== 'function') throw new Error(`codec ${spec.pkg} did not initialise synchronously`);
  instances.set(name, arg);
  return arg;
}

function runWasm(name: CodecName, data: Uint8Array, limits: FrameLimits): DecodedFrame {
  const mod = codecModule(name);
  const Cls = mod[CODECS[name].cls] as new () => WasmDecoder;
  let dec: WasmDecoder | undefined;
  try {
    dec = new Cls();
    dec.getEncodedBuffer(data.length).set(data);
    if (name === 'j2k' || name === 'htj2k') {
      const siz = scanJ2kSiz(data);
      if (!siz) throw new FrameMismatch('no JPEG 2000 SIZ marker segment in the frame');
      checkLimits({ width: siz.width, height: siz.height, componentCount: siz.components }, limits);
    } else {
      const sof = scanJpegSof(data);
      if (!sof) throw new FrameMismatch('no JPEG start-of-frame marker in the frame');
      checkLimits({ width: sof.width, height: sof.height, componentCount: sof.components }, limits);
    }
    dec.decode();
    const info = dec.getFrameInfo();
    checkLimits(info, limits);
    const decoded = dec.getDecodedBuffer();
    const bytes = new Uint8Array(decoded.length);
    bytes.set(decoded);
    return {
      width: info.width,
      height: info.height,
      components: info.componentCount,
      bitsPerSample: info.bitsPerSample,
      signed: Boolean(info.isSigned),
      bytes,
    };
  } catch (e) {
    // An aborted Emscripten module is unusable: drop it so the next call starts a fresh instance.
    if (!(e instanceof FrameMismatch)) instances.delete(name);
    throw e;
  } finally {
    try {
      dec?.delete();
    } catch {
      instances.delete(name);
    }
  }
}

class FrameMismatch extends Error {}

function checkLimits(info: { width: number; height: number; componentCount: number }, limits: FrameLimits): void {
  if (info.width !== limits.cols || info.height !== limits.rows || info.componentCount !== limits.spp) {
    throw new FrameMismatch(
      `compressed frame is ${info.width}x${info.height} with ${info.componentCount} component(s), but the header says Columns=${limits.cols}, Rows=${limits.rows}, SamplesPerPixel=${limits.spp}`,
    );
  }
}

/** Reads the image size from a JPEG 2000 codestream's SIZ marker segment (a JP2 wrapper is searched through). */
export function scanJ2kSiz(data: Uint8Array): { width: number; height: number; components: number; precision: number; signed: boolean } | undefined {
  const limit = Math.min(data.length - 43, 1 << 16);
  for (let i = 0; i <= limit; i++) {
    if (data[i] === 0xff && data[i + 1] === 0x4f && data[i + 2] === 0xff && data[i + 3] === 0x51) {
      const v = new DataView(data.buffer, data.byteOffset + i + 4, 39);
      const xsiz = v.getUint32(4), ysiz = v.getUint32(8), xo = v.getUint32(12), yo = v.getUint32(16);
      // Ssiz of the first component: bit 7 is the sign, the rest the precision minus one.
      const ssiz = v.getUint8(38);
      return { width: xsiz - xo, height: ysiz - yo, components: v.getUint16(36), precision: (ssiz & 0x7f) + 1, signed: (ssiz & 0x80) !== 0 };
    }
  }
  return undefined;
}

/** Finds the first start-of-frame marker (SOF0-15, or JPEG-LS SOF55) and reads its dimensions. */
export function scanJpegSof(data: Uint8Array): { marker: number; precision: number; height: number; width: number; components: number } | undefined {
  let i = 0;
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  i = 2;
  while (i + 4 <= data.length) {
    if (data[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = data[i + 1];
    if (marker === 0xff || marker === 0x00 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += marker === 0xff ? 1 : 2;
      continue;
    }
    const len = (data[i + 2] << 8) | data[i + 3];
    const isSof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (isSof) {
      if (i + 10 > data.length) return undefined;
      return {
        marker,
        precision: data[i + 4],
        height: (data[i + 5] << 8) | data[i + 6],
        width: (data[i + 7] << 8) | data[i + 8],
        components: data[i + 9],
      };
    }
    if (marker === 0xda) return undefined;
    i += 2 + len;
  }
  return undefined;
}

/** Header segments (marker, start, end) of a JPEG stream up to its start of scan. */
function jpegSegments(data: Uint8Array): { marker: number; start: number; end: number }[] {
  const out: { marker: number; start: number; end: number }[] = [];
  let i = 2;
  while (i + 4 <= data.length && data[i] === 0xff) {
    const marker = data[i + 1];
    if (marker === 0xda) break;
    const len = (data[i + 2] << 8) | data[i + 3];
    out.push({ marker, start: i, end: i + 2 + len });
    i += 2 + len;
  }
  return out;
}

const ADOBE_NO_TRANSFORM = new Uint8Array([0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00]);

/**
 * pydicom's rule: a 3-sample JPEG whose Photometric Interpretation is RGB and that has no Adobe APP14 marker
 * was compressed without the YCbCr transform, so it must be decoded without one. libjpeg decides from the
 * markers, so the stream gets an Adobe marker saying "no transform" (and loses any JFIF marker, which wins).
 */
function withoutColourTransform(data: Uint8Array): Uint8Array {
  const segs = jpegSegments(data);
  // An Adobe marker counts only when it holds the transform byte (12 payload bytes): Pillow, and so pydicom,
  // ignore a shorter one, and so does libjpeg.
  const isAdobe = (s: { marker: number; start: number; end: number }) => s.marker === 0xee && s.end - s.start >= 16 && data[s.start + 4] === 0x41 && data[s.start + 5] === 0x64;
  if (segs.some(isAdobe)) return data;
  const keep = segs.filter((s) => !(s.marker === 0xe0 && data[s.start + 4] === 0x4a && data[s.start + 5] === 0x46));
  const headerEnd = segs.length ? segs[segs.length - 1].end : 2;
  const parts: Uint8Array[] = [data.subarray(0, 2), ADOBE_NO_TRANSFORM, ...keep.map((s) => data.subarray(s.start, s.end)), data.subarray(headerEnd)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function decodeJpegBaseline(data: Uint8Array, limits: FrameLimits, photometric = ''): DecodedFrame {
  const sof = scanJpegSof(data);
  if (sof && sof.precision > 8) {
    // 12-bit extended (process 4): our own decoder; libjpeg-turbo here is built for 8-bit samples.
    checkLimits({ width: sof.width, height: sof.height, componentCount: sof.components }, limits);
    const f = decodeJpegDct(data, limits.rows * limits.cols * limits.spp);
    checkLimits({ width: f.width, height: f.height, componentCount: f.components }, limits);
    return { width: f.width, height: f.height, components: f.components, bitsPerSample: f.precision, signed: false, bytes: new Uint8Array(f.samples.buffer, f.samples.byteOffset, f.samples.byteLength) };
  }
  const stream = photometric === 'RGB' && sof?.components === 3 ? withoutColourTransform(data) : data;
  return runWasm('jpeg', stream, limits);
}

export function decodeJpegLs(data: Uint8Array, limits: FrameLimits): DecodedFrame {
  return runWasm('jpegls', data, limits);
}

export function decodeJ2k(data: Uint8Array, limits: FrameLimits): DecodedFrame {
  return runWasm('j2k', data, limits);
}

export function decodeHtj2k(data: Uint8Array, limits: FrameLimits): DecodedFrame {
  return runWasm('htj2k', data, limits);
}

interface LosslessDecoderCtor {
  new (): { decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array; numComp?: number };
}
let losslessCtor: LosslessDecoderCtor | undefined;

export function decodeJpegLossless(data: Uint8Array, limits: FrameLimits, bitsAllocated: number): DecodedFrame {
  const sof = scanJpegSof(data);
  if (!sof) throw new Error('JPEG lossless frame has no start-of-frame marker');
  if (sof.marker !== 0xc3 && sof.marker !== 0xc7) throw new Error(`JPEG lossless transfer syntax but the frame uses SOF marker 0xFF${sof.marker.toString(16).toUpperCase()}`);
  checkLimits({ width: sof.width, height: sof.height, componentCount: sof.components }, limits);
  if (!losslessCtor) losslessCtor = (require('jpeg-lossless-decoder-js') as { Decoder: LosslessDecoderCtor }).Decoder;
  const dec = new losslessCtor();
  const numBytes = bitsAllocated <= 8 ? 1 : 2;
  const copy = new Uint8Array(data); // a real copy (Buffer.slice would share memory)
  const out = dec.decode(copy.buffer, 0, copy.length, numBytes);
  const expected = sof.width * sof.height * sof.components;
  if (out.length < expected) throw new Error(`JPEG lossless frame decoded to ${out.length} samples, expected ${expected}`);
  const bytes = new Uint8Array(out.buffer, out.byteOffset, expected * numBytes);
  return { width: sof.width, height: sof.height, components: sof.components, bitsPerSample: sof.precision, signed: false, bytes };
}
