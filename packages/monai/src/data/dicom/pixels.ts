// Pixel data of one DICOM file -> a typed array laid out (frame, row, column, sample), native values
// (before rescale), following pydicom's pixel_array semantics except where noted in the report.
import { DicomError, describeThrown } from './errors.js';
import { ITEM_SIZE } from '../formats/common.js';
import { DicomFile, TS, TRANSFER_SYNTAX_NAMES, type DataSet, type Element } from './parse.js';
import { decodeRleFrame } from './rle.js';
import { decodeHtj2k, decodeJ2k, decodeJpegBaseline, decodeJpegLossless, decodeJpegLs, scanJ2kSiz, type DecodedFrame, type FrameLimits } from './codecs.js';

export type DType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
export type TypedArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** Bytes per sample: the image codecs' table (every DICOM sample type is one of their element types). */
export const BYTES_PER: Readonly<Record<DType, number>> = ITEM_SIZE;

export function allocTyped(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'uint8': return new Uint8Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint32': return new Uint32Array(n);
    case 'int32': return new Int32Array(n);
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
  }
}

export interface PixelInfo {
  rows: number;
  cols: number;
  frames: number;
  spp: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  photometric: string;
  planarConfiguration: number;
  transferSyntax: string;
  /** Element holding the pixels: x7fe00010 (integer), x7fe00008 (float) or x7fe00009 (double). */
  pixelTag: string;
  dtype: DType;
}

export interface DecodeOptions {
  /** Largest decoded pixel buffer allowed, in bytes (a guard against lying headers). */
  maxBytes?: number;
}

export const DEFAULT_MAX_BYTES = 2 ** 31;

const NATIVE = new Set<string>([TS.implicitLE, TS.explicitLE, TS.deflatedLE, TS.explicitBE]);
const SUPPORTED = new Set<string>([
  ...NATIVE, TS.rle, TS.jpegBaseline, TS.jpegExtended, TS.jpegLossless, TS.jpegLosslessSV1, TS.jpegLSLossless, TS.jpegLSNear,
  TS.j2kLossless, TS.j2k, TS.htj2kLossless, TS.htj2kLosslessRPCL, TS.htj2k,
]);

function intDtype(bitsAllocated: number, signed: boolean): DType {
  if (bitsAllocated === 1 || bitsAllocated === 8) return signed && bitsAllocated === 8 ? 'int8' : 'uint8';
  if (bitsAllocated === 16) return signed ? 'int16' : 'uint16';
  return signed ? 'int32' : 'uint32';
}

/** Reads and validates the Image Pixel module of a file. */
export function pixelInfo(f: DicomFile): PixelInfo {
  const file = f.filename;
  const pixelTag = ['x7fe00010', 'x7fe00008', 'x7fe00009'].find((t) => f.ds.elements[t] !== undefined);
  if (!pixelTag) throw new DicomError(file, 'has no Pixel Data (7FE0,0010): not an image');
  const rows = f.us('x00280010');
  const cols = f.us('x00280011');
  if (!rows || !cols) throw new DicomError(file, `Rows (0028,0010)=${rows} and Columns (0028,0011)=${cols} must both be present and positive`);
  const spp = f.us('x00280002') ?? 1;
  if (spp !== 1 && spp !== 3 && spp !== 4) throw new DicomError(file, `SamplesPerPixel (0028,0002)=${spp} is not supported (expected 1, 3 or 4)`);
  let frames = 1;
  if (f.has('x00280008')) {
    const n = f.number('x00280008');
    if (n === undefined || !Number.isInteger(n) || n < 0) throw new DicomError(file, `NumberOfFrames (0028,0008) '${f.str('x00280008')}' is not a non-negative integer`);
    frames = n === 0 ? 1 : n;
  }
  const transferSyntax = f.transferSyntax;
  if (!SUPPORTED.has(transferSyntax)) {
    throw new DicomError(file, `transfer syntax ${transferSyntax}${TRANSFER_SYNTAX_NAMES[transferSyntax] ? ` (${TRANSFER_SYNTAX_NAMES[transferSyntax]})` : ''} is not supported`);
  }
  const photometric = (f.str('x00280004') ?? (spp === 1 ? 'MONOCHROME2' : 'RGB')).trim().toUpperCase();
  const planarConfiguration = f.us('x00280006') ?? 0;
  if (pixelTag !== 'x7fe00010') {
    const bits = pixelTag === 'x7fe00008' ? 32 : 64;
    return { rows, cols, frames, spp, bitsAllocated: bits, bitsStored: bits, pixelRepresentation: 1, photometric, planarConfiguration, transferSyntax, pixelTag, dtype: bits === 32 ? 'float32' : 'float64' };
  }
  const bitsAllocated = f.us('x00280100');
  if (bitsAllocated !== 1 && bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) {
    throw new DicomError(file, `BitsAllocated (0028,0100)=${bitsAllocated} is not supported (expected 1, 8, 16 or 32)`);
  }
  const bitsStored = f.us('x00280101') ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated) {
    throw new DicomError(file, `BitsStored (0028,0101)=${bitsStored} must be between 1 and BitsAllocated=${bitsAllocated}`);
  }
  const pixelRepresentation = f.us('x00280103') ?? 0;
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) throw new DicomError(file, `PixelRepresentation (0028,0103)=${pixelRepresentation} must be 0 or 1`);
  if (bitsAllocated === 1 && !NATIVE.has(transferSyntax)) throw new DicomError(file, 'BitsAllocated=1 with a compressed transfer syntax is not supported');
  const dtype = intDtype(bitsAllocated, pixelRepresentation === 1);
  return { rows, cols, frames, spp, bitsAllocated, bitsStored, pixelRepresentation, photometric, planarConfiguration, transferSyntax, pixelTag, dtype };
}

/** Number of samples (frames x rows x cols x spp) with a guard on the byte size. */
function checkedSize(info: PixelInfo, file: string, maxBytes: number): number {
  const n = info.frames * info.rows * info.cols * info.spp;
  const bytes = n * BYTES_PER[info.dtype];
  if (!Number.isSafeInteger(n) || bytes > maxBytes) {
    throw new DicomError(file, `header asks for ${info.frames} frame(s) of ${info.rows}x${info.cols}x${info.spp} (${bytes} bytes), over the ${maxBytes}-byte limit (option maxBytes)`);
  }
  return n;
}

/** Splits encapsulated pixel data into one byte array per frame. */
export function encapsulatedFrames(f: DicomFile, el: Element, frames: number): Uint8Array[] {
  const bytes = f.ds.byteArray as Uint8Array;
  const frags = el.fragments ?? [];
  if (frags.length === 0) throw new DicomError(f.filename, 'encapsulated Pixel Data has no fragments');
  for (const fr of frags) {
    if (fr.position < 0 || fr.length < 0 || fr.position + fr.length > bytes.length) {
      throw new DicomError(f.filename, `Pixel Data fragment at byte ${fr.position} with length ${fr.length} runs past the end of the file (${bytes.length} bytes): truncated`);
    }
  }
  const join = (list: typeof frags): Uint8Array => {
    if (list.length === 1) return bytes.subarray(list[0].position, list[0].position + list[0].length);
    let total = 0;
    for (const fr of list) total += fr.length;
    const out = new Uint8Array(total);
    let o = 0;
    for (const fr of list) {
      out.set(bytes.subarray(fr.position, fr.position + fr.length), o);
      o += fr.length;
    }
    return out;
  };
  if (frames === 1) return [join(frags)];
  if (frames > frags.length) {
    throw new DicomError(f.filename, `NumberOfFrames=${frames} but the encapsulated Pixel Data holds only ${frags.length} fragment(s)`);
  }
  const bot = el.basicOffsetTable ?? [];
  if (bot.length === frames) {
    const out: Uint8Array[] = [];
    for (let i = 0; i < frames; i++) {
      const lo = bot[i], hi = i + 1 < frames ? bot[i + 1] : Infinity;
      const list = frags.filter((fr) => fr.offset >= lo && fr.offset < hi);
      if (list.length === 0) throw new DicomError(f.filename, `Basic Offset Table entry ${i} (${lo}) points at no fragment`);
      out.push(join(list));
    }
    return out;
  }
  if (frags.length === frames) return frags.map((fr) => join([fr]));
  // No usable offset table: a frame starts at each fragment that begins with a JPEG SOI or J2K SOC marker.
  const groups: (typeof frags)[] = [];
  for (const fr of frags) {
    const b0 = bytes[fr.position], b1 = bytes[fr.position + 1];
    const starts = b0 === 0xff && (b1 === 0xd8 || b1 === 0x4f);
    if (starts || groups.length === 0) groups.push([fr]);
    else groups[groups.length - 1].push(fr);
  }
  if (groups.length !== frames) {
    throw new DicomError(f.filename, `cannot split ${frags.length} fragments into NumberOfFrames=${frames} frames (no Basic Offset Table; found ${groups.length} frame starts)`);
  }
  return groups.map(join);
}

function bytesView(a: TypedArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Sign-extends or masks integer samples to BitsStored, in place. */
function applyBitsStored(data: TypedArray, info: PixelInfo): void {
  const { bitsAllocated: ba, bitsStored: bs } = info;
  if (bs >= ba || ba === 1 || info.dtype.startsWith('float')) return;
  const n = data.length;
  if (info.pixelRepresentation === 1) {
    const shift = 32 - bs;
    for (let i = 0; i < n; i++) data[i] = (data[i] << shift) >> shift;
  } else {
    const mask = bs >= 32 ? 0xffffffff : 2 ** bs - 1;
    if (ba === 32) for (let i = 0; i < n; i++) data[i] = (data[i] >>> 0) % (mask + 1);
    else for (let i = 0; i < n; i++) data[i] = data[i] & mask;
  }
}

function swapBytes(b: Uint8Array, width: number): void {
  if (width === 2) {
    for (let i = 0; i + 1 < b.length; i += 2) {
      const t = b[i]; b[i] = b[i + 1]; b[i + 1] = t;
    }
  } else if (width === 4) {
    for (let i = 0; i + 3 < b.length; i += 4) {
      let t = b[i]; b[i] = b[i + 3]; b[i + 3] = t;
      t = b[i + 1]; b[i + 1] = b[i + 2]; b[i + 2] = t;
    }
  } else if (width === 8) {
    for (let i = 0; i + 7 < b.length; i += 8) {
      for (let k = 0; k < 4; k++) {
        const t = b[i + k]; b[i + k] = b[i + 7 - k]; b[i + 7 - k] = t;
      }
    }
  }
}

/** Planar (R plane, G plane, B plane) frames -> interleaved, in place (via one temporary frame). */
function planarToInterleaved(data: TypedArray, info: PixelInfo): void {
  const px = info.rows * info.cols, spp = info.spp, frameLen = px * spp;
  const tmp = allocTyped(info.dtype, frameLen);
  for (let fIdx = 0; fIdx < info.frames; fIdx++) {
    const base = fIdx * frameLen;
    tmp.set(data.subarray(base, base + frameLen) as never);
    for (let s = 0; s < spp; s++) for (let p = 0; p < px; p++) data[base + p * spp + s] = tmp[s * px + p];
  }
}

function decodeNative(f: DicomFile, info: PixelInfo, n: number): TypedArray {
  const el = f.ds.elements[info.pixelTag];
  const bytes = f.ds.byteArray as Uint8Array;
  if (el.encapsulatedPixelData || el.hadUndefinedLength) {
    throw new DicomError(f.filename, `Pixel Data is encapsulated but the transfer syntax ${info.transferSyntax} is native`);
  }
  const avail = Math.min(el.length, Math.max(0, bytes.length - el.dataOffset));
  const ba = info.bitsAllocated;
  const needed = ba === 1 ? Math.ceil(n / 8) : n * (ba / 8);
  const ybr422 = info.photometric === 'YBR_FULL_422' && info.spp === 3 && ba === 8;
  const neededStored = ybr422 ? (needed / 3) * 2 : needed;
  if (avail < neededStored) {
    throw new DicomError(f.filename, `Pixel Data has ${avail} bytes but Rows=${info.rows}, Columns=${info.cols}, SamplesPerPixel=${info.spp}, NumberOfFrames=${info.frames}, BitsAllocated=${ba} need ${neededStored}: truncated or inconsistent header`);
  }
  const src = bytes.subarray(el.dataOffset, el.dataOffset + neededStored);
  const out = allocTyped(info.dtype, n);
  if (ba === 1) {
    const o = out as Uint8Array;
    for (let i = 0; i < n; i++) o[i] = (src[i >> 3] >> (i & 7)) & 1;
    return out;
  }
  if (ybr422) {
    // Y0 Y1 Cb Cr per pixel pair -> full resolution (values stay YBR, as pydicom leaves them).
    const o = out as Uint8Array;
    const px = info.frames * info.rows * info.cols;
    let si = 0;
    for (let p = 0; p < px; p += 2) {
      const y0 = src[si], y1 = src[si + 1], cb = src[si + 2], cr = src[si + 3];
      si += 4;
      o[p * 3] = y0; o[p * 3 + 1] = cb; o[p * 3 + 2] = cr;
      if (p + 1 < px) { o[p * 3 + 3] = y1; o[p * 3 + 4] = cb; o[p * 3 + 5] = cr; }
    }
    return out;
  }
  const ob = bytesView(out);
  ob.set(src);
  if (!f.littleEndian && ba > 8) swapBytes(ob, ba / 8);
  if (info.spp > 1 && info.planarConfiguration === 1) planarToInterleaved(out, info);
  applyBitsStored(out, info);
  return out;
}

function decodeFrameCompressed(info: PixelInfo, frame: Uint8Array, limits: FrameLimits): DecodedFrame {
  switch (info.transferSyntax) {
    case TS.jpegBaseline:
    case TS.jpegExtended:
      return decodeJpegBaseline(frame, limits, info.photometric);
    case TS.jpegLossless:
    case TS.jpegLosslessSV1:
      return decodeJpegLossless(frame, limits, info.bitsAllocated);
    case TS.jpegLSLossless:
    case TS.jpegLSNear:
      return decodeJpegLs(frame, limits);
    case TS.j2kLossless:
    case TS.j2k:
      return decodeJ2k(frame, limits);
    default:
      return decodeHtj2k(frame, limits);
  }
}

function decodeEncapsulated(f: DicomFile, info: PixelInfo, n: number): TypedArray {
  const el = f.ds.elements[info.pixelTag];
  if (!el.encapsulatedPixelData) {
    throw new DicomError(f.filename, `transfer syntax ${info.transferSyntax} (${TRANSFER_SYNTAX_NAMES[info.transferSyntax]}) needs encapsulated Pixel Data but it is native`);
  }
  const frames = encapsulatedFrames(f, el, info.frames);
  const px = info.rows * info.cols;
  const frameSamples = px * info.spp;
  const bps = BYTES_PER[info.dtype];
  const limits: FrameLimits = { rows: info.rows, cols: info.cols, spp: info.spp };
  let out: TypedArray | undefined;
  const isJ2k = [TS.j2k, TS.j2kLossless, TS.htj2k, TS.htj2kLossless, TS.htj2kLosslessRPCL].includes(info.transferSyntax as never);
  for (let i = 0; i < frames.length; i++) {
    if (info.transferSyntax === TS.rle) {
      // Allocate only once the first frame's segment table checks out.
      const tmp = new Uint8Array(frameSamples * bps);
      try {
        decodeRleFrame(frames[i], tmp, px, info.spp, bps);
      } catch (e) {
        throw new DicomError(f.filename, `RLE frame ${i}: ${describeThrown(e)}`);
      }
      out ??= allocTyped(info.dtype, n);
      bytesView(out).set(tmp, i * frameSamples * bps);
      continue;
    }
    let dec: DecodedFrame;
    try {
      dec = decodeFrameCompressed(info, frames[i], limits);
    } catch (e) {
      throw new DicomError(f.filename, `${TRANSFER_SYNTAX_NAMES[info.transferSyntax]} frame ${i} cannot be decoded: ${describeThrown(e)}`);
    }
    out ??= allocTyped(info.dtype, n);
    const base = i * frameSamples;
    const decBps = dec.bitsPerSample <= 8 ? 1 : 2;
    if (dec.bytes.length < frameSamples * decBps) {
      throw new DicomError(f.filename, `frame ${i} decoded to ${dec.bytes.length} bytes, expected ${frameSamples * decBps}`);
    }
    if (decBps === bps) {
      bytesView(out).set(dec.bytes.subarray(0, frameSamples * bps), base * bps);
    } else if (decBps === 1) {
      for (let k = 0; k < frameSamples; k++) out[base + k] = dec.bytes[k];
    } else {
      const dv = new DataView(dec.bytes.buffer, dec.bytes.byteOffset, dec.bytes.byteLength);
      for (let k = 0; k < frameSamples; k++) out[base + k] = dec.signed ? dv.getInt16(2 * k, true) : dv.getUint16(2 * k, true);
    }
    if (isJ2k) matchJ2kSignedness(out, base, frameSamples, frames[i], info);
  }
  if (!out) throw new DicomError(f.filename, 'no frames decoded');
  if (!isJ2k) applyBitsStored(out, info);
  return out;
}

/**
 * pydicom's rule when a JPEG 2000 codestream's signedness (SIZ) differs from PixelRepresentation: the
 * dataset wins, and the codestream's samples are reinterpreted at the codestream's precision P: unsigned
 * samples as P-bit two's complement when PixelRepresentation is 1 (pydicom's right shift of Pillow's
 * up-shifted values does exactly that), signed samples as their unsigned P-bit pattern when it is 0.
 */
function matchJ2kSignedness(out: TypedArray, base: number, count: number, frame: Uint8Array, info: PixelInfo): void {
  const siz = scanJ2kSiz(frame);
  if (!siz || siz.signed === (info.pixelRepresentation === 1) || siz.precision > 32) return;
  const p = siz.precision;
  if (!siz.signed) {
    const shift = 32 - p;
    for (let k = base; k < base + count; k++) out[k] = ((out[k] as number) << shift) >> shift;
  } else {
    const mod = 2 ** p;
    for (let k = base; k < base + count; k++) out[k] = (((out[k] as number) % mod) + mod) % mod;
  }
}

/** Decodes every frame of a file: (frames, rows, cols, spp) samples of `info.dtype`, before any rescale. */
export function decodePixels(f: DicomFile, info: PixelInfo = pixelInfo(f), opts: DecodeOptions = {}): TypedArray {
  const n = checkedSize(info, f.filename, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  if (NATIVE.has(info.transferSyntax)) return decodeNative(f, info, n);
  return decodeEncapsulated(f, info, n);
}

/** GDCM-style MONOCHROME1 -> MONOCHROME2 inversion of raw samples (max + min - v over the BitsStored range), in place. */
export function invertMonochrome1(data: TypedArray, info: PixelInfo): void {
  if (info.dtype.startsWith('float')) {
    for (let i = 0; i < data.length; i++) data[i] = -data[i];
    return;
  }
  const bs = info.bitsStored;
  const lo = info.pixelRepresentation === 1 ? -(2 ** (bs - 1)) : 0;
  const hi = info.pixelRepresentation === 1 ? 2 ** (bs - 1) - 1 : 2 ** bs - 1;
  const s = lo + hi;
  for (let i = 0; i < data.length; i++) data[i] = s - data[i];
}

export type { DataSet };
