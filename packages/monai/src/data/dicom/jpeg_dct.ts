// Sequential DCT JPEG (ITU-T T.81 processes 1, 2 and 4: Huffman coding, 8- or 12-bit samples) decoder,
// written for 12-bit "JPEG Extended" DICOM images, which the bundled 8-bit libjpeg-turbo cannot decode.
// Samples come out as decoded (no colour conversion); chroma planes are upsampled by replication.
// The inverse DCT is computed in floating point and rounded, so values may differ by one from
// libjpeg's integer IDCT.

const ZIGZAG = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
  54, 47, 55, 62, 63,
]);

/** cos((2x + 1) u pi / 16) * C(u) / 2, indexed [u * 8 + x]. */
const IDCT_TABLE = (() => {
  const t = new Float64Array(64);
  for (let u = 0; u < 8; u++) {
    const cu = u === 0 ? Math.SQRT1_2 : 1;
    for (let x = 0; x < 8; x++) t[u * 8 + x] = (cu / 2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  }
  return t;
})();

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
  const shift = 1 << (precision - 1);
  const maxv = (1 << precision) - 1;
  const tmp = new Float64Array(64);
  const px = new Float64Array(64);
  comps.forEach((c, ci) => {
    const cw = c.blocksPerLine * 8;
    const plane = new Uint16Array(cw * c.blocksPerColumn * 8);
    for (let by = 0; by < c.blocksPerColumn; by++) {
      for (let bx = 0; bx < c.blocksPerLine; bx++) {
        const off = (by * c.blocksPerLine + bx) * 64;
        const f = c.coefs;
        // rows: tmp[v][x] = sum_u F[v][u] T[u][x]
        for (let v = 0; v < 8; v++) {
          for (let x = 0; x < 8; x++) {
            let s = 0;
            for (let u = 0; u < 8; u++) s += f[off + v * 8 + u] * IDCT_TABLE[u * 8 + x];
            tmp[v * 8 + x] = s;
          }
        }
        // columns: px[y][x] = sum_v T[v][y] tmp[v][x]
        for (let y = 0; y < 8; y++) {
          for (let x = 0; x < 8; x++) {
            let s = 0;
            for (let v = 0; v < 8; v++) s += IDCT_TABLE[v * 8 + y] * tmp[v * 8 + x];
            px[y * 8 + x] = s;
          }
        }
        for (let y = 0; y < 8; y++) {
          const row = (by * 8 + y) * cw + bx * 8;
          for (let x = 0; x < 8; x++) {
            const val = Math.round(px[y * 8 + x]) + shift;
            plane[row + x] = val < 0 ? 0 : val > maxv ? maxv : val;
          }
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
