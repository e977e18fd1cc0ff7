// Sizes, physical addresses and ranges as people write them in scenarios, platform files and
// shell scripts. Physical addresses are JS numbers: exact up to 2^53, which covers every
// machine the threads discuss (64 TiB is 2^46); anything larger is refused, never rounded.

import { InputError } from './errors';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

/** A half-open physical range [start, end). Kernel output prints it closed: start-(end-1). */
export interface Range {
  readonly start: number;
  readonly end: number;
}

const UNIT: Record<string, number> = {
  '': 1, B: 1,
  K: KiB, KIB: KiB,
  M: MiB, MIB: MiB,
  G: GiB, GIB: GiB,
  T: TiB, TIB: TiB,
  P: 1024 * TiB, PIB: 1024 * TiB,
};

function checkSafe(v: bigint, where: string, text: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InputError(where, text, 'at most 2^53 - 1', 'the model keeps physical addresses exact in a JS number');
  }
  return Number(v);
}

function parseInteger(digits: string, where: string, text: string, expected: string): bigint {
  const clean = digits.replace(/_/g, '');
  if (/^0x[0-9a-f]+$/i.test(clean) || /^[0-9]+$/.test(clean)) return BigInt(clean);
  throw new InputError(where, text, expected);
}

/**
 * A size: "64 GiB", "128M", "4K", "0x8000000", "1073741824". Letters are binary multiples, as
 * in QEMU and the kernel's memparse(); "GB" is refused because it reads as decimal.
 */
export function parseSize(text: string, where: string): number {
  const expected = 'a size such as "64 GiB", "128M", "4 KiB" or "0x8000000"';
  const m = /^\s*((?:0x[0-9a-f_]+)|(?:[0-9][0-9_]*(?:\.[0-9]+)?))\s*([a-z]*)\s*$/i.exec(text);
  if (!m) throw new InputError(where, text, expected);
  const unitKey = m[2].toUpperCase();
  if (unitKey.endsWith('B') && unitKey.length === 2 && unitKey !== 'IB') {
    throw new InputError(where, text, expected, `"${m[2]}" is ambiguous; write ${m[2][0]}iB or ${m[2][0]}`);
  }
  const unit = UNIT[unitKey];
  if (unit === undefined) throw new InputError(where, text, expected, `unknown unit "${m[2]}"`);
  if (m[1].includes('.')) {
    const [whole, frac] = m[1].split('.');
    const scaled = BigInt(whole.replace(/_/g, '') + frac) * BigInt(unit);
    const div = 10n ** BigInt(frac.length);
    if (scaled % div !== 0n) throw new InputError(where, text, expected, 'not a whole number of bytes');
    return checkSafe(scaled / div, where, text);
  }
  return checkSafe(parseInteger(m[1], where, text, expected) * BigInt(unit), where, text);
}

/** A physical address: "0x1_0000_0000", "0x100000000" or decimal. */
export function parseAddress(text: string, where: string): number {
  const expected = 'a physical address such as 0x100000000 or 0x1_0000_0000';
  const t = text.trim();
  if (!/^(0x[0-9a-f_]+|[0-9][0-9_]*)$/i.test(t)) throw new InputError(where, text, expected);
  return checkSafe(parseInteger(t, where, text, expected), where, text);
}

/** A range as the kernel prints it, inclusive end: "0x1000-0x9fbff". Returned half-open. */
export function parseRange(text: string, where: string): Range {
  const expected = 'an inclusive range such as 0x100000-0x7fffffff';
  const m = /^\s*([0-9a-fx_]+)\s*-\s*([0-9a-fx_]+)\s*$/i.exec(text);
  if (!m) throw new InputError(where, text, expected);
  const start = parseAddress(m[1], where);
  const last = parseAddress(m[2], where);
  if (last < start) throw new InputError(where, text, expected, 'end before start');
  if (last + 1 > Number.MAX_SAFE_INTEGER) throw new InputError(where, text, 'below 2^53');
  return { start, end: last + 1 };
}

/** MAX_NUMNODES with CONFIG_NODES_SHIFT=10, the x86_64 and arm64 maximum. */
export const MAX_NUMNODES = 1024;

/** A NUMA node id: a decimal number from 0 to MAX_NUMNODES - 1, as in nodeN and node=N. */
export function parseNodeId(text: string, where: string): number {
  const expected = `a node id from 0 to ${MAX_NUMNODES - 1}`;
  const t = text.trim();
  if (!/^[0-9]+$/.test(t) || Number(t) >= MAX_NUMNODES) throw new InputError(where, text, expected);
  return Number(t);
}

/**
 * A node list as the kernel's bitmap_parselist() and numactl take it: "0", "0,2", "0-3",
 * "0-1,4". Returned in the order written, without duplicates.
 */
export function parseNodeList(text: string, where: string): number[] {
  const expected = 'a node list such as "0", "0,2" or "0-3"';
  const nodes = new Set<number>();
  if (!text.trim()) throw new InputError(where, text, expected, 'empty');
  for (const part of text.split(',')) {
    const m = /^\s*([0-9]+)\s*(?:-\s*([0-9]+)\s*)?$/.exec(part);
    if (!m) throw new InputError(where, text, expected);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) throw new InputError(where, text, expected, `${first}-${last} ends before it starts`);
    if (last >= MAX_NUMNODES) throw new InputError(where, text, expected, `node ids go up to ${MAX_NUMNODES - 1}`);
    for (let n = first; n <= last; n++) nodes.add(n);
  }
  return [...nodes];
}

/** "0x1f" style, lower case, as the kernel's %#llx. Zero prints as "0", as %#llx does. */
export function hex(n: number): string {
  return n === 0 ? '0' : '0x' + n.toString(16);
}

/** Zero-padded hex without prefix, like %0*llx. */
export function hexPad(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** %#010llx: "0x" plus at least 8 digits. */
export function hex010(n: number): string {
  return '0x' + hexPad(n, 8);
}

/** A range in the kernel's usual closed form: 0x100000000-0x13fffffff. */
export function rangeText(r: Range): string {
  return `${hex(r.start)}-${hex(r.end - 1)}`;
}

/** "64 GiB", "128 MiB", "4 KiB", or a byte count when no binary unit divides it. */
export function formatSize(bytes: number): string {
  for (const [name, unit] of [['TiB', TiB], ['GiB', GiB], ['MiB', MiB], ['KiB', KiB]] as const) {
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit} ${name}`;
  }
  return `${bytes} B`;
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

export function alignDown(n: number, a: number): number {
  return n - (n % a);
}

export function alignUp(n: number, a: number): number {
  const r = n % a;
  return r === 0 ? n : n + (a - r);
}

export function isAligned(n: number, a: number): boolean {
  return n % a === 0;
}

export function overlaps(a: Range, b: Range): boolean {
  return a.start < b.end && b.start < a.end;
}

export function contains(outer: Range, inner: Range): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}

export function intersect(a: Range, b: Range): Range | null {
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.end, b.end);
  return start < end ? { start, end } : null;
}
