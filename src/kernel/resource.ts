// The iomem resource tree behind /proc/iomem.
// mirrors kernel/resource.c (request/insert/release/remove, walk_system_ram_range, r_show)

import { hexPad } from '../util/units';

export const IORESOURCE_MEM = 0x00000200;
export const IORESOURCE_SYSRAM = 0x01000000;
export const IORESOURCE_SYSRAM_DRIVER_MANAGED = 0x02000000;
export const IORESOURCE_SYSRAM_MERGEABLE = 0x04000000;
export const IORESOURCE_BUSY = 0x80000000;
export const IORESOURCE_SYSTEM_RAM = IORESOURCE_MEM | IORESOURCE_SYSRAM;

export const IORES_DESC_NONE = 0;
export const IORES_DESC_ACPI_TABLES = 2;
export const IORES_DESC_ACPI_NV_STORAGE = 3;
export const IORES_DESC_PERSISTENT_MEMORY = 4;
export const IORES_DESC_PERSISTENT_MEMORY_LEGACY = 5;
export const IORES_DESC_DEVICE_PRIVATE_MEMORY = 6;
export const IORES_DESC_RESERVED = 7;
export const IORES_DESC_SOFT_RESERVED = 8;
export const IORES_DESC_CXL = 9;

export const REGION_INTERSECTS = 0;
export const REGION_DISJOINT = 1;
export const REGION_MIXED = 2;

/** A resource; `end` is inclusive, as in struct resource. */
export class Resource {
  parent: Resource | null = null;
  children: Resource[] = [];

  constructor(
    public start: number,
    public end: number,
    public name: string,
    public flags: number = IORESOURCE_MEM,
    public desc: number = IORES_DESC_NONE,
  ) {
    if (end < start) throw new Error(`resource ${name}: end before start`);
  }

  get size(): number {
    return this.end - this.start + 1;
  }

  contains(o: { start: number; end: number }): boolean {
    return o.start >= this.start && o.end <= this.end;
  }

  overlaps(o: { start: number; end: number }): boolean {
    return o.start <= this.end && this.start <= o.end;
  }

  /** Index of the first child whose end >= x (children are sorted and disjoint). */
  childIndexFrom(x: number): number {
    let lo = 0;
    let hi = this.children.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.children[mid].end < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class ResourceTree {
  readonly root: Resource;

  constructor(end: number, name = 'PCI mem') {
    this.root = new Resource(0, end, name, IORESOURCE_MEM);
  }

  // mirrors __request_resource(): insert as a child of root, or return the conflicting resource.
  private requestIn(root: Resource, res: Resource): Resource | null {
    if (res.start < root.start || res.end > root.end) return root;
    const i = root.childIndexFrom(res.start);
    const next = root.children[i];
    if (next && next.start <= res.end) return next;
    res.parent = root;
    root.children.splice(i, 0, res);
    return null;
  }

  // mirrors request_resource_conflict()
  requestResourceConflict(root: Resource, res: Resource): Resource | null {
    return this.requestIn(root, res);
  }

  // mirrors __request_region(): descend into non-busy conflicts until the region fits.
  requestRegion(start: number, size: number, name: string, flags = IORESOURCE_MEM | IORESOURCE_BUSY, parent: Resource = this.root): Resource | null {
    const res = new Resource(start, start + size - 1, name, flags);
    for (;;) {
      const conflict = this.requestIn(parent, res);
      if (!conflict) return res;
      if (conflict !== parent && !(conflict.flags & IORESOURCE_BUSY)) {
        parent = conflict;
        continue;
      }
      return null;
    }
  }

  // mirrors __insert_resource() / insert_resource(): nests the new resource where it fits,
  // adopting existing resources it fully contains. Returns the conflict, or null on success.
  insertResource(res: Resource, parent: Resource = this.root): Resource | null {
    for (;;) {
      if (res.start < parent.start || res.end > parent.end) return parent;
      const i = parent.childIndexFrom(res.start);
      const first = parent.children[i];
      if (!first || first.start > res.end) {
        res.parent = parent;
        parent.children.splice(i, 0, res);
        return null;
      }
      if (first === res) return first;
      if (first.start <= res.start && first.end >= res.end && !(first.start === res.start && first.end === res.end)) {
        parent = first;
        continue;
      }
      if (first.start === res.start && first.end === res.end) {
        // Same range: the new resource goes on top, as __insert_resource() does.
      } else if (first.start < res.start || first.end > res.end) {
        return first;
      }
      let j = i;
      while (j < parent.children.length && parent.children[j].start <= res.end) {
        const c = parent.children[j];
        if (c.start < res.start || c.end > res.end) return c;
        j++;
      }
      const adopted = parent.children.splice(i, j - i, res);
      res.parent = parent;
      for (const c of adopted) c.parent = res;
      res.children = adopted.concat(res.children).sort((a, b) => a.start - b.start);
      return null;
    }
  }

  // mirrors release_resource(): the resource must have no children.
  releaseResource(res: Resource): number {
    const p = res.parent;
    if (!p) return -22;
    if (res.children.length) throw new Error(`release_resource(${res.name}) with children`);
    p.children.splice(p.children.indexOf(res), 1);
    res.parent = null;
    return 0;
  }

  // mirrors remove_resource(): children move up to the parent.
  removeResource(res: Resource): number {
    const p = res.parent;
    if (!p) return -22;
    const i = p.children.indexOf(res);
    for (const c of res.children) c.parent = p;
    p.children.splice(i, 1, ...res.children);
    res.children = [];
    res.parent = null;
    return 0;
  }

  // mirrors release_mem_region_adjustable(): drop (or trim) the busy resource covering a range
  // being hot-removed; a range in the middle splits it.
  releaseMemRegionAdjustable(start: number, size: number): void {
    const end = start + size - 1;
    let parent = this.root;
    for (;;) {
      const i = parent.childIndexFrom(start);
      const res = parent.children[i];
      if (!res || res.start > end || !res.contains({ start, end })) return;
      if (!(res.flags & IORESOURCE_BUSY)) {
        parent = res;
        continue;
      }
      if (res.children.length) return;
      if (res.start === start && res.end === end) {
        this.releaseResource(res);
      } else if (res.start === start) {
        res.start = end + 1;
      } else if (res.end === end) {
        res.end = start - 1;
      } else {
        const tail = new Resource(end + 1, res.end, res.name, res.flags, res.desc);
        res.end = start - 1;
        tail.parent = parent;
        parent.children.splice(i + 1, 0, tail);
      }
      return;
    }
  }

  /** Depth-first walk in address order, as next_resource() does. */
  *walk(from: Resource = this.root): IterableIterator<{ res: Resource; depth: number }> {
    const stack: Array<{ res: Resource; depth: number; i: number }> = [{ res: from, depth: -1, i: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.i >= top.res.children.length) {
        stack.pop();
        continue;
      }
      const c = top.res.children[top.i++];
      yield { res: c, depth: top.depth + 1 };
      if (c.children.length) stack.push({ res: c, depth: top.depth + 1, i: 0 });
    }
  }

  /** Resources overlapping [start, end] in depth-first order, skipping subtrees outside it. */
  *overlapping(start: number, end: number, from: Resource = this.root): IterableIterator<Resource> {
    for (let i = from.childIndexFrom(start); i < from.children.length && from.children[i].start <= end; i++) {
      const c = from.children[i];
      yield c;
      yield* this.overlapping(start, end, c);
    }
  }

  // mirrors find_next_iomem_res(): the first resource in depth-first order that overlaps
  // [start, end] and has all of `flags`, clipped to the range.
  private findNextIomemRes(start: number, end: number, flags: number): { start: number; end: number } | null {
    for (const r of this.overlapping(start, end)) {
      if ((r.flags & flags) === flags) return { start: Math.max(start, r.start), end: Math.min(end, r.end) };
    }
    return null;
  }

  // mirrors walk_system_ram_range(): pages of [startPfn, startPfn+nr) in busy System RAM;
  // a parent's match consumes its range, so nested resources are not counted twice.
  systemRamPages(startPfn: number, nrPages: number, pageSize: number): number {
    let start = startPfn * pageSize;
    const end = (startPfn + nrPages) * pageSize - 1;
    let pages = 0;
    while (start < end) {
      const res = this.findNextIomemRes(start, end, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY);
      if (!res) break;
      const pfn = Math.ceil(res.start / pageSize);
      const endPfn = Math.floor((res.end + 1) / pageSize);
      if (endPfn > pfn) pages += endPfn - pfn;
      start = res.end + 1;
    }
    return pages;
  }

  // mirrors __region_intersects(): DISJOINT if nothing matching overlaps the range, INTERSECTS
  // if matching resources (top-level or descendants) cover every overlapping top-level resource,
  // MIXED otherwise.
  regionIntersects(start: number, size: number, flags: number, desc: number): number {
    const end = start + size - 1;
    const match = (r: Resource) => (r.flags & flags) === flags && (desc === IORES_DESC_NONE || r.desc === desc);
    let type = 0;
    let other = 0;
    const top = this.root;
    for (let i = top.childIndexFrom(start); i < top.children.length && top.children[i].start <= end; i++) {
      const p = top.children[i];
      if (match(p)) {
        type++;
        continue;
      }
      let oStart = Math.max(start, p.start);
      const oEnd = Math.min(end, p.end);
      let covered = false;
      for (const dp of this.overlapping(start, end, p)) {
        if (!match(dp)) continue;
        type++;
        if (dp.start > oStart) break;
        if (dp.end >= oEnd) {
          covered = true;
          break;
        }
        oStart = Math.max(oStart, dp.end + 1);
      }
      if (!covered) other++;
    }
    if (type === 0) return REGION_DISJOINT;
    return other === 0 ? REGION_INTERSECTS : REGION_MIXED;
  }

  find(pred: (r: Resource) => boolean): Resource | undefined {
    for (const { res } of this.walk()) if (pred(res)) return res;
    return undefined;
  }

  // mirrors r_show(), kernel/resource.c: two spaces per level, at least 8 hex digits for iomem.
  show(): string {
    const width = this.root.end < 0x10000 ? 4 : 8;
    let out = '';
    for (const { res, depth } of this.walk()) {
      out += `${'  '.repeat(depth)}${hexPad(res.start, width)}-${hexPad(res.end, width)} : ${res.name}\n`;
    }
    return out;
  }
}
