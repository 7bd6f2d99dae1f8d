// Shared test helpers for the IO tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as torch from '@monai-ts/torch';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..', '..', '..');
export const FIX = path.join(ROOT, 'packages', 'monai', 'test', 'fixtures', 'io');
export const GOLDENS: Record<string, Golden> = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'goldens', 'io', 'io_goldens.json'), 'utf8'));

export interface Golden {
  shape: number[];
  dtype: string;
  sha256: string;
  sum: number;
  first: number[];
  affine?: number[];
  spatial_shape?: number[];
  file?: string;
  mode?: string;
  values?: number[];
}

export function fixture(name: string): string {
  return path.join(FIX, name);
}

/** SHA-256 of a tensor's C-order bytes. */
export function tensorSha(t: torch.Tensor): string {
  const c = t.contiguous();
  const a = c.toTypedArray();
  if (c !== t) c.dispose();
  return createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

export function tmpDir(prefix = 'monai-io-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
