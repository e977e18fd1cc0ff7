// errno numbers and strerror() texts as glibc prints them on Linux (x86_64 and arm64 agree).
import { InputError } from './errors';

const TABLE = {
  EPERM: [1, 'Operation not permitted'],
  ENOENT: [2, 'No such file or directory'],
  EINTR: [4, 'Interrupted system call'],
  EIO: [5, 'Input/output error'],
  ENXIO: [6, 'No such device or address'],
  E2BIG: [7, 'Argument list too long'],
  ENOEXEC: [8, 'Exec format error'],
  EBADF: [9, 'Bad file descriptor'],
  EAGAIN: [11, 'Resource temporarily unavailable'],
  ENOMEM: [12, 'Cannot allocate memory'],
  EACCES: [13, 'Permission denied'],
  EFAULT: [14, 'Bad address'],
  EBUSY: [16, 'Device or resource busy'],
  EEXIST: [17, 'File exists'],
  ENODEV: [19, 'No such device'],
  ENOTDIR: [20, 'Not a directory'],
  EISDIR: [21, 'Is a directory'],
  EINVAL: [22, 'Invalid argument'],
  ENOSPC: [28, 'No space left on device'],
  ERANGE: [34, 'Numerical result out of range'],
  ENOSYS: [38, 'Function not implemented'],
  EOPNOTSUPP: [95, 'Operation not supported'],
  EHWPOISON: [133, 'Memory page has hardware error'],
} as const;

export type ErrnoName = keyof typeof TABLE;

/** errno values by name, positive as in <errno.h>; kernel code returns them negated. */
export const E = Object.fromEntries(Object.entries(TABLE).map(([k, v]) => [k, v[0]])) as {
  readonly [K in ErrnoName]: number;
};

const BY_NUMBER = new Map<number, ErrnoName>(Object.entries(TABLE).map(([k, v]) => [v[0], k as ErrnoName]));

/** Name of an errno given as a positive or negative number (kernel style), e.g. -22 -> EINVAL. */
export function errnoName(err: number): ErrnoName {
  const name = BY_NUMBER.get(Math.abs(err));
  if (!name) throw new Error(`unknown errno ${err}`);
  return name;
}

/** The errno number of a name, e.g. EINVAL -> 22. */
export function errnoNumber(name: ErrnoName): number {
  return TABLE[name][0];
}

/** strerror(): the text bash and strace print for an errno. */
export function strerror(err: number | ErrnoName): string {
  const name = typeof err === 'number' ? errnoName(err) : err;
  return TABLE[name][1];
}

export function isErrnoName(s: string): s is ErrnoName {
  return Object.prototype.hasOwnProperty.call(TABLE, s);
}

/** Parse "EPERM" or "EPERM (Operation not permitted)" as a scenario would write it. */
export function parseErrno(text: string, where: string): ErrnoName {
  const m = /^(E[A-Z0-9]+)(?:\s*\((.*)\))?$/.exec(text.trim());
  if (!m || !isErrnoName(m[1])) {
    throw new InputError(where, text, `an errno name such as EPERM or EINVAL (known: ${Object.keys(TABLE).join(', ')})`);
  }
  if (m[2] !== undefined && m[2] !== TABLE[m[1]][1]) {
    throw new InputError(where, text, `${m[1]} or "${m[1]} (${TABLE[m[1]][1]})"`, `${m[1]} reads "${TABLE[m[1]][1]}", not "${m[2]}"`);
  }
  return m[1];
}
