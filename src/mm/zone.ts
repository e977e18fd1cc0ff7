// Zones and nodes (pg_data_t): spans, present/managed pages and the node states that depend
// on them. Zone spans only grow when memory is onlined and shrink when it is offlined, and
// zone choice for hotplug looks at spans, not at what is present; so spans are kept exactly.
// mirrors include/linux/mmzone.h and the span helpers in mm/memory_hotplug.c

import { RangeSet } from '../util/rangeset';

export enum ZoneType {
  DMA = 0,
  DMA32 = 1,
  NORMAL = 2,
  MOVABLE = 3,
  DEVICE = 4,
}
export const MAX_NR_ZONES = 5;
export const ZONE_NAMES = ['DMA', 'DMA32', 'Normal', 'Movable', 'Device'] as const;

export class Zone {
  /** Span in pfns: [startPfn, startPfn + spannedPages). Empty when spannedPages is 0. */
  startPfn = 0;
  spannedPages = 0;
  presentPages = 0;
  /** Present pages that came from boot memory (auto-movable online policy reads this). */
  presentEarlyPages = 0;
  managedPages = 0;
  /** Online pfn ranges in this zone; spans shrink to the outermost of these. */
  readonly onlinePfns = new RangeSet();
  /** Free pages, as physical byte ranges (the buddy lists, without orders). */
  readonly free = new RangeSet();

  constructor(
    readonly nid: number,
    readonly type: ZoneType,
    readonly pageSize: number,
  ) {}

  get name(): string {
    return ZONE_NAMES[this.type];
  }

  get endPfn(): number {
    return this.startPfn + this.spannedPages;
  }

  // mirrors zone_is_empty()
  get isEmpty(): boolean {
    return this.spannedPages === 0;
  }

  // mirrors populated_zone()
  get populated(): boolean {
    return this.presentPages > 0;
  }

  // mirrors zone_intersects()
  intersects(startPfn: number, nrPages: number): boolean {
    if (this.isEmpty) return false;
    return !(startPfn >= this.endPfn || startPfn + nrPages <= this.startPfn);
  }

  // mirrors resize_zone_range(): grow the span to include [startPfn, endPfn).
  growSpan(startPfn: number, endPfn: number): void {
    if (this.isEmpty || startPfn < this.startPfn) {
      const oldEnd = this.isEmpty ? endPfn : this.endPfn;
      this.startPfn = startPfn;
      this.spannedPages = Math.max(oldEnd, endPfn) - startPfn;
    } else {
      this.spannedPages = Math.max(this.endPfn, endPfn) - this.startPfn;
    }
  }

  // mirrors shrink_zone_span(): when [startPfn, endPfn) left the zone at one of its edges, move
  // that edge to the nearest section still online in the zone, or empty the zone. A range in
  // the middle leaves the span alone (a hole), as in Linux. Call after onlinePfns was updated.
  shrinkSpan(startPfn: number, endPfn: number): void {
    if (this.isEmpty) return;
    const zoneEnd = this.endPfn;
    if (this.startPfn === startPfn) {
      const next = this.onlinePfns.within(endPfn, zoneEnd).next();
      if (next.done) this.setEmpty();
      else {
        this.startPfn = next.value.start;
        this.spannedPages = zoneEnd - next.value.start;
      }
    } else if (zoneEnd === endPfn) {
      let last: { start: number; end: number } | undefined;
      for (const r of this.onlinePfns.within(this.startPfn, startPfn)) last = r;
      if (!last) this.setEmpty();
      else this.spannedPages = last.end - this.startPfn;
    }
  }

  private setEmpty(): void {
    this.startPfn = 0;
    this.spannedPages = 0;
  }

  get freePages(): number {
    return this.free.size / this.pageSize;
  }
}

export class PgData {
  readonly zones: Zone[];
  /** N_ONLINE: the node exists for the kernel (sysfs directory, zonelists). N_MEMORY and
   * N_NORMAL_MEMORY follow from the zones' present pages (see NodeOps.stateMask()). */
  online = false;

  constructor(
    readonly nid: number,
    pageSize: number,
  ) {
    this.zones = Array.from({ length: MAX_NR_ZONES }, (_, t) => new Zone(nid, t as ZoneType, pageSize));
  }

  zone(t: ZoneType): Zone {
    return this.zones[t];
  }

  get presentPages(): number {
    return this.zones.reduce((a, z) => a + (z.type === ZoneType.DEVICE ? 0 : z.presentPages), 0);
  }

  get managedPages(): number {
    return this.zones.reduce((a, z) => a + z.managedPages, 0);
  }

  get freePages(): number {
    return this.zones.reduce((a, z) => a + z.freePages, 0);
  }

  // mirrors pgdat span (node_start_pfn / node_spanned_pages): union of non-device zone spans.
  get span(): { startPfn: number; endPfn: number } {
    let s = Infinity;
    let e = 0;
    for (const z of this.zones) {
      if (z.type === ZoneType.DEVICE || z.isEmpty) continue;
      s = Math.min(s, z.startPfn);
      e = Math.max(e, z.endPfn);
    }
    return s === Infinity ? { startPfn: 0, endPfn: 0 } : { startPfn: s, endPfn: e };
  }
}
