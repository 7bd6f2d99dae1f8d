/**
 * TFRecord framing of event files: each record is
 *   uint64 length (little endian) | uint32 masked CRC32C of those 8 bytes | data | uint32 masked CRC32C of data.
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78) from a table computed here: event files are small
 * (scalars, a few images), so a table lookup per byte is fast enough and needs no native package.
 */

const CRC_TABLES: Uint32Array[] = (() => {
  // slicing-by-4 tables: table k gives the CRC of a byte followed by k zero bytes
  const t = Array.from({ length: 4 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 4; k++) t[k][n] = ((t[k - 1][n] >>> 8) ^ t[0][t[k - 1][n] & 0xff]) >>> 0;
  }
  return t;
})();

/** CRC32C of `data` (continuing from `crc` when given). */
export function crc32c(data: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3] = CRC_TABLES;
  let c = ~crc >>> 0;
  let i = 0;
  const n4 = data.length & ~3;
  for (; i < n4; i += 4) {
    c ^= data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    c = t3[c & 0xff] ^ t2[(c >>> 8) & 0xff] ^ t1[(c >>> 16) & 0xff] ^ t0[c >>> 24];
  }
  for (; i < data.length; i++) c = t0[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** TensorFlow's masked CRC: rotate right by 15 and add a constant, so CRCs of CRCs stay well spread. */
export function maskedCrc32c(data: Uint8Array): number {
  const c = crc32c(data);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/** One framed record holding `data`. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/**
 * Splits a file's bytes into its records' data, checking both CRCs of each. A truncated last record
 * (a writer killed mid-write) is reported with `truncated` rather than thrown, as TensorBoard skips it;
 * a CRC mismatch throws, naming the record and its byte offset.
 */
export function readRecords(buf: Uint8Array, source = 'event file'): { records: Uint8Array[]; truncated: boolean } {
  const records: Uint8Array[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  while (pos < buf.length) {
    if (pos + 12 > buf.length) return { records, truncated: true };
    const lenBig = view.getBigUint64(pos, true);
    const lenCrc = view.getUint32(pos + 8, true);
    const want = maskedCrc32c(buf.subarray(pos, pos + 8));
    if (lenCrc !== want) throw new Error(`${source}: record ${records.length} at byte ${pos}: length CRC mismatch (stored 0x${lenCrc.toString(16)}, computed 0x${want.toString(16)})`);
    if (lenBig > BigInt(buf.length)) return { records, truncated: true };
    const len = Number(lenBig);
    if (pos + 12 + len + 4 > buf.length) return { records, truncated: true };
    const data = buf.subarray(pos + 12, pos + 12 + len);
    const dataCrc = view.getUint32(pos + 12 + len, true);
    const wantData = maskedCrc32c(data);
    if (dataCrc !== wantData) throw new Error(`${source}: record ${records.length} at byte ${pos}: data CRC mismatch (stored 0x${dataCrc.toString(16)}, computed 0x${wantData.toString(16)})`);
    records.push(data);
    pos += 12 + len + 4;
  }
  return { records, truncated: false };
}
