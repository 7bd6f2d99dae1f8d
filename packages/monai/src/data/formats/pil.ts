/**
 * PNG / JPEG / BMP decoding with the array values that Pillow's `np.asarray(Image.open(f))` gives
 * (mode semantics: 16-bit gray -> int32 'I', palette -> indices 'P', 16-bit colour -> 8-bit), in
 * (H, W[, C]) row-major layout; the reader swaps the first two axes as MONAI's PILReader does.
 */
import { decode as decodePng, encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import * as bmp from 'bmp-ts';
import { ElementType, ImageFormatError, readFileBytes, writeFileAtomic } from './common.js';

export interface DecodedPicture {
  format: 'PNG' | 'JPEG' | 'BMP';
  mode: string;
  width: number;
  height: number;
  channels: number; // 1 = no channel axis
  element: ElementType;
  /** (H, W[, C]) row-major */
  data: Uint8Array | Int32Array;
}

/** Refuse pictures whose declared size cannot be decoded in reasonable memory (Pillow's bomb limit x2). */
const MAX_PIXELS = 2 * 89478485;

export function decodePicture(file: string, bytes?: Uint8Array): DecodedPicture {
  const b = bytes ?? readFileBytes(file);
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return decodePngFile(file, b);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8) return decodeJpegFile(file, b);
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return decodeBmpFile(file, b);
  throw new ImageFormatError(file, 'unrecognised picture format (expected PNG, JPEG or BMP signature)');
}

function pngDims(file: string, b: Uint8Array): [number, number] {
  if (b.length < 24) throw new ImageFormatError(file, 'truncated PNG header');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return [dv.getUint32(16, false), dv.getUint32(20, false)];
}

function decodePngFile(file: string, b: Uint8Array): DecodedPicture {
  const [w0, h0] = pngDims(file, b);
  if (w0 === 0 || h0 === 0 || w0 * h0 > MAX_PIXELS) throw new ImageFormatError(file, `PNG size ${w0}x${h0} is invalid or too large`);
  // the IDAT stream must be able to hold the filtered rows (deflate expands at most 1032x)
  const ch0 = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[b[25] as 0 | 2 | 3 | 4 | 6] ?? 4;
  const depth0 = b[24] || 8;
  const rawBytes = h0 * (1 + Math.ceil((w0 * ch0 * depth0) / 8));
  if (rawBytes > idatBytes(b) * 1032 + 65536)
    throw new ImageFormatError(file, `PNG header claims ${w0}x${h0} pixels but the file holds too little image data for that`);
  let png;
  try {
    png = decodePng(b, { checkCrc: false });
  } catch (e) {
    throw new ImageFormatError(file, `corrupt PNG (${(e as Error).message})`);
  }
  const { width, height, depth } = png;
  const n = width * height;
  const src = png.data;
  if (png.palette) {
    // indices, as Pillow's mode 'P'
    if (src.length < n) throw new ImageFormatError(file, 'truncated PNG data');
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = src[i];
    return { format: 'PNG', mode: 'P', width, height, channels: 1, element: 'uint8', data: out };
  }
  const ch = png.channels;
  if (src.length < n * ch) throw new ImageFormatError(file, 'truncated PNG data');
  if (ch === 1 && depth === 16) {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = src[i];
    return { format: 'PNG', mode: 'I', width, height, channels: 1, element: 'int32', data: out };
  }
  if (ch === 1 && depth === 1) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = src[i] ? 1 : 0;
    return { format: 'PNG', mode: '1', width, height, channels: 1, element: 'bool', data: out };
  }
  const out = new Uint8Array(n * ch);
  if (depth === 16) for (let i = 0; i < n * ch; i++) out[i] = src[i] >> 8;
  else if (depth === 8) out.set(src.subarray(0, n * ch) as Uint8Array);
  else {
    const scale = 255 / ((1 << depth) - 1);
    for (let i = 0; i < n * ch; i++) out[i] = Math.round(src[i] * scale);
  }
  const mode = ch === 1 ? 'L' : ch === 2 ? 'LA' : ch === 3 ? 'RGB' : 'RGBA';
  return { format: 'PNG', mode, width, height, channels: ch, element: 'uint8', data: out };
}

function idatBytes(b: Uint8Array): number {
  let off = 8;
  let total = 0;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  while (off + 8 <= b.length) {
    const len = dv.getUint32(off, false);
    const type = String.fromCharCode(b[off + 4], b[off + 5], b[off + 6], b[off + 7]);
    if (type === 'IDAT') total += Math.min(len, b.length - off - 8);
    off += 12 + len;
  }
  return total;
}

function jpegDims(file: string, b: Uint8Array): { w: number; h: number; comps: number } {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const m = b[i + 1];
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7) || m === 0xff) {
      i += m === 0xff ? 1 : 2;
      continue;
    }
    const len = (b[i + 2] << 8) | b[i + 3];
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      return { h: (b[i + 5] << 8) | b[i + 6], w: (b[i + 7] << 8) | b[i + 8], comps: b[i + 9] };
    }
    i += 2 + len;
  }
  throw new ImageFormatError(file, 'JPEG has no frame header (truncated or corrupt)');
}

function decodeJpegFile(file: string, b: Uint8Array): DecodedPicture {
  const { w, h, comps } = jpegDims(file, b);
  if (w === 0 || h === 0 || w * h > MAX_PIXELS || w * h > Math.max(1 << 20, b.length * 4096))
    throw new ImageFormatError(file, `JPEG size ${w}x${h} is invalid or too large for a ${b.length}-byte file`);
  let img;
  try {
    img = jpeg.decode(b, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, maxMemoryUsageInMB: 1024, maxResolutionInMP: MAX_PIXELS / 1e6 });
  } catch (e) {
    throw new ImageFormatError(file, `corrupt JPEG (${String((e as Error).message ?? e)})`);
  }
  const n = img.width * img.height;
  const ch = img.data.length / n;
  if (comps === 1) {
    const out = new Uint8Array(n);
    if (ch === 1) out.set(img.data.subarray(0, n));
    else for (let i = 0; i < n; i++) out[i] = img.data[i * ch];
    return { format: 'JPEG', mode: 'L', width: img.width, height: img.height, channels: 1, element: 'uint8', data: out };
  }
  if (ch !== 3) throw new ImageFormatError(file, `unsupported JPEG with ${comps} components`);
  return { format: 'JPEG', mode: 'RGB', width: img.width, height: img.height, channels: 3, element: 'uint8', data: new Uint8Array(img.data) };
}

function decodeBmpFile(file: string, b: Uint8Array): DecodedPicture {
  if (b.length < 30) throw new ImageFormatError(file, 'truncated BMP header');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dataOff = dv.getUint32(10, true);
  const hsize = dv.getUint32(14, true);
  if (hsize < 12 || 14 + hsize > b.length) throw new ImageFormatError(file, `invalid BMP info header size ${hsize}`);
  let width: number, height: number, bpp: number, comp: number, ncolors: number;
  if (hsize === 12) {
    width = dv.getUint16(18, true);
    height = dv.getInt16(20, true);
    bpp = dv.getUint16(24, true);
    comp = 0;
    ncolors = 0;
  } else {
    if (b.length < 54) throw new ImageFormatError(file, 'truncated BMP header');
    width = dv.getInt32(18, true);
    height = dv.getInt32(22, true);
    bpp = dv.getUint16(28, true);
    comp = dv.getUint32(30, true);
    ncolors = dv.getUint32(46, true);
  }
  const topDown = height < 0;
  const H = Math.abs(height);
  const W = width;
  if (W <= 0 || H <= 0 || W * H > MAX_PIXELS) throw new ImageFormatError(file, `BMP size ${W}x${H} is invalid or too large`);
  if (comp !== 0 || ![1, 4, 8, 24, 32].includes(bpp)) {
    if (W * H > Math.max(1 << 16, b.length * 256)) throw new ImageFormatError(file, `BMP size ${W}x${H} is too large for a ${b.length}-byte file`);
    return decodeBmpGeneric(file, b, W, H);
  }
  const stride = Math.ceil((W * bpp) / 32) * 4;
  if (dataOff + stride * H > b.length)
    throw new ImageFormatError(file, `truncated: BMP ${W}x${H}x${bpp} needs ${stride * H} bytes of pixels at offset ${dataOff}, file has ${b.length}`);
  const row = (y: number) => dataOff + stride * (topDown ? y : H - 1 - y);
  if (bpp <= 8) {
    const palOff = 14 + hsize;
    const entry = hsize === 12 ? 3 : 4;
    const npal = ncolors || 1 << bpp;
    if (palOff + npal * entry > b.length) throw new ImageFormatError(file, 'truncated BMP palette');
    let gray = true;
    for (let k = 0; k < npal; k++) {
      const o = palOff + k * entry;
      const expected = npal > 1 ? Math.round((k * 255) / (npal - 1)) : 0;
      if (!(b[o] === b[o + 1] && b[o + 1] === b[o + 2] && b[o] === expected)) gray = false;
    }
    const out = new Uint8Array(W * H);
    const mask = (1 << bpp) - 1;
    for (let y = 0; y < H; y++) {
      const r = row(y);
      for (let x = 0; x < W; x++) {
        const bit = x * bpp;
        const byte = b[r + (bit >> 3)];
        out[y * W + x] = (byte >> (8 - bpp - (bit & 7))) & mask;
      }
    }
    if (bpp === 1 && gray) {
      return { format: 'BMP', mode: '1', width: W, height: H, channels: 1, element: 'bool', data: out };
    }
    if (gray && bpp === 8) return { format: 'BMP', mode: 'L', width: W, height: H, channels: 1, element: 'uint8', data: out };
    return { format: 'BMP', mode: 'P', width: W, height: H, channels: 1, element: 'uint8', data: out };
  }
  const out = new Uint8Array(W * H * 3);
  const step = bpp / 8;
  for (let y = 0; y < H; y++) {
    const r = row(y);
    for (let x = 0; x < W; x++) {
      const s = r + x * step;
      const d = (y * W + x) * 3;
      out[d] = b[s + 2];
      out[d + 1] = b[s + 1];
      out[d + 2] = b[s];
    }
  }
  return { format: 'BMP', mode: 'RGB', width: W, height: H, channels: 3, element: 'uint8', data: out };
}

function decodeBmpGeneric(file: string, b: Uint8Array, W: number, H: number): DecodedPicture {
  let d;
  try {
    d = bmp.decode(Buffer.from(b.buffer, b.byteOffset, b.byteLength), { toRGBA: true });
  } catch (e) {
    throw new ImageFormatError(file, `corrupt or unsupported BMP (${(e as Error).message})`);
  }
  const n = W * H;
  if (!d.data || d.data.length < n * 4) throw new ImageFormatError(file, 'truncated BMP data');
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[i * 3] = d.data[i * 4];
    out[i * 3 + 1] = d.data[i * 4 + 1];
    out[i * 3 + 2] = d.data[i * 4 + 2];
  }
  return { format: 'BMP', mode: 'RGB', width: W, height: H, channels: 3, element: 'uint8', data: out };
}

/** Writes a PNG from (H, W[, C]) row-major 8- or 16-bit data. */
export function writePng(file: string, width: number, height: number, channels: number, data: Uint8Array | Uint16Array): void {
  if (![1, 2, 3, 4].includes(channels)) throw new Error(`PNG supports 1 to 4 channels, got ${channels}`);
  const depth = data instanceof Uint16Array ? 16 : 8;
  const bytes = encodePng({ width, height, data, depth, channels });
  writeFileAtomic(file, bytes);
}
