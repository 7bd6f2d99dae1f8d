/**
 * A zip reader over node:zlib (stored and deflated members) that extracts into a folder. The central
 * directory is read and every entry checked (names, links, declared sizes against the limit and against
 * the file) before the first byte is written; inflating stops when a member yields more than it declared.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import * as zlib from 'node:zlib';
import { ArchiveError, SizeBudget, checkSymlinkTarget, clearSlot, destination, ensureDir, fileMode, safeRelative } from './archive_entry.js';

interface ZipEntry {
  name: string;
  rel: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  mode: number | undefined;
  kind: 'file' | 'dir' | 'symlink';
}

function readAt(fd: number, pos: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  const got = fs.readSync(fd, b, 0, n, pos);
  return b.subarray(0, got);
}

function centralDirectory(fd: number, fileSize: number): ZipEntry[] {
  const tailLen = Math.min(fileSize, 22 + 65535);
  const tail = readAt(fd, fileSize - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) throw new ArchiveError('no end-of-central-directory record (not a zip file, or truncated)');
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new ArchiveError('ZIP64 archives are not supported');
  if (cdOffset + cdSize > fileSize) throw new ArchiveError(`the central directory (${cdSize} bytes at ${cdOffset}) lies past the end of the ${fileSize}-byte file`);
  const cd = readAt(fd, cdOffset, cdSize);
  const out: ZipEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw new ArchiveError(`central directory record ${k} is corrupt`);
    const madeBy = cd.readUInt16LE(p + 4) >> 8;
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const crc = cd.readUInt32LE(p + 16);
    const compressedSize = cd.readUInt32LE(p + 20);
    const size = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const external = cd.readUInt32LE(p + 38);
    const localOffset = cd.readUInt32LE(p + 42);
    const name = cd.subarray(p + 46, p + 46 + nameLen).toString(flags & 0x800 ? 'utf8' : 'latin1');
    p += 46 + nameLen + extraLen + commentLen;
    const unixMode = madeBy === 3 ? external >>> 16 : undefined;
    const fmt = unixMode === undefined ? 0 : unixMode & 0o170000;
    if (fmt === 0o020000 || fmt === 0o060000) throw new ArchiveError('device files are refused', name);
    if (fmt === 0o010000) throw new ArchiveError('FIFOs are refused', name);
    if (fmt === 0o140000) throw new ArchiveError('sockets are refused', name);
    const kind = fmt === 0o120000 ? 'symlink' : name.endsWith('/') || fmt === 0o040000 ? 'dir' : 'file';
    out.push({ name, rel: safeRelative(name), method, flags, crc, compressedSize, size, localOffset, mode: unixMode, kind });
  }
  return out;
}

/** Where a member's data starts, checked against the file's end. */
function dataStart(fd: number, e: ZipEntry, limit: number): number {
  const h = readAt(fd, e.localOffset, 30);
  if (h.length < 30 || h.readUInt32LE(0) !== 0x04034b50) throw new ArchiveError(`no local header at byte ${e.localOffset}`, e.name);
  const start = e.localOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  if (start + e.compressedSize > limit) throw new ArchiveError(`declares ${e.compressedSize} compressed bytes but only ${Math.max(0, limit - start)} are in the archive (a lying size header)`, e.name);
  return start;
}

/** Extracts every member of the zip `file` into the folder `root`. */
export async function extractZip(file: string, root: string, options: { maxSize: number }): Promise<void> {
  const fd = fs.openSync(file, 'r');
  let entries: ZipEntry[];
  const starts: number[] = [];
  try {
    const size = fs.fstatSync(fd).size;
    entries = centralDirectory(fd, size);
    const budget = new SizeBudget(options.maxSize);
    for (const e of entries) {
      if (e.flags & 1) throw new ArchiveError('encrypted members are not supported', e.name);
      if (e.method !== 0 && e.method !== 8) throw new ArchiveError(`compression method ${e.method} is not supported (stored and deflate are)`, e.name);
      if (e.method === 0 && e.compressedSize !== e.size) throw new ArchiveError(`stored member declares ${e.size} bytes but holds ${e.compressedSize}`, e.name);
      if (e.kind !== 'dir' && e.rel === '') throw new ArchiveError('a file member has an empty name', e.name);
      budget.take(e.size, e.name);
      starts.push(dataStart(fd, e, size));
    }
    // symlink targets are their data: read and check them all before writing anything
    const links = new Map<ZipEntry, string>();
    for (const [i, e] of entries.entries()) {
      if (e.kind !== 'symlink') continue;
      if (e.size > 4096) throw new ArchiveError(`symlink target of ${e.size} bytes is too long`, e.name);
      const target = (await inflateToBuffer(file, e, starts[i])).toString('utf8');
      checkSymlinkTarget(e.rel, target, e.name);
      links.set(e, target);
    }
    for (const [i, e] of entries.entries()) {
      if (e.kind === 'dir') {
        if (e.rel !== '') ensureDir(destination(root, e.rel, e.name));
        continue;
      }
      const dest = destination(root, e.rel, e.name);
      ensureDir(path.dirname(dest));
      clearSlot(dest, e.name);
      if (e.kind === 'symlink') fs.symlinkSync(links.get(e)!, dest);
      else await inflateToFile(file, e, starts[i], dest);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Streams a member's data through inflate (or not), checking the output length and CRC-32. */
async function inflateInto(file: string, e: ZipEntry, start: number, write: (b: Buffer) => void): Promise<void> {
  let got = 0;
  let crc = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      got += chunk.length;
      if (got > e.size) return cb(new ArchiveError(`inflates to more than the ${e.size} bytes it declares`, e.name));
      crc = zlib.crc32(chunk, crc);
      try {
        write(chunk);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  const src = e.compressedSize === 0 ? null : fs.createReadStream(file, { start, end: start + e.compressedSize - 1, highWaterMark: 1 << 20 });
  try {
    if (src === null) sink.end();
    else if (e.method === 8) await pipeline(src, zlib.createInflateRaw(), sink);
    else await pipeline(src, sink);
  } catch (err) {
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError(`cannot be decompressed: ${(err as Error).message}`, e.name);
  }
  if (got !== e.size) throw new ArchiveError(`declares ${e.size} bytes but its data holds ${got} (a lying size header)`, e.name);
  if (crc >>> 0 !== e.crc >>> 0) throw new ArchiveError(`CRC-32 mismatch (expected ${e.crc.toString(16)}, found ${(crc >>> 0).toString(16)})`, e.name);
}

async function inflateToBuffer(file: string, e: ZipEntry, start: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  await inflateInto(file, e, start, (b) => parts.push(b));
  return Buffer.concat(parts);
}

async function inflateToFile(file: string, e: ZipEntry, start: number, dest: string): Promise<void> {
  const fd = fs.openSync(dest, 'wx', fileMode(e.mode));
  try {
    await inflateInto(file, e, start, (b) => fs.writeSync(fd, b));
  } finally {
    fs.closeSync(fd);
  }
}
