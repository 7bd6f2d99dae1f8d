// Sequential DCT JPEG (ITU-T T.81 processes 1, 2 and 4: Huffman coding, 8- or 12-bit samples) decoder,
// written for 12-bit "JPEG Extended" DICOM images, which the bundled 8-bit libjpeg-turbo cannot decode.
// Samples come out as decoded (no colour conversion); chroma planes are upsampled by replication.
// The inverse DCT is libjpeg's default integer one (jidctint.c, "islow") with its output range table, so
// that grayscale output equals libjpeg's sample for sample (checked against GDCM's 12-bit IJG build).

const ZIGZAG = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
  54, 47, 55, 62, 63,
]);

// jidctint.c's constants: FIX(x) = round(x * 2^13).
const CONST_BITS = 13;
const FIX_0_298631336 = 2446, FIX_0_390180644 = 3196, FIX_0_541196100 = 4433, FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373, FIX_1_175875602 = 9633, FIX_1_501321110 = 12299, FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069, FIX_2_053119869 = 16819, FIX_2_562915447 = 20995, FIX_3_072711026 = 25172;

/** libjpeg's DESCALE: x / 2^n rounded half up, as an arithmetic shift of a (64-bit) integer. */
function descale(x: number, n: number): number {
  return Math.floor((x + 2 ** (n - 1)) / 2 ** n);
}

/**
 * One 8x8 block through libjpeg's islow IDCT: columns then rows, `pass1` extra bits kept between the passes
 * (2 for 8-bit samples, 1 for 12-bit). `ws` receives the level-shifted values before range limiting.
 */
function idctIslow(f: Int32Array | Float64Array, off: number, pass1: number, ws: Float64Array, out: Float64Array): void {
  for (let pass = 0; pass < 2; pass++) {
    const src = pass === 0 ? f : ws;
    const base = pass === 0 ? off : 0;
    const dst = pass === 0 ? ws : out;
    const shift = pass === 0 ? CONST_BITS - pass1 : CONST_BITS + pass1 + 3;
    // pass 0: column i of the coefficients (stride 8); pass 1: row i of the workspace (stride 1)
    const stride = pass === 0 ? 8 : 1;
    for (let i = 0; i < 8; i++) {
      const a = pass === 0 ? base + i : i * 8;
      const o = pass === 0 ? i : i * 8;
      // even part
      let z2 = src[a + 2 * stride], z3 = src[a + 6 * stride];
      let z1 = (z2 + z3) * FIX_0_541196100;
      let tmp2 = z1 - z3 * FIX_1_847759065;
      let tmp3 = z1 + z2 * FIX_0_765366865;
      z2 = src[a + 0 * stride];
      z3 = src[a + 4 * stride];
      let tmp0 = (z2 + z3) * 2 ** CONST_BITS;
      let tmp1 = (z2 - z3) * 2 ** CONST_BITS;
      const tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
      // odd part
      tmp0 = src[a + 7 * stride];
      tmp1 = src[a + 5 * stride];
      tmp2 = src[a + 3 * stride];
      tmp3 = src[a + 1 * stride];
      z1 = tmp0 + tmp3;
      z2 = tmp1 + tmp2;
      z3 = tmp0 + tmp2;
      let z4 = tmp1 + tmp3;
      const z5 = (z3 + z4) * FIX_1_175875602;
      tmp0 *= FIX_0_298631336;
      tmp1 *= FIX_2_053119869;
      tmp2 *= FIX_3_072711026;
      tmp3 *= FIX_1_501321110;
      z1 *= -FIX_0_899976223;
      z2 *= -FIX_2_562915447;
      z3 = z3 * -FIX_1_961570560 + z5;
      z4 = z4 * -FIX_0_390180644 + z5;
      tmp0 += z1 + z3;
      tmp1 += z2 + z4;
      tmp2 += z2 + z3;
      tmp3 += z1 + z4;
      dst[o + 0 * stride] = descale(tmp10 + tmp3, shift);
      dst[o + 7 * stride] = descale(tmp10 - tmp3, shift);
      dst[o + 1 * stride] = descale(tmp11 + tmp2, shift);
      dst[o + 6 * stride] = descale(tmp11 - tmp2, shift);
      dst[o + 2 * stride] = descale(tmp12 + tmp1, shift);
      dst[o + 5 * stride] = descale(tmp12 - tmp1, shift);
      dst[o + 3 * stride] = descale(tmp13 + tmp0, shift);
      dst[o + 4 * stride] = descale(tmp13 - tmp0, shift);
    }
  }
}

/**
 * libjpeg's post-IDCT range limit (jdmaster.c's table indexed with x & RANGE_MASK): x + CENTER clamped to
 * [0, MAX] for |x| < 2 (MAX + 1), wrapping beyond as the table does.
 */
function rangeLimit(x: number, precision: number): number {
  const size = 2 ** precision, center = size / 2, max = size - 1;
  const idx = ((x % (4 * size)) + 4 * size) % (4 * size);
  if (idx < center) return idx + center;
  if (idx < 2 * size) return max;
  if (idx < 4 * size - center) return 0;
  return idx - 4 * size + center;
}

interface Huffman {
  /** lookup by (length, code): maxCode[l] (or -1), valPtr[l], minCode[l] */
  maxCode: Int32Array;
  valPtr: Int32Array;
  minCode: Int32Array;
  values: Uint8Array;
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxCode = new Int32Array(18).fill(-1);
  const valPtr = new Int32Array(17);
  const minCode = new Int32Array(17);
  let code = 0, k = 0;
  for (let l = 1; l <= 16; l++) {
    const n = counts[l - 1];
    if (n) {
      valPtr[l] = k;
      minCode[l] = code;
      code += n;
      k += n;
      maxCode[l] = code - 1;
    }
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  return { maxCode, valPtr, minCode, values };
}

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  blocksPerLine: number;
  blocksPerColumn: number;
  /** Dequantized coefficients, 64 per block. */
  coefs: Float64Array;
  pred: number;
  dc?: Huffman;
  ac?: Huffman;
}

export interface JpegDctFrame {
  width: number;
  height: number;
  components: number;
  precision: number;
  /** Interleaved samples. */
  samples: Uint16Array;
}

class Bits {
  private acc = 0;
  private n = 0;
  marker = -1;
  constructor(private readonly d: Uint8Array, public pos: number) {}

  private fill(): void {
    while (this.n <= 24) {
      let b = 0;
      if (this.marker < 0 && this.pos < this.d.length) {
        b = this.d[this.pos];
        if (b === 0xff) {
          const nxt = this.d[this.pos + 1];
          if (nxt === 0x00) this.pos += 2;
          else {
            this.marker = nxt;
            b = 0;
          }
        } else this.pos++;
      }
      this.acc = ((this.acc << 8) | b) >>> 0;
      this.n += 8;
    }
  }

  bit(): number {
    if (this.n === 0) this.fill();
    this.n--;
    return (this.acc >>> this.n) & 1;
  }

  receive(len: number): number {
    if (this.n < len) this.fill();
    this.n -= len;
    return (this.acc >>> this.n) & ((1 << len) - 1);
  }

  decode(h: Huffman): number {
    let code = this.bit();
    let l = 1;
    while (code > h.maxCode[l]) {
      code = (code << 1) | this.bit();
      l++;
      if (l > 16) throw new Error('invalid Huffman code in JPEG data');
    }
    const idx = h.valPtr[l] + code - h.minCode[l];
    if (idx < 0 || idx >= h.values.length) throw new Error('invalid Huffman code in JPEG data');
    return h.values[idx];
  }

  extend(len: number): number {
    if (len === 0) return 0;
    if (len > 16) throw new Error(`invalid JPEG coefficient magnitude category ${len}`);
    const v = this.receive(len);
    return v < 1 << (len - 1) ? v - (1 << len) + 1 : v;
  }

  /** Drops buffered bits and skips an expected RSTn marker. */
  restart(): void {
    this.acc = 0;
    this.n = 0;
    if (this.marker >= 0xd0 && this.marker <= 0xd7) {
      this.pos += 2;
      this.marker = -1;
    } else if (this.marker < 0) {
      // find the next RST marker
      while (this.pos + 1 < this.d.length && !(this.d[this.pos] === 0xff && this.d[this.pos + 1] >= 0xd0 && this.d[this.pos + 1] <= 0xd7)) this.pos++;
      this.pos += 2;
    }
  }
}

/** Decodes a baseline or extended (8/12-bit) sequential Huffman JPEG. `maxSamples` bounds the allocation. */
export function decodeJpegDct(data: Uint8Array, maxSamples: number): JpegDctFrame {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) throw new Error('no JPEG start-of-image marker');
  const qt: (Int32Array | undefined)[] = [];
  const dcTables: (Huffman | undefined)[] = [];
  const acTables: (Huffman | undefined)[] = [];
  let comps: Component[] = [];
  let width = 0, height = 0, precision = 8, hmax = 1, vmax = 1, mcusX = 0, mcusY = 0;
  let restartInterval = 0;
  let pos = 2;
  let frameSeen = false;
  const u16 = (p: number) => (data[p] << 8) | data[p + 1];
  while (pos + 4 <= data.length) {
    if (data[pos] !== 0xff) {
      pos++;
      continue;
    }
    const marker = data[pos + 1];
    if (marker === 0xff) {
      pos++;
      continue;
    }
    if (marker === 0xd9) break;
    const len = u16(pos + 2);
    const seg = pos + 4;
    const end = pos + 2 + len;
    if (end > data.length) throw new Error(`JPEG marker segment 0xFF${marker.toString(16)} runs past the end`);
    if (marker === 0xdb) {
      let p = seg;
      while (p < end) {
        const pq = data[p] >> 4, tq = data[p] & 15;
        p++;
        const t = new Int32Array(64);
        for (let k = 0; k < 64; k++) {
          t[k] = pq ? u16(p + 2 * k) : data[p + k];
        }
        p += pq ? 128 : 64;
        if (tq > 3) throw new Error('invalid quantization table id');
        qt[tq] = t;
      }
    } else if (marker === 0xc4) {
      let p = seg;
      while (p < end) {
        const tc = data[p] >> 4, th = data[p] & 15;
        const counts = data.subarray(p + 1, p + 17);
        let total = 0;
        for (const c of counts) total += c;
        const values = data.slice(p + 17, p + 17 + total);
        if (values.length !== total || th > 3) throw new Error('invalid Huffman table');
        (tc === 0 ? dcTables : acTables)[th] = buildHuffman(counts, values);
        p += 17 + total;
      }
    } else if (marker === 0xc0 || marker === 0xc1) {
      precision = data[seg];
      height = u16(seg + 1);
      width = u16(seg + 3);
      const nf = data[seg + 5];
      if (precision !== 8 && precision !== 12) throw new Error(`JPEG sample precision ${precision} is not 8 or 12`);
      if (!width || !height || nf < 1 || nf > 4) throw new Error(`JPEG frame ${width}x${height} with ${nf} components is invalid`);
      comps = [];
      for (let i = 0; i < nf; i++) {
        const b = seg + 6 + 3 * i;
        const h = data[b + 1] >> 4, v = data[b + 1] & 15;
        if (h < 1 || h > 4 || v < 1 || v > 4) throw new Error('invalid JPEG sampling factors');
        comps.push({ id: data[b], h, v, tq: data[b + 2], blocksPerLine: 0, blocksPerColumn: 0, coefs: new Float64Array(0), pred: 0 });
      }
      hmax = Math.max(...comps.map((c) => c.h));
      vmax = Math.max(...comps.map((c) => c.v));
      mcusX = Math.ceil(width / (8 * hmax));
      mcusY = Math.ceil(height / (8 * vmax));
      let total = 0;
      for (const c of comps) {
        c.blocksPerLine = mcusX * c.h;
        c.blocksPerColumn = mcusY * c.v;
        total += c.blocksPerLine * c.blocksPerColumn * 64;
      }
      if (total > maxSamples * 4 + 4096 || width * height * nf > maxSamples) throw new Error(`JPEG frame ${width}x${height}x${nf} is larger than the image it belongs to`);
      for (const c of comps) c.coefs = new Float64Array(c.blocksPerLine * c.blocksPerColumn * 64);
      frameSeen = true;
    } else if ((marker >= 0xc2 && marker <= 0xcf) && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new Error(`JPEG process with SOF marker 0xFF${marker.toString(16).toUpperCase()} (progressive, lossless or arithmetic) is not supported by this decoder`);
    } else if (marker === 0xdd) {
      restartInterval = u16(seg);
    } else if (marker === 0xda) {
      if (!frameSeen) throw new Error('JPEG scan before frame header');
      const ns = data[seg];
      const scomps: Component[] = [];
      for (let i = 0; i < ns; i++) {
        const cid = data[seg + 1 + 2 * i];
        const c = comps.find((x) => x.id === cid);
        if (!c) throw new Error(`JPEG scan references unknown component ${cid}`);
        c.dc = dcTables[data[seg + 2 + 2 * i] >> 4];
        c.ac = acTables[data[seg + 2 + 2 * i] & 15];
        if (!c.dc || !c.ac) throw new Error('JPEG scan uses an undefined Huffman table');
        if (!qt[c.tq]) throw new Error('JPEG component uses an undefined quantization table');
        c.pred = 0;
        scomps.push(c);
      }
      const bits = new Bits(data, end);
      decodeScan(bits, scomps, mcusX, mcusY, restartInterval, qt, width, height, hmax, vmax);
      // continue after the entropy-coded data
      pos = bits.pos;
      while (pos + 1 < data.length && !(data[pos] === 0xff && data[pos + 1] !== 0 && !(data[pos + 1] >= 0xd0 && data[pos + 1] <= 0xd7))) pos++;
      continue;
    }
    pos = end;
  }
  if (!frameSeen) throw new Error('JPEG stream has no frame header');
  return { width, height, components: comps.length, precision, samples: output(comps, width, height, hmax, vmax, precision) };
}

function decodeBlock(bits: Bits, c: Component, q: Int32Array, offset: number): void {
  const out = c.coefs;
  const t = bits.decode(c.dc!);
  c.pred += bits.extend(t);
  out[offset] = c.pred * q[0];
  for (let k = 1; k < 64; ) {
    const rs = bits.decode(c.ac!);
    const s = rs & 15, r = rs >> 4;
    if (s === 0) {
      if (r < 15) break;
      k += 16;
      continue;
    }
    k += r;
    if (k > 63) throw new Error('JPEG AC coefficient index out of range');
    out[offset + ZIGZAG[k]] = bits.extend(s) * q[k];
    k++;
  }
}

function decodeScan(bits: Bits, scomps: Component[], mcusX: number, mcusY: number, restartInterval: number, qt: (Int32Array | undefined)[], width: number, height: number, hmax: number, vmax: number): void {
  if (scomps.length === 1) {
    // non-interleaved: the component's own block grid (only the blocks covering the image)
    const c = scomps[0];
    const bw = Math.ceil(Math.ceil((width * c.h) / hmax) / 8);
    const bh = Math.ceil(Math.ceil((height * c.v) / vmax) / 8);
    const q = qt[c.tq]!;
    let n = 0;
    for (let by = 0; by < bh; by++) {
      for (let bx = 0; bx < bw; bx++) {
        if (restartInterval && n > 0 && n % restartInterval === 0) {
          bits.restart();
          c.pred = 0;
        }
        decodeBlock(bits, c, q, (by * c.blocksPerLine + bx) * 64);
        n++;
      }
    }
    return;
  }
  let n = 0;
  for (let my = 0; my < mcusY; my++) {
    for (let mx = 0; mx < mcusX; mx++) {
      if (restartInterval && n > 0 && n % restartInterval === 0) {
        bits.restart();
        for (const c of scomps) c.pred = 0;
      }
      for (const c of scomps) {
        const q = qt[c.tq]!;
        for (let v = 0; v < c.v; v++) {
          for (let h = 0; h < c.h; h++) {
            const by = my * c.v + v, bx = mx * c.h + h;
            decodeBlock(bits, c, q, (by * c.blocksPerLine + bx) * 64);
          }
        }
      }
      n++;
    }
  }
}

function output(comps: Component[], width: number, height: number, hmax: number, vmax: number, precision: number): Uint16Array {
  const nc = comps.length;
  const out = new Uint16Array(width * height * nc);
  const pass1 = precision > 8 ? 1 : 2;
  const ws = new Float64Array(64);
  const px = new Float64Array(64);
  comps.forEach((c, ci) => {
    const cw = c.blocksPerLine * 8;
    const plane = new Uint16Array(cw * c.blocksPerColumn * 8);
    for (let by = 0; by < c.blocksPerColumn; by++) {
      for (let bx = 0; bx < c.blocksPerLine; bx++) {
        idctIslow(c.coefs, (by * c.blocksPerLine + bx) * 64, pass1, ws, px);
        for (let y = 0; y < 8; y++) {
          const row = (by * 8 + y) * cw + bx * 8;
          for (let x = 0; x < 8; x++) plane[row + x] = rangeLimit(px[y * 8 + x], precision);
        }
      }
    }
    const sx = hmax / c.h, sy = vmax / c.v;
    for (let y = 0; y < height; y++) {
      const srow = Math.floor(y / sy) * cw;
      for (let x = 0; x < width; x++) out[(y * width + x) * nc + ci] = plane[srow + Math.floor(x / sx)];
    }
  });
  return out;
}
