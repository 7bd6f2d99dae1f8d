// DICOM RLE Lossless (PS3.5 Annex G) decoder for one frame.

/**
 * Decodes one RLE frame into `out`, laid out little-endian and sample-interleaved:
 * byte k (least significant first) of sample s of pixel p goes to out[(p * spp + s) * bytesPerSample + k].
 * Throws a plain Error describing the problem; the caller adds the file name.
 */
export function decodeRleFrame(frame: Uint8Array, out: Uint8Array, pixels: number, spp: number, bytesPerSample: number): void {
  if (frame.length < 64) throw new Error(`RLE frame of ${frame.length} bytes is shorter than its 64-byte header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const nSeg = view.getUint32(0, true);
  const expected = spp * bytesPerSample;
  if (nSeg !== expected) {
    throw new Error(`RLE header has ${nSeg} segments, expected ${expected} (samples per pixel ${spp} x ${bytesPerSample} bytes)`);
  }
  if (out.length < pixels * expected) throw new Error('RLE output buffer too small');
  const offsets: number[] = [];
  for (let i = 0; i < nSeg; i++) offsets.push(view.getUint32(4 + 4 * i, true));
  const stride = expected;
  for (let seg = 0; seg < nSeg; seg++) {
    const start = offsets[seg];
    const end = seg + 1 < nSeg ? offsets[seg + 1] : frame.length;
    if (start < 64 || start > frame.length || end > frame.length || end < start) {
      throw new Error(`RLE segment ${seg} has invalid offsets ${start}..${end} (frame is ${frame.length} bytes)`);
    }
    const s = Math.floor(seg / bytesPerSample);
    const byteIndex = bytesPerSample - 1 - (seg % bytesPerSample); // segments go most significant byte first
    let o = s * bytesPerSample + byteIndex;
    let written = 0;
    let i = start;
    while (written < pixels && i < end) {
      const n = frame[i++];
      if (n < 128) {
        // literal run of n + 1 bytes
        let count = n + 1;
        if (i + count > end) throw new Error(`RLE segment ${seg} literal run overruns the segment`);
        if (written + count > pixels) count = pixels - written;
        for (let k = 0; k < count; k++) {
          out[o] = frame[i + k];
          o += stride;
        }
        i += n + 1;
        written += count;
      } else if (n > 128) {
        // replicate next byte 257 - n times
        if (i >= end) throw new Error(`RLE segment ${seg} replicate run overruns the segment`);
        const b = frame[i++];
        let count = 257 - n;
        if (written + count > pixels) count = pixels - written;
        for (let k = 0; k < count; k++) {
          out[o] = b;
          o += stride;
        }
        written += count;
      }
      // n === 128: no-op
    }
    if (written < pixels) throw new Error(`RLE segment ${seg} decodes to ${written} bytes, expected ${pixels}`);
  }
}
