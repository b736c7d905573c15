import { InputError } from '../core/errors.js';

const WHY: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EFBIG: 'file too large (a file size limit, or the file system is full)',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'no such file or folder',
  EEXIST: 'it already exists',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

/** `ENOSPC: no space left on device`, or the error's own message when the code is unknown. */
export function describeIoError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code) return `${e.code}: ${WHY[e.code] ?? e.message.replace(/^[A-Z]+: /, '')}`;
  return e?.message ?? String(err);
}

/**
 * A failure to write an output is reported like bad input — one line naming the path, exit 2 —
 * never as an internal error with a stack trace: a full disk or a read-only folder is the user's
 * environment, not a bug.
 */
export function outputError(path: string, err: unknown, what = 'cannot write'): InputError {
  return new InputError(path, undefined, `${what} (${describeIoError(err)})`);
}
