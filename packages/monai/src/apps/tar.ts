/**
 * A streaming tar reader (ustar, GNU long names, pax `path`/`linkpath`/`size`) that extracts into a folder,
 * applying the rules of archive_entry.ts to every member before writing it. Gzip is undone on the fly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ArchiveError, SizeBudget, checkSymlinkTarget, clearSlot, destination, ensureDir, fileMode, safeRelative } from './archive_entry.js';

const BLOCK = 512;
const USTAR_MAGIC = Buffer.from('ustar\0', 'latin1');
/** pax and GNU long-name records are metadata: a few KiB in practice */
const MAX_META = 1 << 20;

/** Exact-length reads over an async stream of chunks. */
class ChunkReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  offset = 0;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.done) {
      const r = await this.source.next();
      if (r.done) this.done = true;
      else {
        this.chunks.push(r.value);
        this.buffered += r.value.length;
      }
    }
  }

  /** Up to `n` bytes (fewer only at the end of the stream). */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const out = all.subarray(0, Math.min(n, all.length));
    const rest = all.subarray(out.length);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    this.offset += out.length;
    return out;
  }
}

function cstr(b: Buffer): string {
  const z = b.indexOf(0);
  return (z < 0 ? b : b.subarray(0, z)).toString('utf8');
}

/** A numeric header field: octal text, or GNU base-256 when the top bit of the first byte is set. */
function num(b: Buffer, field: string, offset: number): number {
  if (b[0] & 0x80) {
    if (b[0] & 0x40) throw new ArchiveError(`negative ${field} in the header at byte ${offset}`);
    let v = b[0] & 0x3f;
    for (let i = 1; i < b.length; i++) v = v * 256 + b[i];
    return v;
  }
  const s = cstr(b).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new ArchiveError(`the ${field} field '${s}' of the header at byte ${offset} is not an octal number`);
  return parseInt(s, 8);
}

function parsePax(data: Buffer, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    const len = sp < 0 ? NaN : Number(data.subarray(i, sp).toString('latin1'));
    if (!Number.isInteger(len) || len <= 0 || i + len > data.length) throw new ArchiveError('malformed pax header', name);
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

export interface TarExtractOptions {
  /** limit on the sum of the members' declared sizes, in bytes */
  maxSize: number;
}

/** Opens a tar file as a chunk stream, gunzipping when it starts with the gzip magic. */
function openTar(file: string): AsyncIterator<Buffer> {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(2);
  fs.readSync(fd, head, 0, 2, 0);
  fs.closeSync(fd);
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(zlib.createGunzip()) : raw;
  raw.on('error', (e) => stream.destroy(e));
  return (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
}

/** Extracts every member of the tar (or tar.gz) `file` into the folder `root`. */
export async function extractTar(file: string, root: string, options: TarExtractOptions): Promise<void> {
  const it = openTar(file);
  try {
    await readMembers(new ChunkReader(it), root, new SizeBudget(options.maxSize));
  } finally {
    await it.return?.();
  }
}

async function exact(r: ChunkReader, n: number, name: string, what: string): Promise<Buffer> {
  const b = await r.read(n);
  if (b.length < n) throw new ArchiveError(`${what} declares ${n} bytes but the archive ends after ${b.length} (truncated archive or a lying size header)`, name);
  return b;
}

async function readMembers(r: ChunkReader, root: string, budget: SizeBudget): Promise<void> {
  let longName: string | null = null;
  let longLink: string | null = null;
  let pax: Record<string, string> = {};
  const hardLinkable = new Set<string>();
  for (;;) {
    const at = r.offset;
    const h = await r.read(BLOCK);
    if (h.length === 0) return; // no end-of-archive blocks: accepted, as tar(1) does
    if (h.length < BLOCK) throw new ArchiveError(`truncated header at byte ${at}`);
    if (h.every((x) => x === 0)) return;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    if (num(h.subarray(148, 156), 'checksum', at) !== sum) throw new ArchiveError(`bad header checksum at byte ${at} (not a tar archive, or corrupt)`);
    const type = String.fromCharCode(h[156] || 0x30);
    let name = cstr(h.subarray(0, 100));
    // only POSIX ustar ('ustar\0') has a name prefix there; old GNU headers ('ustar  ') keep times in those bytes
    const prefix = h.subarray(257, 263).equals(USTAR_MAGIC) ? cstr(h.subarray(345, 500)) : '';
    if (prefix) name = `${prefix}/${name}`;
    let size = num(h.subarray(124, 136), 'size', at);
    const headerName = longName ?? pax.path ?? name;
    if (pax.size !== undefined) size = Number(pax.size);
    const shown = headerName;
    const padded = Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'L' || type === 'K' || type === 'x' || type === 'g') {
      if (size > MAX_META) throw new ArchiveError(`metadata record of ${size} bytes is too large`, shown);
      const data = (await exact(r, padded, shown, 'metadata record')).subarray(0, size);
      if (type === 'L') longName = cstr(data);
      else if (type === 'K') longLink = cstr(data);
      else if (type === 'x') pax = { ...pax, ...parsePax(data, shown) };
      continue;
    }
    const linkname = longLink ?? pax.linkpath ?? cstr(h.subarray(157, 257));
    const mode = num(h.subarray(100, 108), 'mode', at);
    longName = longLink = null;
    pax = {};

    const rel = safeRelative(headerName);
    if (type === '3' || type === '4') throw new ArchiveError('device files are refused', shown);
    if (type === '6') throw new ArchiveError('FIFOs are refused', shown);
    if (!['0', '\0', '7', '1', '2', '5', 'D'].includes(type)) throw new ArchiveError(`unsupported tar member type '${type}'`, shown);
    if (type === '5' || type === 'D') {
      if (rel !== '') ensureDir(destination(root, rel, shown));
      await skip(r, padded, shown);
      continue;
    }
    if (rel === '') throw new ArchiveError('a file member has an empty name', shown);
    const dest = destination(root, rel, shown);
    if (type === '2') {
      checkSymlinkTarget(rel, linkname, shown);
      ensureDir(path.dirname(dest));
      clearSlot(dest, shown);
      fs.symlinkSync(linkname, dest);
      await skip(r, padded, shown);
      continue;
    }
    if (type === '1') {
      let target: string;
      try {
        target = safeRelative(linkname);
      } catch {
        throw new ArchiveError(`hard link to '${linkname}' leaves the target folder`, shown);
      }
      if (!hardLinkable.has(target)) throw new ArchiveError(`hard link to '${linkname}', which is not a regular file extracted earlier`, shown);
      ensureDir(path.dirname(dest));
      clearSlot(dest, shown);
      fs.linkSync(destination(root, target, shown), dest);
      hardLinkable.add(rel);
      await skip(r, padded, shown);
      continue;
    }
    budget.take(size, shown);
    ensureDir(path.dirname(dest));
    clearSlot(dest, shown);
    const fd = fs.openSync(dest, 'wx', fileMode(mode));
    try {
      let left = size;
      while (left > 0) {
        const chunk = await r.read(Math.min(left, 1 << 20));
        if (chunk.length === 0) throw new ArchiveError(`declares ${size} bytes but the archive ends after ${size - left} (truncated archive or a lying size header)`, shown);
        fs.writeSync(fd, chunk);
        left -= chunk.length;
      }
    } finally {
      fs.closeSync(fd);
    }
    hardLinkable.add(rel);
    await r.read(padded - size); // padding; a missing tail of padding is tolerated
  }
}

async function skip(r: ChunkReader, n: number, name: string): Promise<void> {
  let left = n;
  while (left > 0) {
    const b = await r.read(Math.min(left, 1 << 20));
    if (b.length === 0) throw new ArchiveError(`declares ${n} bytes but the archive ends early`, name);
    left -= b.length;
  }
}
