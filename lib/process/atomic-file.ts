import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** The new file's permissions, exactly (the umask does not apply). @default 0o666 less the umask */
  readonly mode?: number;
  /** Replace a file that is already there. @default true */
  readonly overwrite?: boolean;
}

/**
 * Writes a file whole or not at all, so that a reader (or a crash, or a full disk) never sees half
 * of it: the content goes to a temporary file beside it, which is then renamed over the file or,
 * when `overwrite` is false, linked into place, which fails if the file exists. The temporary file
 * is removed whatever happens.
 * @returns false when the file exists and `overwrite` is false; nothing is written then
 * @throws the file system's error (ENOENT for a missing folder, EISDIR for a folder in the way, ...)
 */
export function writeFileAtomically(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): boolean {
  // Beside the file, so that the rename stays on one file system; hidden; random, so that no other
  // writer's file (or one a killed run left) is ever taken for ours; with our process ID, so that a
  // later run can tell a killed writer's leftovers from a running one's (temporaryFileWriter).
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, data, { flag: 'wx', mode: options.mode });
    if (options.mode !== undefined) chmodSync(temporary, options.mode);
    if (options.overwrite ?? true) {
      renameSync(temporary, file);
      return true;
    }
    try {
      linkSync(temporary, file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** The largest file `mayReplace` reads to tell whether it is one of a writer's own. */
const MAX_OWN_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Whether a command may replace `file` with what it writes: the file is not there, or it is a
 * regular file whose text `isOwn` recognises as one the command writes. A mistyped output path
 * (`--out package.json`, an environment file) is then refused instead of lost.
 */
export function mayReplace(file: string, isOwn: (text: string) => boolean): boolean {
  let size: number;
  try {
    const stat = lstatSync(file);
    if (!stat.isFile()) return false;
    size = stat.size;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
  if (size > MAX_OWN_FILE_BYTES) return false;
  try {
    return isOwn(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch {
    return false;
  }
}

/**
 * The process ID of the writer that left `name`, when `name` is a temporary file writeFileAtomically
 * made for a file called `of` in the same folder.
 */
export function temporaryFileWriter(name: string, of: string): number | undefined {
  const match = /^\.(.+)\.(\d{1,10})\.[0-9a-f]{12}\.tmp$/.exec(name);
  return match?.[1] === of ? Number(match[2]) : undefined;
}

/** What the file system's error codes mean, for one-line messages. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'a folder is in the way',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EEXIST: 'exists and is not a folder',
};

/** A file system error code in words, with the code: `no space left on the device (ENOSPC)`. */
export function describeCode(code: string): string {
  return FILE_ERRORS[code] ? `${FILE_ERRORS[code]} (${code})` : code;
}
