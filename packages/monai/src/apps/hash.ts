/** File hashing for downloads and archives (MONAI's check_hash, with its hash_type names). */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { checkChoice } from '../data/options.js';

export const SUPPORTED_HASH_TYPES = ['md5', 'sha1', 'sha256', 'sha512'] as const;
export type HashType = (typeof SUPPORTED_HASH_TYPES)[number];

/** Validates a hash_type name (case-insensitive, as MONAI) and returns it in lower case. */
export function hashTypeOf(owner: string, hashType: string): HashType {
  return checkChoice(owner, 'hashType', typeof hashType === 'string' ? hashType.toLowerCase() : hashType, SUPPORTED_HASH_TYPES);
}

/** Hex digest of a file, read as a stream (archives are gigabytes). */
export async function fileHash(filepath: string, hashType: string = 'md5'): Promise<string> {
  const h = createHash(hashTypeOf('fileHash', hashType));
  for await (const chunk of fs.createReadStream(filepath, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * True when the file's digest equals `val` (case-insensitive), or when `val` is null/undefined/empty
 * (nothing to check, as MONAI). A missing file throws naming it.
 */
export async function checkHash(filepath: string, val?: string | null, hashType: string = 'md5'): Promise<boolean> {
  const type = hashTypeOf('checkHash', hashType);
  if (!val) return true;
  if (!fs.existsSync(filepath)) throw new Error(`checkHash: file not found: ${filepath}`);
  return (await fileHash(filepath, type)) === val.toLowerCase();
}
