/**
 * A grey-level animated GIF (GIF89a) encoder and a decoder for checking it. The layout is the one MONAI
 * builds from Pillow's pieces: a 256-grey global colour table, a NETSCAPE2.0 loop-forever block, then each
 * frame as an image descriptor with LZW data (8-bit codes), then the trailer.
 */

const NETSCAPE_LOOP = Uint8Array.from([0x21, 0xff, 0x0b, ...new TextEncoder().encode('NETSCAPE2.0'), 0x03, 0x01, 0x00, 0x00, 0x00]);

/** Collects bytes into a growing buffer. */
class ByteSink {
  private buf = new Uint8Array(1024);
  length = 0;
  push(b: number): void {
    if (this.length === this.buf.length) this.grow(1);
    this.buf[this.length++] = b;
  }
  pushAll(bytes: ArrayLike<number>): void {
    this.grow(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/**
 * GIF's variable-width LZW of 8-bit pixels, packed least significant bit first into sub-blocks of at most
 * 255 bytes. The code table resets (CLEAR) when it reaches 4096 codes.
 */
function lzwEncode(pixels: Uint8Array, out: ByteSink): void {
  const CLEAR = 256;
  const EOI = 257;
  const block = new Uint8Array(255);
  let blockLen = 0;
  let acc = 0;
  let nbits = 0;
  let width = 9;
  const emit = (code: number): void => {
    acc |= code << nbits;
    nbits += width;
    while (nbits >= 8) {
      block[blockLen++] = acc & 0xff;
      acc >>>= 8;
      nbits -= 8;
      if (blockLen === 255) {
        out.push(255);
        out.pushAll(block);
        blockLen = 0;
      }
    }
  };
  // (prefix code << 8 | next byte) -> code, in an open-addressing table: at most 4096 codes in 16384 slots
  const keys = new Int32Array(1 << 14).fill(-1);
  const vals = new Uint16Array(1 << 14);
  const slot = (key: number): number => {
    let h = Math.imul(key, 0x9e3779b1) >>> 18;
    while (keys[h] !== -1 && keys[h] !== key) h = (h + 1) & 0x3fff;
    return h;
  };
  let next = EOI + 1;
  out.push(8); // minimum code size
  emit(CLEAR);
  if (pixels.length) {
    let prefix = pixels[0];
    for (let i = 1; i < pixels.length; i++) {
      const k = pixels[i];
      const key = (prefix << 8) | k;
      const h = slot(key);
      if (keys[h] === key) {
        prefix = vals[h];
        continue;
      }
      emit(prefix);
      if (next === 4096) {
        emit(CLEAR);
        keys.fill(-1);
        next = EOI + 1;
        width = 9;
      } else {
        keys[h] = key;
        vals[h] = next++;
        // the decoder widens its codes one code later than the encoder adds them
        if (next === (1 << width) + 1 && width < 12) width++;
      }
      prefix = k;
    }
    emit(prefix);
  }
  emit(EOI);
  if (nbits > 0) block[blockLen++] = acc & 0xff;
  if (blockLen) {
    out.push(blockLen);
    out.pushAll(block.subarray(0, blockLen));
  }
  out.push(0); // block terminator
}

/** An animated GIF of grey frames (each `height` x `width`, row-major uint8), looping forever. */
export function encodeGreyGif(frames: Uint8Array[], height: number, width: number): Uint8Array {
  if (!frames.length) throw new Error('encodeGreyGif: expected at least one frame, found none');
  if (!(Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0 && height < 65536 && width < 65536)) {
    throw new Error(`encodeGreyGif: height and width must be integers in [1, 65535], found ${height}x${width}`);
  }
  frames.forEach((f, i) => {
    if (f.length !== height * width) throw new Error(`encodeGreyGif: frame ${i} has ${f.length} pixels, expected ${height}x${width} = ${height * width}`);
  });
  const out = new ByteSink();
  out.pushAll(new TextEncoder().encode('GIF89a'));
  out.pushAll([width & 0xff, width >> 8, height & 0xff, height >> 8, 0x87, 0, 0]);
  for (let g = 0; g < 256; g++) out.pushAll([g, g, g]);
  out.pushAll(NETSCAPE_LOOP);
  for (const f of frames) {
    out.pushAll([0x2c, 0, 0, 0, 0, width & 0xff, width >> 8, height & 0xff, height >> 8, 0]);
    lzwEncode(f, out);
  }
  out.push(0x3b);
  return out.bytes();
}

export interface DecodedGif {
  width: number;
  height: number;
  /** each frame's palette indices mapped to the red component of its colour table (the grey level for grey GIFs) */
  frames: Uint8Array[];
}

/** Decodes a GIF's frames (full-canvas frames, global or local colour tables, no interlacing). */
export function decodeGif(buf: Uint8Array): DecodedGif {
  const sig = new TextDecoder().decode(buf.subarray(0, 6));
  if (sig !== 'GIF87a' && sig !== 'GIF89a') throw new Error(`decodeGif: not a GIF (signature '${sig}')`);
  const u16 = (p: number): number => buf[p] | (buf[p + 1] << 8);
  const width = u16(6);
  const height = u16(8);
  let pos = 13;
  let globalTable: Uint8Array | null = null;
  if (buf[10] & 0x80) {
    const n = 3 << ((buf[10] & 7) + 1);
    globalTable = buf.subarray(pos, pos + n);
    pos += n;
  }
  const frames: Uint8Array[] = [];
  const subBlocks = (): Uint8Array => {
    const parts: number[] = [];
    for (;;) {
      if (pos >= buf.length) throw new Error('decodeGif: truncated data sub-blocks');
      const n = buf[pos++];
      if (n === 0) break;
      for (let i = 0; i < n; i++) parts.push(buf[pos + i]);
      pos += n;
    }
    return Uint8Array.from(parts);
  };
  for (;;) {
    if (pos >= buf.length) throw new Error('decodeGif: missing trailer');
    const b = buf[pos++];
    if (b === 0x3b) break;
    if (b === 0x21) {
      pos++; // extension label
      subBlocks();
      continue;
    }
    if (b !== 0x2c) throw new Error(`decodeGif: unexpected block 0x${b.toString(16)} at byte ${pos - 1}`);
    const fw = u16(pos + 4);
    const fh = u16(pos + 6);
    const flags = buf[pos + 8];
    pos += 9;
    if (flags & 0x40) throw new Error('decodeGif: interlaced frames are not supported');
    let table = globalTable;
    if (flags & 0x80) {
      const n = 3 << ((flags & 7) + 1);
      table = buf.subarray(pos, pos + n);
      pos += n;
    }
    if (!table) throw new Error('decodeGif: a frame has no colour table');
    const minCode = buf[pos++];
    const idx = lzwDecode(subBlocks(), minCode, fw * fh);
    frames.push(Uint8Array.from(idx, (i) => table[3 * i]));
  }
  return { width, height, frames };
}

function lzwDecode(data: Uint8Array, minCode: number, count: number): Uint8Array {
  const clear = 1 << minCode;
  const eoi = clear + 1;
  const out = new Uint8Array(count);
  let n = 0;
  let prefix: Int32Array = new Int32Array(4096);
  let suffix = new Uint8Array(4096);
  let next = eoi + 1;
  let width = minCode + 1;
  let prev = -1;
  let bitPos = 0;
  const stack = new Uint8Array(4097);
  const firstOf = (code: number): number => {
    while (code >= clear) code = prefix[code];
    return code;
  };
  const write = (code: number): void => {
    let sp = 0;
    while (code > eoi) {
      stack[sp++] = suffix[code];
      code = prefix[code];
    }
    stack[sp++] = code;
    while (sp > 0 && n < count) out[n++] = stack[--sp];
  };
  for (;;) {
    if (bitPos + width > data.length * 8) break;
    let code = 0;
    for (let i = 0; i < width; i++, bitPos++) code |= ((data[bitPos >> 3] >> (bitPos & 7)) & 1) << i;
    if (code === clear) {
      next = eoi + 1;
      width = minCode + 1;
      prev = -1;
      prefix = new Int32Array(4096);
      suffix = new Uint8Array(4096);
      continue;
    }
    if (code === eoi) break;
    if (prev < 0) {
      write(code);
      prev = code;
      continue;
    }
    if (code < next) {
      write(code);
      if (next < 4096) {
        prefix[next] = prev;
        suffix[next] = firstOf(code);
        next++;
      }
    } else if (code === next) {
      if (next < 4096) {
        prefix[next] = prev;
        suffix[next] = firstOf(prev);
        next++;
      }
      write(code);
    } else {
      throw new Error(`decodeGif: invalid LZW code ${code} (next ${next})`);
    }
    prev = code;
    if (next === 1 << width && width < 12) width++;
  }
  if (n !== count) throw new Error(`decodeGif: a frame decoded to ${n} pixels, expected ${count}`);
  return out;
}
