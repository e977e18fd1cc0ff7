// The integer parsers sysfs store methods use.
// mirrors lib/kstrtox.c (_parse_integer_fixup_radix, kstrtoull, kstrtoint): an optional sign,
// "0x" hex or leading-0 octal with base 0, and at most one trailing newline; anything else is
// -EINVAL, a value that does not fit is -ERANGE. A trailing NUL (libcxl writes strlen + 1
// bytes) ends the string, as it does for the C string the store method sees.

import { E } from '../util/errno';

function cString(buf: string): string {
  const nul = buf.indexOf('\0');
  return nul >= 0 ? buf.slice(0, nul) : buf;
}

// mirrors _kstrtoull(): base 0 or 10/16.
function parseUnsigned(s: string, base: 0 | 10 | 16): bigint | number {
  let t = s.endsWith('\n') ? s.slice(0, -1) : s;
  let r: number = base;
  if (r === 0 || r === 16) {
    if (/^0[xX]/.test(t) && /^[0-9a-fA-F]$/.test(t[2] ?? '')) {
      t = t.slice(2);
      r = 16;
    } else if (r === 0) r = t.startsWith('0') && t.length > 1 ? 8 : 10;
  }
  const digits = r === 16 ? /^[0-9a-fA-F]+$/ : r === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(t)) return -E.EINVAL;
  let v = 0n;
  for (const ch of t) v = v * BigInt(r) + BigInt(parseInt(ch, 16));
  return v;
}

// mirrors kstrtoull(): a leading '+' is allowed; values above 2^53 cannot be held exactly by
// the model and are refused as out of range.
export function kstrtoull(buf: string, base: 0 | 10 | 16 = 0): number {
  let s = cString(buf);
  if (s.startsWith('+')) s = s.slice(1);
  const v = parseUnsigned(s, base);
  if (typeof v === 'number') return v;
  if (v > 0xffffffffffffffffn) return -E.ERANGE;
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return -E.ERANGE;
  return Number(v);
}

// mirrors kstrtouint()
export function kstrtouint(buf: string, base: 0 | 10 | 16 = 0): number {
  const v = kstrtoull(buf, base);
  if (v < 0) return v;
  return v > 0xffffffff ? -E.ERANGE : v;
}

// mirrors kstrtoint(): '-' allowed; the result fits an int.
export function kstrtoint(buf: string, base: 0 | 10 | 16 = 0): { ok: true; v: number } | { ok: false; err: number } {
  const s = cString(buf);
  const neg = s.startsWith('-');
  const v = kstrtoull(neg ? s.slice(1) : s, base);
  if (v < 0) return { ok: false, err: v };
  const val = neg ? -v : v;
  if (val > 0x7fffffff || val < -0x80000000) return { ok: false, err: -E.ERANGE };
  return { ok: true, v: val };
}

/** The C string a store method sees, with at most one trailing newline removed (sysfs_streq style). */
export function storeString(buf: string): string {
  const s = cString(buf);
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}
