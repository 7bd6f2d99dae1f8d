// Test-only writers for tar and zip archives, able to produce the malformed and malicious members the
// extractor must refuse (escaping names and links, device files, lying size headers).
import * as zlib from 'node:zlib';

export interface TarMember {
  name: string;
  /** '0' file (default), '1' hard link, '2' symlink, '3' char device, '5' folder, '6' FIFO, 'x' pax */
  type?: string;
  data?: Buffer | string;
  linkname?: string;
  mode?: number;
  /** size written in the header (default: the data's length) */
  declaredSize?: number;
  /** old GNU header: magic 'ustar  ' and an access time where ustar keeps its name prefix */
  gnu?: boolean;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

export function tarHeader(m: TarMember): Buffer {
  const h = Buffer.alloc(512);
  const data = Buffer.from(m.data ?? '');
  h.write(m.name, 0, 100, 'utf8');
  h.write(octal(m.mode ?? 0o644, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  h.write(octal(m.declaredSize ?? data.length, 12), 124, 'latin1');
  h.write(octal(0, 12), 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(m.type ?? '0', 156, 'latin1');
  h.write(m.linkname ?? '', 157, 100, 'utf8');
  if (m.gnu) {
    h.write('ustar  \0', 257, 'latin1');
    h.write(octal(0o14737153545, 12), 345, 'latin1');
  } else h.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

/** A tar archive; `truncate` cuts that many bytes off the end (before the end blocks are added, none are). */
export function makeTar(members: TarMember[], options: { gzip?: boolean; end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const data = Buffer.from(m.data ?? '');
    parts.push(tarHeader(m), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  if (options.end ?? true) parts.push(Buffer.alloc(1024));
  const tar = Buffer.concat(parts);
  return options.gzip ? zlib.gzipSync(tar) : tar;
}

export interface ZipMember {
  name: string;
  data?: Buffer | string;
  deflate?: boolean;
  /** unix mode including the file type bits (e.g. 0o120777 for a symlink); default a regular file */
  unixMode?: number;
  /** uncompressed size written in the headers (default the real one) */
  declaredSize?: number;
  /** compressed size written in the headers (default the real one) */
  declaredCompressedSize?: number;
}

export function makeZip(members: ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const raw = Buffer.from(m.data ?? '');
    const body = m.deflate ? zlib.deflateRawSync(raw) : raw;
    const name = Buffer.from(m.name, 'utf8');
    const crc = zlib.crc32(raw);
    const size = m.declaredSize ?? raw.length;
    const csize = m.declaredCompressedSize ?? body.length;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(0x800, 6);
    lh.writeUInt16LE(m.deflate ? 8 : 0, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(csize, 18);
    lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(name.length, 26);
    locals.push(lh, name, body);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE((3 << 8) | 20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x800, 8);
    ch.writeUInt16LE(m.deflate ? 8 : 0, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(csize, 20);
    ch.writeUInt32LE(size, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(((m.unixMode ?? (m.name.endsWith('/') ? 0o40755 : 0o100644)) << 16) >>> 0, 38);
    ch.writeUInt32LE(offset, 42);
    central.push(ch, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}
