/**
 * downloadUrl (MONAI's download_url): an HTTP(S) download written to `<filepath>.part` and renamed into
 * place only once complete and verified. An interrupted transfer is retried with backoff and resumes from
 * the bytes already on disk (HTTP Range); a `.part` left by an earlier failed call is resumed too. A hash
 * mismatch deletes the download and reports expected vs found.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkOptions } from '../data/options.js';
import { fileHash, hashTypeOf } from './hash.js';

export interface DownloadUrlOptions {
  /** where to save the file (default: the URL's basename in the current folder) */
  filepath?: string;
  /** expected digest; null skips the check */
  hashVal?: string | null;
  /** 'md5' (default), 'sha1', 'sha256' or 'sha512' */
  hashType?: string;
  /** progress bar on stderr when it is a TTY (default true) */
  progress?: boolean;
  /** extra attempts after a failed or interrupted transfer (default 3) */
  retries?: number;
  /** delay before the first retry in ms, doubled after each (default 1000) */
  retryDelayMs?: number;
  /** abort an attempt that receives nothing for this long, in ms (default 60000) */
  timeoutMs?: number;
}

const OPTIONS = ['filepath', 'hashVal', 'hashType', 'progress', 'retries', 'retryDelayMs', 'timeoutMs'];

/** The last path component of a URL (without query), as MONAI's _basename. */
export function urlBasename(url: string): string {
  const p = new URL(url).pathname;
  return decodeURIComponent(p.replace(/\/+$/, '').split('/').pop() ?? '');
}

class HttpStatusError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Downloads `url` to `options.filepath`; an existing file is only hash-checked. Resolves to the saved path. */
export async function downloadUrl(url: string, options: DownloadUrlOptions = {}): Promise<string> {
  checkOptions('downloadUrl', options, OPTIONS);
  const hashType = hashTypeOf('downloadUrl', options.hashType ?? 'md5');
  const { hashVal = null, progress = true, retries = 3, retryDelayMs = 1000, timeoutMs = 60000 } = options;
  if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`downloadUrl: retries must be an integer >= 0, found ${retries}`);
  const name = options.filepath || urlBasename(url);
  if (!name) throw new Error(`downloadUrl: the URL ${url} names no file; pass filepath`);
  const filepath = path.resolve(name);
  if (fs.existsSync(filepath) && fs.statSync(filepath).isDirectory()) throw new Error(`downloadUrl: filepath ${filepath} is a folder; pass the path of the file to write`);
  if (fs.existsSync(filepath)) {
    await verify(filepath, hashVal, hashType, `existing file ${filepath}`, false);
    return filepath;
  }
  fs.mkdirSync(path.dirname(filepath), { recursive: true });
  const part = `${filepath}.part`;
  let lastError: unknown = null;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, retryDelayMs * 2 ** (attempt - 1)));
    try {
      await transfer(url, part, progress && Boolean(process.stderr.isTTY), timeoutMs);
      lastError = null;
      break;
    } catch (e) {
      lastError = e;
      // a client error (404, 403, ...) will not heal by retrying
      if (e instanceof HttpStatusError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) break;
    }
  }
  if (lastError !== null) {
    const why = lastError instanceof Error ? lastError.message : String(lastError);
    throw new Error(`downloadUrl: download of ${url} to ${filepath} failed after ${retries + 1} attempt(s): ${why}` + (fs.existsSync(part) ? ` (partial data kept in ${part}; calling again resumes)` : ''));
  }
  await verify(part, hashVal, hashType, `downloaded file (from ${url})`, true);
  fs.renameSync(part, filepath);
  return filepath;
}

async function verify(file: string, hashVal: string | null, hashType: string, what: string, removeOnMismatch: boolean): Promise<void> {
  if (!hashVal) return;
  const found = await fileHash(file, hashType);
  if (found === hashVal.toLowerCase()) return;
  if (removeOnMismatch) fs.rmSync(file, { force: true });
  throw new Error(`downloadUrl: ${hashType} check of ${what} failed: expected ${hashType}=${hashVal.toLowerCase()}, found ${found}${removeOnMismatch ? '; the download was deleted' : ''}`);
}

/** One attempt: asks for the bytes after those already in `part` and appends them. */
async function transfer(url: string, part: string, showBar: boolean, timeoutMs: number): Promise<void> {
  const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(new Error(`no data for ${timeoutMs} ms`)), timeoutMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${timeoutMs} ms`)), timeoutMs);
  };
  let bar: { update(n: number): void; stop(): void } | null = null;
  let fd: number | null = null;
  try {
    const res = await fetch(url, { headers: { 'Accept-Encoding': 'identity', ...(have > 0 ? { Range: `bytes=${have}-` } : {}) }, signal: controller.signal, redirect: 'follow' });
    let start = 0;
    let total: number | null = null;
    if (res.status === 206) {
      const m = /bytes (\d+)-\d+\/(\d+|\*)/.exec(res.headers.get('content-range') ?? '');
      if (!m || Number(m[1]) !== have) throw new Error(`server resumed at an unexpected offset (content-range '${res.headers.get('content-range')}', have ${have} bytes)`);
      start = have;
      total = m[2] === '*' ? null : Number(m[2]);
    } else if (res.status === 416 && have > 0) {
      // the range starts at or past the end: the part may be complete, or stale; start over to be sure
      await res.body?.cancel();
      fs.rmSync(part, { force: true });
      throw new Error('server refused the resume range (416); restarting from zero');
    } else if (res.status === 200) {
      const len = res.headers.get('content-length');
      total = len === null ? null : Number(len);
    } else {
      await res.body?.cancel();
      throw new HttpStatusError(`HTTP ${res.status} ${res.statusText}`, res.status);
    }
    // 200 means the server sent the whole file: overwrite any partial data
    fd = fs.openSync(part, start > 0 ? 'a' : 'w');
    let got = start;
    if (showBar) bar = await makeBar(total, got);
    if (res.body) {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        touch();
        fs.writeSync(fd, chunk);
        got += chunk.length;
        bar?.update(got);
      }
    }
    if (total !== null && got !== total) throw new Error(`transfer ended after ${got} of ${total} bytes`);
  } finally {
    clearTimeout(timer);
    if (fd !== null) fs.closeSync(fd);
    bar?.stop();
  }
}

async function makeBar(total: number | null, value: number): Promise<{ update(n: number): void; stop(): void }> {
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar({ format: 'downloading [{bar}] {percentage}% | {value}/{total} bytes', hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(total ?? 0, value);
  return bar;
}
