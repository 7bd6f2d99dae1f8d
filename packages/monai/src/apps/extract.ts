/**
 * extractAll and downloadAndExtract (MONAI's extractall / download_and_extract). Members are extracted into
 * a fresh hidden folder inside the output folder and moved into place only when the whole archive passed,
 * so a refused archive leaves nothing behind and nothing is ever written outside the output folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkOptions } from '../data/options.js';
import { ArchiveError } from './archive_entry.js';
import { downloadUrl, urlBasename } from './download.js';
import { fileHash, hashTypeOf } from './hash.js';
import { extractTar } from './tar.js';
import { extractZip } from './zip.js';

/** Default limit on an archive's declared (uncompressed) size: 256 GiB. */
export const DEFAULT_MAX_EXTRACT_SIZE = 256 * 2 ** 30;

export interface ExtractAllOptions {
  /** folder to extract into (default '.') */
  outputDir?: string;
  /** expected digest of the archive; null skips the check */
  hashVal?: string | null;
  hashType?: string;
  /** 'zip', 'tar', 'tar.gz' or 'tgz'; '' infers it from the file name */
  fileType?: string;
  /** the archive holds one folder named like the archive: skip extracting when that folder is non-empty (default true) */
  hasBase?: boolean;
  /** refuse archives whose members declare more bytes than this in total (default 256 GiB) */
  maxSize?: number;
}

const EXTRACT_OPTIONS = ['outputDir', 'hashVal', 'hashType', 'fileType', 'hasBase', 'maxSize'];

function archiveKind(filepath: string, fileType: string): 'zip' | 'tar' {
  const t = fileType.toLowerCase().trim();
  const base = path.basename(filepath).toLowerCase();
  if (t === 'zip' || (t === '' && base.endsWith('zip'))) return 'zip';
  if (t.includes('tar') || t === 'tgz' || (t === '' && (base.endsWith('tar') || base.endsWith('tar.gz') || base.endsWith('tgz')))) return 'tar';
  throw new Error(`extractAll: unsupported file type for ${filepath} (fileType '${fileType}'); supported: zip, tar, tar.gz, tgz`);
}

/** Extracts a zip, tar or tar.gz archive into `options.outputDir`, refusing unsafe members (see archive_entry.ts). */
export async function extractAll(filepath: string, options: ExtractAllOptions = {}): Promise<void> {
  checkOptions('extractAll', options, EXTRACT_OPTIONS);
  const { outputDir = '.', hashVal = null, fileType = '', hasBase = true, maxSize = DEFAULT_MAX_EXTRACT_SIZE } = options;
  const hashType = hashTypeOf('extractAll', options.hashType ?? 'md5');
  if (!(maxSize >= 0)) throw new RangeError(`extractAll: maxSize must be a number of bytes >= 0, found ${maxSize}`);
  const cacheDir = hasBase ? path.join(outputDir, path.basename(filepath).split('.')[0]) : outputDir;
  if (fs.existsSync(cacheDir) && fs.statSync(cacheDir).isDirectory() && fs.readdirSync(cacheDir).length > 0) return; // extracted before
  if (!fs.existsSync(filepath)) throw new Error(`extractAll: archive not found: ${filepath}`);
  if (hashVal) {
    const found = await fileHash(filepath, hashType);
    if (found !== hashVal.toLowerCase()) throw new Error(`extractAll: ${hashType} check of ${filepath} failed: expected ${hashType}=${hashVal.toLowerCase()}, found ${found}`);
  }
  const kind = archiveKind(filepath, fileType);
  fs.mkdirSync(outputDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(outputDir, '.extract-'));
  try {
    try {
      if (kind === 'zip') await extractZip(filepath, staging, { maxSize });
      else await extractTar(filepath, staging, { maxSize });
    } catch (e) {
      if (e instanceof ArchiveError) throw new ArchiveError(`extractAll: ${filepath}: ${e.message}`, null);
      throw e;
    }
    moveInto(staging, outputDir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Moves the staged tree into `dst`: new names are renamed in, existing folders merged, existing files
 * replaced. An existing symlink is never followed (a folder is not merged through it).
 */
function moveInto(src: string, dst: string): void {
  for (const name of fs.readdirSync(src)) {
    const s = path.join(src, name);
    const d = path.join(dst, name);
    const ds = fs.lstatSync(d, { throwIfNoEntry: false });
    const ss = fs.lstatSync(s);
    if (ds === undefined) fs.renameSync(s, d);
    else if (ss.isDirectory() && ds.isDirectory()) moveInto(s, d);
    else if (!ss.isDirectory() && !ds.isDirectory()) fs.renameSync(s, d);
    else throw new Error(`extractAll: cannot place '${d}': the archive has a ${ss.isDirectory() ? 'folder' : 'file'} there and the output folder a ${ds.isDirectory() ? 'folder' : ds.isSymbolicLink() ? 'symlink' : 'file'}`);
  }
}

export interface DownloadAndExtractOptions extends ExtractAllOptions {
  /** keep the downloaded archive here (default: a temporary file, deleted afterwards) */
  filepath?: string;
  progress?: boolean;
  retries?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
}

/** Downloads an archive (hash-checked) and extracts it (MONAI's download_and_extract). */
export async function downloadAndExtract(url: string, options: DownloadAndExtractOptions = {}): Promise<void> {
  checkOptions('downloadAndExtract', options, [...EXTRACT_OPTIONS, 'filepath', 'progress', 'retries', 'retryDelayMs', 'timeoutMs']);
  const { filepath, progress, retries, retryDelayMs, timeoutMs, hashVal, hashType, ...extract } = options;
  const tmp = filepath ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'monai-download-'));
  try {
    const base = urlBasename(url);
    if (!filepath && !base) throw new Error(`downloadAndExtract: the URL ${url} names no file; pass filepath`);
    const file = filepath ?? path.join(tmp!, base);
    const dl = Object.fromEntries(Object.entries({ filepath: file, hashVal, hashType, progress, retries, retryDelayMs, timeoutMs }).filter(([, v]) => v !== undefined));
    await downloadUrl(url, dl);
    await extractAll(file, { ...extract, hashType });
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}
