// Sorted, disjoint, coalesced half-open ranges. Memory is modelled as ranges, never per page:
// every operation costs O(log n + k) in the number of ranges n and ranges touched k.

import { Range } from './units';

/** Index of the first range whose end is > x, by binary search over sorted ends. */
function firstEndingAfter(ends: number[], x: number): number {
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class RangeSet {
  private starts: number[] = [];
  private ends: number[] = [];

  static of(ranges: Iterable<Range>): RangeSet {
    const s = new RangeSet();
    for (const r of ranges) s.add(r.start, r.end);
    return s;
  }

  get count(): number {
    return this.starts.length;
  }

  /** Total bytes covered. */
  get size(): number {
    let t = 0;
    for (let i = 0; i < this.starts.length; i++) t += this.ends[i] - this.starts[i];
    return t;
  }

  get empty(): boolean {
    return this.starts.length === 0;
  }

  private firstEndingAfter(x: number): number {
    return firstEndingAfter(this.ends, x);
  }

  add(start: number, end: number): void {
    if (end <= start) return;
    // Ranges touching [start, end) (including adjacency) are merged into one.
    let i = this.firstEndingAfter(start - 1);
    if (i > 0 && this.ends[i - 1] === start) i--;
    let j = i;
    let s = start;
    let e = end;
    while (j < this.starts.length && this.starts[j] <= end) {
      s = Math.min(s, this.starts[j]);
      e = Math.max(e, this.ends[j]);
      j++;
    }
    this.starts.splice(i, j - i, s);
    this.ends.splice(i, j - i, e);
  }

  addRange(r: Range): void {
    this.add(r.start, r.end);
  }

  remove(start: number, end: number): void {
    if (end <= start) return;
    const i = this.firstEndingAfter(start);
    let j = i;
    const newStarts: number[] = [];
    const newEnds: number[] = [];
    while (j < this.starts.length && this.starts[j] < end) {
      if (this.starts[j] < start) {
        newStarts.push(this.starts[j]);
        newEnds.push(start);
      }
      if (this.ends[j] > end) {
        newStarts.push(end);
        newEnds.push(this.ends[j]);
      }
      j++;
    }
    this.starts.splice(i, j - i, ...newStarts);
    this.ends.splice(i, j - i, ...newEnds);
  }

  removeRange(r: Range): void {
    this.remove(r.start, r.end);
  }

  /** Bytes of [start, end) covered by the set. */
  coverage(start: number, end: number): number {
    let t = 0;
    for (let i = this.firstEndingAfter(start); i < this.starts.length && this.starts[i] < end; i++) {
      t += Math.min(end, this.ends[i]) - Math.max(start, this.starts[i]);
    }
    return t;
  }

  containsRange(start: number, end: number): boolean {
    const i = this.firstEndingAfter(start);
    return i < this.starts.length && this.starts[i] <= start && this.ends[i] >= end;
  }

  intersects(start: number, end: number): boolean {
    const i = this.firstEndingAfter(start);
    return i < this.starts.length && this.starts[i] < end;
  }

  /** The parts of [start, end) covered by the set, in address order. */
  *within(start: number, end: number): IterableIterator<Range> {
    for (let i = this.firstEndingAfter(start); i < this.starts.length && this.starts[i] < end; i++) {
      yield { start: Math.max(start, this.starts[i]), end: Math.min(end, this.ends[i]) };
    }
  }

  /** The parts of [start, end) not covered by the set. */
  *gaps(start: number, end: number): IterableIterator<Range> {
    let cur = start;
    for (const r of this.within(start, end)) {
      if (r.start > cur) yield { start: cur, end: r.start };
      cur = r.end;
    }
    if (cur < end) yield { start: cur, end };
  }

  *[Symbol.iterator](): IterableIterator<Range> {
    for (let i = 0; i < this.starts.length; i++) yield { start: this.starts[i], end: this.ends[i] };
  }

  *reversed(): IterableIterator<Range> {
    for (let i = this.starts.length - 1; i >= 0; i--) yield { start: this.starts[i], end: this.ends[i] };
  }

  first(): Range | undefined {
    return this.starts.length ? { start: this.starts[0], end: this.ends[0] } : undefined;
  }

  last(): Range | undefined {
    const n = this.starts.length;
    return n ? { start: this.starts[n - 1], end: this.ends[n - 1] } : undefined;
  }

  clone(): RangeSet {
    const c = new RangeSet();
    c.starts = this.starts.slice();
    c.ends = this.ends.slice();
    return c;
  }

  toArray(): Range[] {
    return [...this];
  }
}

/** Sorted disjoint ranges, each carrying a value; setting a range splits what it overlaps. */
export class RangeMap<T> {
  private starts: number[] = [];
  private ends: number[] = [];
  private values: T[] = [];

  get count(): number {
    return this.starts.length;
  }

  private firstEndingAfter(x: number): number {
    return firstEndingAfter(this.ends, x);
  }

  /** Clear [start, end), then (if value given) map it to value. */
  set(start: number, end: number, value?: T): void {
    if (end <= start) return;
    const i = this.firstEndingAfter(start);
    let j = i;
    const ns: number[] = [];
    const ne: number[] = [];
    const nv: T[] = [];
    while (j < this.starts.length && this.starts[j] < end) {
      if (this.starts[j] < start) {
        ns.push(this.starts[j]);
        ne.push(start);
        nv.push(this.values[j]);
      }
      j++;
    }
    if (value !== undefined) {
      ns.push(start);
      ne.push(end);
      nv.push(value);
    }
    if (j > i && this.ends[j - 1] > end) {
      ns.push(end);
      ne.push(this.ends[j - 1]);
      nv.push(this.values[j - 1]);
    }
    this.starts.splice(i, j - i, ...ns);
    this.ends.splice(i, j - i, ...ne);
    this.values.splice(i, j - i, ...nv);
  }

  clear(start: number, end: number): void {
    this.set(start, end);
  }

  get(addr: number): T | undefined {
    const i = this.firstEndingAfter(addr);
    return i < this.starts.length && this.starts[i] <= addr ? this.values[i] : undefined;
  }

  *within(start: number, end: number): IterableIterator<{ start: number; end: number; value: T }> {
    for (let i = this.firstEndingAfter(start); i < this.starts.length && this.starts[i] < end; i++) {
      yield { start: Math.max(start, this.starts[i]), end: Math.min(end, this.ends[i]), value: this.values[i] };
    }
  }

  *[Symbol.iterator](): IterableIterator<{ start: number; end: number; value: T }> {
    for (let i = 0; i < this.starts.length; i++) yield { start: this.starts[i], end: this.ends[i], value: this.values[i] };
  }
}
