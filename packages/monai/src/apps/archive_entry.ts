/**
 * The safety rules every archive entry passes before anything is written: relative names without `..`,
 * links that stay inside the target, no device files, sizes within a limit. Shared by the tar and zip readers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class ArchiveError extends Error {
  constructor(
    message: string,
    /** the offending entry's name, when one is to blame */
    readonly entry: string | null = null,
  ) {
    super(entry === null ? message : `entry '${entry}': ${message}`);
    this.name = 'ArchiveError';
  }
}

/** A member's name as a safe relative POSIX path ('' for the root itself); throws on absolute or `..` names. */
export function safeRelative(name: string): string {
  if (name.includes('\0')) throw new ArchiveError('name contains a NUL byte', name);
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) throw new ArchiveError('absolute path refused', name);
  const parts = name.split(/[/\\]/).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ArchiveError("'..' in the path refused (it could leave the target folder)", name);
  return parts.join('/');
}

/**
 * Where an entry goes under `root`, after checking that no folder on the way is a symlink (a link made by an
 * earlier entry must not redirect later writes) and that nothing but a folder sits where a folder is needed.
 */
export function destination(root: string, rel: string, name: string): string {
  const parts = rel.split('/');
  let cur = root;
  for (let i = 0; i < parts.length - 1; i++) {
    cur = path.join(cur, parts[i]);
    const st = fs.lstatSync(cur, { throwIfNoEntry: false });
    if (st === undefined) continue;
    if (st.isSymbolicLink()) throw new ArchiveError(`its path goes through the symlink '${parts.slice(0, i + 1).join('/')}' (refused: writes through links could leave the target)`, name);
    if (!st.isDirectory()) throw new ArchiveError(`its parent '${parts.slice(0, i + 1).join('/')}' is a file, not a folder`, name);
  }
  return path.join(root, ...parts);
}

/** A symlink target, checked to resolve inside the target folder from the link's own location. */
export function checkSymlinkTarget(rel: string, target: string, name: string): void {
  if (target === '' || target.includes('\0')) throw new ArchiveError('symlink with an empty or invalid target', name);
  if (path.posix.isAbsolute(target) || /^[A-Za-z]:[\\/]/.test(target) || target.startsWith('\\')) throw new ArchiveError(`symlink to the absolute path '${target}' refused`, name);
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel), target.replace(/\\/g, '/')));
  if (resolved === '..' || resolved.startsWith('../')) throw new ArchiveError(`symlink to '${target}' leaves the target folder`, name);
}

/** Removes whatever non-folder sits at `dest`, so a new file replaces it instead of writing through it. */
export function clearSlot(dest: string, name: string): void {
  const st = fs.lstatSync(dest, { throwIfNoEntry: false });
  if (st === undefined) return;
  if (st.isDirectory()) throw new ArchiveError('a folder of the same name was extracted earlier', name);
  fs.rmSync(dest, { force: true });
}

/** Creates the folders above and at `dest` (after `destination` checked the path). */
export function ensureDir(dest: string): void {
  fs.mkdirSync(dest, { recursive: true, mode: 0o755 });
}

/** Running total of the bytes an archive declares, against the caller's limit. */
export class SizeBudget {
  private used = 0;
  constructor(readonly limit: number) {}
  take(bytes: number, name: string): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new ArchiveError(`declares an invalid size ${bytes}`, name);
    this.used += bytes;
    if (this.used > this.limit) throw new ArchiveError(`declared sizes reach ${this.used} bytes, over the limit maxSize=${this.limit}`, name);
  }
}

/** Permission bits kept from an archive: rwx for user/group/other, never setuid/setgid/sticky. */
export function fileMode(mode: number | undefined): number {
  const m = (mode ?? 0o644) & 0o777;
  return (m | 0o600) & 0o755;
}
